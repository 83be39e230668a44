package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eventhost/eventhost/runtime/bundle"
	"github.com/eventhost/eventhost/runtime/engine"
	"github.com/eventhost/eventhost/runtime/watch"
)

// reloader rebuilds the scripts whenever they change, until its context ends.
type reloader struct {
	eng     *engine.Engine
	log     *slog.Logger
	scripts string
	watcher *watch.Watcher
}

// newReloader watches the scripts folder, the package.json and
// package-lock.json beside it, and the node_modules folders the build read.
func newReloader(eng *engine.Engine, scripts string, log *slog.Logger) (*reloader, error) {
	abs, err := filepath.Abs(scripts)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	root := filepath.Dir(abs)
	w, err := watch.New(watch.Config{
		Dir:    abs,
		Files:  []string{filepath.Join(root, "package.json"), filepath.Join(root, "package-lock.json")},
		Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", scripts, err)
	}
	r := &reloader{eng: eng, log: log, scripts: abs, watcher: w}
	if err := w.WatchDirs(packageDirs(eng.Inputs())); err != nil {
		log.Warn("watch: node_modules folders", "error", err)
	}
	return r, nil
}

// run rebuilds on every batch of changes until ctx ends.
func (r *reloader) run(ctx context.Context) error {
	return r.watcher.Run(ctx, r.reload)
}

func (r *reloader) reload(ctx context.Context, changed []string) {
	files := r.relative(changed)
	res, err := r.eng.Reload(ctx)
	if err != nil {
		var be *bundle.Error
		if !errors.As(err, &be) {
			r.log.Error("reload failed: the previous generation keeps serving", "changed", files, "generation", res.Generation.ID, "error", err)
			return
		}
		r.log.Error("reload failed: the previous generation keeps serving", "changed", files, "generation", res.Generation.ID, "errors", len(be.Messages))
		for _, m := range be.Messages {
			r.log.Error("build error: " + m.String())
		}
		return
	}
	g := res.Generation
	if res.Unchanged {
		r.log.Info("reload: no module changed; the generation keeps serving", "generation", g.ID, "changed", files)
	} else {
		r.log.Info("reloaded", "generation", g.ID, "changed", files, "build_time", g.Duration.Round(100_000),
			"modules", g.Modules, "routes", g.Routes, "added", events(res.Added), "removed", events(res.Removed))
	}
	if err := r.watcher.WatchDirs(packageDirs(res.Inputs)); err != nil {
		r.log.Warn("watch: node_modules folders", "error", err)
	}
}

// relative shows changed paths relative to the scripts folder's parent, as
// authors see them.
func (r *reloader) relative(paths []string) string {
	root := filepath.Dir(r.scripts)
	out := make([]string, len(paths))
	for i, p := range paths {
		if rel, err := filepath.Rel(root, p); err == nil {
			p = rel
		}
		out[i] = filepath.ToSlash(p)
	}
	return strings.Join(out, ",")
}

func events(routes []engine.Route) string {
	names := make([]string, len(routes))
	for i, r := range routes {
		names[i] = r.Event
	}
	return strings.Join(names, ",")
}

// packageDirs returns the folders under node_modules that the build read
// files from.
func packageDirs(inputs []string) []string {
	var dirs []string
	for _, in := range inputs {
		if strings.Contains(in, string(filepath.Separator)+"node_modules"+string(filepath.Separator)) {
			dirs = append(dirs, filepath.Dir(in))
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}
