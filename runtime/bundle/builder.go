package bundle

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/evanw/esbuild/pkg/api"
)

// Builder builds one scripts folder again and again, reusing the work of the
// previous build: an esbuild incremental context while the set of route
// modules stays the same, and the compiled Program of every module whose
// bundled output is byte-identical to the previous build's.
//
// How changes are found. Discovery walks the folder on every Build, so added,
// removed and renamed files are always seen. When the route modules are the
// same as last time, esbuild's context rebuilds: it stats every input and
// reads it again unless its inode, size, mtime (to the nanosecond), mode and
// owner are unchanged and the mtime is more than 3 seconds old, then re-parses
// only files whose contents differ. Edits of the same size within the same
// second are therefore seen; a change is missed only when a tool rewrites a
// file in place, same size, and puts back an mtime over 3 seconds old (cp -p
// onto it, touch -r); writing a new file and renaming it over the old one
// gives a new inode and is seen. Linking and printing run for every module on
// each build. A module's output is then compared with the previous successful
// build's through a SHA-256 of its bundle and source map (the wrapped source
// goja compiles is a pure function of the two): unchanged, the previous
// *Module is returned as is and goja.Compile is skipped.
//
// The zero Builder is not usable; make one with [NewBuilder] and [Builder.Close]
// it when done.
type Builder struct {
	opts Options // External is a private copy

	mu     sync.Mutex // serializes Build and Close; guards the fields below
	closed bool
	ectx   api.BuildContext // nil until the first build, and after a change of modules
	absDir string           // of ectx
	rels   []string         // route modules of ectx, sorted
	// last holds the modules of the last successful build by Rel, with the
	// digest of their esbuild output.
	last map[string]compiled
	// programs are the own programs and dependencies of the last
	// successful build, by digest (Options.SharedImports).
	programs programCache
}

// compiled is a module of the last successful build.
type compiled struct {
	mod *Module
	sum [sha256.Size]byte
}

// NewBuilder returns a Builder for opts. It does no work until the first
// [Builder.Build].
func NewBuilder(opts Options) *Builder {
	opts.External = slices.Clone(opts.External)
	return &Builder{opts: opts}
}

// Build is like the package-level [Build], incrementally. A module whose
// output did not change is returned as the SAME *Module pointer as in the
// previous Result (so callers can reuse what they derived from it);
// [Result.Reused] counts them. Safe to call from several goroutines, but
// builds are serialized.
//
// A failed build changes nothing that the next one relies on: the next Build
// compares with the last successful one. A done ctx cancels an esbuild run in
// progress. After [Builder.Close], Build returns [ErrClosed].
func (b *Builder) Build(ctx context.Context) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("bundle: build %s: %w", b.opts.Dir, ErrClosed)
	}
	start := time.Now()
	display := filepath.Clean(b.opts.Dir)
	absDir, err := filepath.Abs(display)
	if err != nil {
		return nil, fmt.Errorf("bundle: %s: %w", b.opts.Dir, err)
	}
	mods, err := discover(absDir, display)
	if err != nil {
		return nil, err
	}
	res := &Result{Modules: mods}
	if len(mods) == 0 {
		b.dispose()
		b.last = nil
		res.Duration = time.Since(start)
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", b.opts.Dir, err)
	}

	msgs := nameClashes(mods)
	out, err := b.rebuild(ctx, absDir, mods)
	if err != nil {
		return nil, err
	}
	for _, e := range out.Errors {
		msgs = append(msgs, esbuildMessage(e, display))
	}
	if len(msgs) > 0 {
		return nil, newError(msgs)
	}

	// Take the previous Module where the output is the same; compile the rest.
	output := outputs(absDir, out.OutputFiles)
	next := make(map[string]compiled, len(mods))
	var fresh []*Module
	for i, m := range mods {
		code, srcMap := output(m)
		if code == nil {
			fresh = append(fresh, m) // compileAll reports it
			continue
		}
		sum := digest(code, srcMap)
		if prev, ok := b.last[m.Rel]; ok && prev.sum == sum {
			mods[i] = prev.mod
			res.Reused++
		} else {
			fresh = append(fresh, m)
		}
		next[m.Rel] = compiled{mods[i], sum}
	}
	msgs = compileAll(ctx, fresh, output)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", b.opts.Dir, err)
	}
	if len(msgs) > 0 {
		return nil, newError(msgs)
	}
	if res.Inputs, err = metafileInputs(out.Metafile); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", b.opts.Dir, err)
	}
	if b.opts.SharedImports {
		var programs programCache
		res.Deps, programs, err = shared(ctx, absDir, display, mods, fresh, b.opts.External, out.Metafile, b.programs)
		if err != nil {
			if be := (*Error)(nil); errors.As(err, &be) {
				return nil, be
			}
			return nil, fmt.Errorf("bundle: build %s: %w", b.opts.Dir, err)
		}
		b.programs = programs
	}
	b.last = next // modules that are gone drop out here
	res.Duration = time.Since(start)
	return res, nil
}

// rebuild runs esbuild on mods: a Rebuild of the current context when it was
// made for the same folder and route modules, otherwise a new context. A
// done ctx cancels the run and returns the context's error.
func (b *Builder) rebuild(ctx context.Context, absDir string, mods []*Module) (api.BuildResult, error) {
	rels := make([]string, len(mods))
	for i, m := range mods {
		rels[i] = m.Rel
	}
	if b.ectx == nil || absDir != b.absDir || !slices.Equal(rels, b.rels) {
		b.dispose()
		ectx, cerr := api.Context(esbuildOptions(absDir, mods, b.opts.External))
		if cerr != nil {
			// Only invalid options fail here; the messages say which.
			return api.BuildResult{Errors: cerr.Errors}, nil
		}
		b.ectx, b.absDir, b.rels = ectx, absDir, rels
	}

	// Cancel waits for the run it cancels; wait for Cancel in turn, so that
	// a late one cannot hit the next build.
	ectx := b.ectx
	canceled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(canceled)
		ectx.Cancel()
	})
	out := ectx.Rebuild()
	if !stop() {
		<-canceled
		// The run may have been cut short in any state: start afresh.
		b.dispose()
	}
	if err := ctx.Err(); err != nil {
		return api.BuildResult{}, fmt.Errorf("bundle: build %s: %w", b.opts.Dir, err)
	}
	return out, nil
}

// dispose drops the esbuild context, if any.
func (b *Builder) dispose() {
	if b.ectx != nil {
		b.ectx.Dispose()
		b.ectx, b.absDir, b.rels = nil, "", nil
	}
}

// Close disposes the esbuild context and forgets the last build. It waits for
// a Build in progress. Idempotent.
func (b *Builder) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dispose()
	b.last, b.programs = nil, nil
	b.closed = true
}

// digest identifies an esbuild output: the bundle and its source map.
func digest(code, srcMap []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write(strconv.AppendInt(nil, int64(len(code)), 10))
	h.Write([]byte{0})
	h.Write(code)
	h.Write(srcMap)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
