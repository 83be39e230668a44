package engine

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/dop251/goja"

	"github.com/eventhost/eventhost/runtime/bundle"
)

// Route is one callable event: an exported function of a route module.
type Route struct {
	Event  string // e.g. "api.hello.greeting"
	File   string // e.g. "scripts/api/hello.js"
	Export string // the export's name; "default" for a default export
}

// GenerationInfo describes one build of the scripts.
type GenerationInfo struct {
	ID       uint64        // 1 for the first build, then one more per successful reload
	Built    time.Time     // when the build finished
	Duration time.Duration // how long bundling, compiling and route discovery took
	Modules  int           // route modules
	Routes   int           // callable events
}

// generation is one immutable build: shared by every worker.
type generation struct {
	info    GenerationInfo
	modules []*bundle.Module
	routes  map[string]*route
	table   []Route
}

// route is a Route with what a worker needs to find its function fast.
type route struct {
	Route
	index  int // into a worker's per-generation function cache
	module int // into generation.modules
}

// validExport matches the export names that can be addressed as an event.
var validExport = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// build bundles the scripts, finds each module's exported functions by
// evaluating it once in a scratch VM, and checks that no two sources claim
// the same event.
func (e *Engine) build(ctx context.Context, id uint64) (*generation, error) {
	start := time.Now()
	res, err := bundle.Build(ctx, bundle.Options{Dir: e.cfg.Dir, External: nativeModuleNames()})
	if err != nil {
		return nil, err
	}
	gen := &generation{modules: res.Modules, routes: make(map[string]*route)}
	scratch := newVM(e, nil)
	var problems []bundle.Message
	for i, m := range res.Modules {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("engine: build: %w", err)
		}
		exports, err := scratch.instantiate(m)
		if err != nil {
			problems = append(problems, bundle.Message{File: m.File, Text: "evaluating the module failed: " + describe(err)})
			continue
		}
		for _, name := range exports.Keys() {
			if _, ok := goja.AssertFunction(exports.Get(name)); !ok {
				continue // only exported functions are routes
			}
			event := m.Name + "." + name
			if name == "default" {
				event = m.Name
			} else if !validExport.MatchString(name) {
				continue
			}
			if prev, ok := gen.routes[event]; ok {
				problems = append(problems, bundle.Message{File: m.File, Text: fmt.Sprintf(
					"event %q is claimed twice: by export %q of %s and by export %q of %s",
					event, prev.Export, prev.File, name, m.File)})
				continue
			}
			r := &route{Route: Route{Event: event, File: m.File, Export: name}, index: len(gen.table), module: i}
			gen.routes[event] = r
			gen.table = append(gen.table, r.Route)
		}
	}
	if len(problems) > 0 {
		return nil, &bundle.Error{Messages: problems}
	}
	slices.SortFunc(gen.table, func(a, b Route) int {
		if a.Event < b.Event {
			return -1
		}
		if a.Event > b.Event {
			return 1
		}
		return 0
	})
	gen.info = GenerationInfo{ID: id, Built: time.Now(), Duration: time.Since(start), Modules: len(res.Modules), Routes: len(gen.table)}
	return gen, nil
}
