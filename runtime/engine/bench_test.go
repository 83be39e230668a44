package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/runtime/bundle"
)

// generatedModule is a deterministic module of about size bytes: an echo
// handler after top-level declarations and work (tables, functions, a Map
// filled at load), like a module that grew helpers and lookup data.
func generatedModule(size int) string {
	var b strings.Builder
	b.WriteString("const registry = new Map();\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "const t%d = [%d, %d, %d, %d];\n", i, i, i*3, i*7, i+11)
		fmt.Fprintf(&b, "function f%d(x) { return t%d[x %% 4] * %d + registry.size; }\n", i, i, i%17+1)
		fmt.Fprintf(&b, "registry.set(\"f%d\", f%d(%d));\n", i, i, i)
	}
	b.WriteString("export function echo(socket, data) { return data; }\n")
	return b.String()
}

// benchModules are the module sizes of BenchmarkCall: generated ones in a
// temp folder, and one that bundles lodash from the repository's
// node_modules.
var benchModules = []struct {
	name   string
	size   int    // 0: the lodash fixture
	export string // the route called; "" is echo
}{
	{"tiny", 1, ""},
	{"1KB", 1_000, ""},
	{"10KB", 10_000, ""},
	{"medium", 100_000, ""},
	{"large", 1_000_000, ""},
	{"lodash", 0, ""},
	{"lodash-chunk", 0, "chunk"},
}

// chunkData is the lodash chunk handler's request: 100 numbers.
var chunkData = func() []byte {
	items := make([]string, 100)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	return []byte(`{"items":[` + strings.Join(items, ",") + `]}`)
}()

// benchRoute returns the event that mod's benchmark calls, its data, and
// the route's module.
func benchRoute(e *Engine, export string) (string, []byte, *bundle.Module) {
	data := []byte(`{"name":"Ada","tags":["a","b"],"n":1}`)
	if export == "" {
		export = "echo"
	} else {
		data = chunkData
	}
	gen := e.gen.Load()
	for _, r := range gen.routes {
		if r.Export == export {
			return r.Event, data, gen.modules[r.module]
		}
	}
	return "", nil, nil
}

// moduleBytes is what BenchmarkCall reports as module-bytes: the whole
// bundle, and in reeval mode the route module's own program as well.
func moduleBytes(b *testing.B, m *bundle.Module, mode Mode) {
	b.ReportMetric(float64(m.Size), "module-bytes")
	if mode == ModeReeval {
		b.ReportMetric(float64(m.OwnSize), "own-bytes")
	}
}

// benchEngine starts an engine serving one module's echo as "m.echo".
func benchEngine(b *testing.B, size int, cfg Config) *Engine {
	b.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if size == 0 {
		dir, err := filepath.Abs("../../testdata/bench/lodash")
		if err != nil {
			b.Fatal(err)
		}
		cfg.Dir = dir
		e, err := New(context.Background(), cfg)
		if err != nil {
			b.Fatalf("%v (run make test or npm ci to install lodash)", err)
		}
		b.Cleanup(e.Close)
		return e
	}
	src := "export function echo(socket, data) { return data; }\n"
	if size > 1 {
		src = generatedModule(size)
	}
	return newEngine(b, map[string]string{"m.js": src}, cfg)
}

func echoEvent(e *Engine) string {
	for _, r := range e.Routes() {
		if r.Export == "echo" {
			return r.Event
		}
	}
	return ""
}

// cpuClock is the CPU time the process has used when a benchmark loop
// started; see report.
type cpuClock time.Duration

// startCPU reads the process's CPU time (user and system, every thread);
// negative where processCPU cannot tell.
func startCPU() cpuClock { return cpuClock(processCPU()) }

// report adds cpu-ns/op: the process's CPU time per iteration since c,
// every goroutine's and the GC's. On a machine shared with other work it
// varies less than ns/op, which also counts the time the benchmark waits
// for a core.
func (c cpuClock) report(b *testing.B) {
	if b.N > 0 && c >= 0 {
		b.ReportMetric(float64(processCPU()-time.Duration(c))/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkCall is the cost of one call of an echo handler through the
// engine (queue, worker, JS, JSON in and out), by eval mode and module size.
// The freshvm series makes a new VM for every call: the strongest isolation.
// module-bytes is the bundled size.
func BenchmarkCall(b *testing.B) {
	for _, mod := range benchModules {
		for _, mode := range []Mode{ModePreload, ModeReeval} {
			b.Run(string(mode)+"/"+mod.name, func(b *testing.B) {
				e := benchEngine(b, mod.size, Config{PoolSize: 1, Mode: mode})
				event, data, m := benchRoute(e, mod.export)
				sock := newSocket("s")
				done := make(chan error, 1)
				req := &Request{Event: event, Data: data, Socket: sock, Done: func(_ Result, err error) { done <- err }}
				ctx := context.Background()
				e.Call(ctx, req) // warm: preload evaluates the module here
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				cpu := startCPU()
				for b.Loop() {
					e.Call(ctx, req)
					if err := <-done; err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b)
				moduleBytes(b, m, mode)
			})
		}
		b.Run("freshvm/"+mod.name, func(b *testing.B) {
			e := benchEngine(b, mod.size, Config{PoolSize: 1})
			gen := e.gen.Load()
			event, data, m := benchRoute(e, mod.export)
			r := gen.routes[event]
			c := &call{req: Request{Event: r.Event, Data: data, Socket: newSocket("s"), Done: func(Result, error) {}}, ctx: context.Background()}
			b.ReportAllocs()
			for b.Loop() {
				w := &worker{e: e, pending: map[*call]struct{}{}}
				w.vm = newVM(e, w)
				w.vm.use(gen)
				val, err := w.invoke(r, c)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.vm.export(val); err != nil {
					b.Fatal(err)
				}
			}
			moduleBytes(b, m, ModePreload)
		})
	}
}

// BenchmarkVMMemory reports the live heap one VM holds, by mode and module
// size, after serving one call: in preload mode the module instance it
// keeps; in reeval mode only the compiled module function. Multiply by
// -pool (and by the number of modules) to size a server.
func BenchmarkVMMemory(b *testing.B) {
	const vms = 8
	for _, mod := range benchModules {
		for _, mode := range []Mode{ModePreload, ModeReeval} {
			b.Run(string(mode)+"/"+mod.name, func(b *testing.B) {
				e := benchEngine(b, mod.size, Config{PoolSize: 1, Mode: mode})
				gen := e.gen.Load()
				r := gen.routes[echoEvent(e)]
				c := &call{req: Request{Event: r.Event, Data: []byte(`1`), Socket: newSocket("s"), Done: func(Result, error) {}}, ctx: context.Background()}
				var perVM, bare float64
				for b.Loop() {
					before := heapAfterGC()
					ws := make([]*worker, vms)
					for i := range ws {
						ws[i] = &worker{e: e, pending: map[*call]struct{}{}}
						ws[i].vm = newVM(e, ws[i])
					}
					mid := heapAfterGC()
					for _, w := range ws {
						w.vm.use(gen)
						if _, err := w.invoke(r, c); err != nil {
							b.Fatal(err)
						}
					}
					after := heapAfterGC()
					bare = float64(int64(mid)-int64(before)) / vms / 1024
					perVM = float64(int64(after)-int64(before)) / vms / 1024
					runtime.KeepAlive(ws)
				}
				b.ReportMetric(bare, "KiB-bare-VM")
				b.ReportMetric(perVM, "KiB-per-VM")
				b.ReportMetric(float64(gen.modules[0].Size), "module-bytes")
			})
		}
	}
}

// BenchmarkCallHost is BenchmarkCall's preload/tiny echo called the way the
// host calls: each call under its own context with a deadline (the call
// timeout), derived from a cancelable server context and canceled when the
// call is done. It includes the cost of making that context.
func BenchmarkCallHost(b *testing.B) {
	data := []byte(`{"name":"Ada","tags":["a","b"],"n":1}`)
	e := benchEngine(b, 1, Config{PoolSize: 1, Mode: ModePreload})
	event := echoEvent(e)
	base, abort := context.WithCancelCause(context.Background())
	defer abort(nil)
	done := make(chan error, 1)
	req := &Request{Event: event, Data: data, Socket: newSocket("s"), Done: func(_ Result, err error) { done <- err }}
	call := func() {
		ctx, cancel := context.WithDeadline(base, time.Now().Add(10*time.Second))
		e.Call(ctx, req)
		err := <-done
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	call() // warm: preload evaluates the module here
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}

// BenchmarkJSON is the fast JSON paths on one VM: parse (a request's data
// into JS) and stringify (a reply into JSON text), for the echo payload of
// BenchmarkCall and for a larger one with floats, non-ASCII text, escapes
// and a longer array.
func BenchmarkJSON(b *testing.B) {
	e := newEngine(b, map[string]string{"m.js": "export function f() {}\n"}, Config{PoolSize: 1})
	v := newVM(e, nil)
	var items []string
	for i := range 150 {
		items = append(items, fmt.Sprintf(`{"id":%d,"price":%d.25,"label":"item %d","ok":%t}`, i, i, i, i%2 == 0))
	}
	docs := []struct{ name, doc string }{
		{"echo", `{"name":"Ada","tags":["a","b"],"n":1}`},
		{"mixed", `{"user":{"name":"Zoë","city":"Zürich","bio":"line1\nline2 \"quoted\""},"scores":[1.5,-0.25,3e-7,12345.678],"items":[` + strings.Join(items, ",") + `]}`},
	}
	for _, d := range docs {
		data := []byte(d.doc)
		b.Run("parse/"+d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.parseJSON(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("stringify/"+d.name, func(b *testing.B) {
			val, err := v.parseJSON(data)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.stringifyJSON(val); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
