package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
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

// hooks returns the generation's hooks, for caching.
func (g *generation) hooks() []*route {
	var hs []*route
	for _, h := range []*route{g.connect, g.connected, g.disconnect} {
		if h != nil {
			hs = append(hs, h)
		}
	}
	return hs
}

// lookup returns the route or hook a request calls, nil when none.
func (g *generation) lookup(req *Request) *route {
	switch req.hook {
	case "":
		return g.routes[req.Event]
	case "connect":
		return g.connect
	case "connected":
		return g.connected
	default:
		return g.disconnect
	}
}

// generation is one immutable build: shared by every worker.
type generation struct {
	info    GenerationInfo
	modules []*bundle.Module
	routes  map[string]*route
	table   []Route
	inputs  []string
	exports map[*bundle.Module][]string // each module's exported function names
	deps    map[string]*bundle.Dep      // ModeReeval: the files modules import, by ID

	// The hooks of the _connection module, nil when absent. Their index is
	// past the routes' in a worker's function cache.
	connect, connected, disconnect *route
}

// route is a Route with what a worker needs to find its function fast.
type route struct {
	Route
	index  int // into a worker's per-generation function cache
	module int // into generation.modules
}

// validExport matches the export names that can be addressed as an event.
var validExport = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// exportsWithin evaluates m in v to find its exported functions, and
// interrupts it when ctx ends or it runs longer than the module timeout: a
// top-level loop that never ends must not hold the build (and so start-up,
// or every later reload) for good. problem says why m failed (nil when it
// did not); describing what its top-level code threw runs JS too, under the
// same bound. interrupted reports that v was interrupted, so that it must
// not serve again.
func (e *Engine) exportsWithin(ctx context.Context, v *vm, m *bundle.Module) (names []string, problem *bundle.Message, interrupted bool) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.ModuleTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { v.rt.Interrupt(errModuleTimeout) })
	names, problem = evaluateExports(v, m)
	return names, problem, !stop()
}

// evaluateExports evaluates m in v and returns its exported functions, or
// why it failed: where the top-level code threw (the innermost position in
// a script, through the source map), and what.
func evaluateExports(v *vm, m *bundle.Module) (names []string, problem *bundle.Message) {
	const failed = "evaluating the module failed: "
	defer func() {
		switch r := recover().(type) {
		case nil:
		case *goja.InterruptedError, *goja.StackOverflowError, *goja.Exception:
			// Converting the thrown value to text was interrupted, overflowed
			// or threw.
			names, problem = nil, &bundle.Message{File: m.File, Text: failed + "its top-level code threw a value that cannot be converted to a string"}
		default:
			panic(r)
		}
	}()
	names, err := v.exportedFunctions(m)
	if err == nil {
		return names, nil
	}
	problem = &bundle.Message{File: m.File, Text: failed + describe(err)}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		thrown := v.text(ex.Value())
		problem.Text = failed + thrown
		for _, f := range ex.Stack() {
			if p := f.Position(); p.Filename != "" && p.Line > 0 {
				if p.Filename != m.File { // thrown in a file it imports
					problem.Text = "evaluating " + m.File + " failed: " + thrown
				}
				problem.File, problem.Line, problem.Column = p.Filename, p.Line, p.Column
				break
			}
		}
	}
	return nil, problem
}

// errModuleTimeout is what a module evaluation is interrupted with.
var errModuleTimeout = errors.New("module evaluation interrupted")

// build bundles the scripts, finds each module's exported functions by
// evaluating it once in a scratch VM (or takes them from prev when the
// module did not change), and checks that no two sources claim the same
// event.
func (e *Engine) build(ctx context.Context, id uint64, prev *generation) (*generation, error) {
	start := time.Now()
	if e.cfg.BeforeBuild != nil {
		if err := e.cfg.BeforeBuild(ctx); err != nil {
			return nil, err
		}
	}
	res, err := e.builder.Build(ctx)
	if err != nil {
		return nil, err
	}
	gen := &generation{modules: res.Modules, routes: make(map[string]*route), inputs: res.Inputs,
		exports: make(map[*bundle.Module][]string, len(res.Modules)), deps: res.Deps}
	var scratch *vm
	var problems []bundle.Message
	for i, m := range res.Modules {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("engine: build: %w", err)
		}
		names, known := []string(nil), false
		if prev != nil {
			names, known = prev.exports[m]
		}
		if !known {
			if scratch == nil {
				scratch = newVM(e, nil)
				scratch.useDeps(gen.deps)
			}
			var problem *bundle.Message
			var interrupted bool
			names, problem, interrupted = e.exportsWithin(ctx, scratch, m)
			if interrupted {
				scratch = nil // maybe left interrupted: the next module gets a fresh VM
			}
			if problem != nil {
				if interrupted {
					if err := ctx.Err(); err != nil {
						return nil, fmt.Errorf("engine: build: %w", err)
					}
					problem = &bundle.Message{File: m.File, Text: fmt.Sprintf(
						"evaluating the module failed: its top-level code ran longer than %s", e.cfg.ModuleTimeout)}
				}
				problems = append(problems, *problem)
				continue
			}
		}
		gen.exports[m] = names
		if m.Hooks {
			for _, name := range names {
				r := &route{Route: Route{Event: "(" + name + ")", File: m.File, Export: name}, module: i}
				switch name {
				case "connect":
					gen.connect = r
				case "connected":
					gen.connected = r
				case "disconnect":
					gen.disconnect = r
				}
			}
			continue // the hooks module is private: no routes
		}
		for _, name := range names {
			event := m.Name + "." + name
			if name == "default" {
				event = m.Name
			} else if !validExport.MatchString(name) {
				continue
			}
			if other, ok := gen.routes[event]; ok {
				problems = append(problems, bundle.Message{File: m.File, Text: fmt.Sprintf(
					"event %q is claimed twice: by export %q of %s and by export %q of %s",
					event, other.Export, other.File, name, m.File)})
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
	slices.SortFunc(gen.table, func(a, b Route) int { return strings.Compare(a.Event, b.Event) })
	// Hooks are not in gen.routes, so no client event reaches them; their
	// cache slots follow the routes'.
	if gen.connect != nil {
		gen.connect.index = len(gen.table)
	}
	if gen.connected != nil {
		gen.connected.index = len(gen.table) + 1
	}
	if gen.disconnect != nil {
		gen.disconnect.index = len(gen.table) + 2
	}
	gen.info = GenerationInfo{ID: id, Built: time.Now(), Duration: time.Since(start), Modules: len(res.Modules), Routes: len(gen.table)}
	return gen, nil
}
