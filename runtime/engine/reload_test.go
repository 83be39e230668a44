package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// moduleOfSize is a module of about size bytes whose top-level code builds
// module-level state, and whose get returns version.
func moduleOfSize(size, version int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "const VERSION = %d;\nconst cache = [];\n", version)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "cache.push({ id: %d, name: \"entry-%d\", values: [%d, %d, %d] });\n", i, i, i, i*2, i*3)
	}
	b.WriteString("export function get() { return VERSION + cache.length * 0; }\n")
	return b.String()
}

// heapAfterGC returns the live heap in bytes.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// reloadAndCall rewrites the module, reloads, and calls it on every VM, so
// that each VM builds its preload instance of the new generation.
func reloadAndCall(t testing.TB, e *Engine, file string, version int) {
	t.Helper()
	if err := os.WriteFile(file, []byte(moduleOfSize(20_000, version)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range e.cfg.PoolSize * 2 {
		if o := runCall(t, e, context.Background(), newSocket("s"), "m.get", ""); o.err != nil || string(o.res.Data) != fmt.Sprint(version) {
			t.Fatalf("after reload %d: %s %v", version, o.res.Data, o.err)
		}
	}
}

// TestReloadHeapIsFlat: in preload mode each reload drops the old
// generation's module instances: the heap after 150 reloads is where it was
// after 50.
func TestReloadHeapIsFlat(t *testing.T) {
	e := newEngine(t, map[string]string{"m.js": moduleOfSize(20_000, 0)}, Config{PoolSize: 2, Mode: ModePreload})
	file := filepath.Join(e.cfg.Dir, "m.js")
	var early uint64
	for v := 1; v <= 150; v++ {
		reloadAndCall(t, e, file, v)
		if v == 50 {
			early = heapAfterGC()
		}
	}
	late := heapAfterGC()
	t.Logf("heap after 50 reloads %.1f MiB, after 150 %.1f MiB", float64(early)/(1<<20), float64(late)/(1<<20))
	if late > early+8<<20 {
		t.Errorf("heap grew from %d to %d bytes over 100 reloads", early, late)
	}
}

// BenchmarkReloadHeap reports the live heap after b.N reloads of a 20 KB
// module in preload mode with 2 VMs (run with -benchtime=1000x).
func BenchmarkReloadHeap(b *testing.B) {
	e := newEngine(b, map[string]string{"m.js": moduleOfSize(20_000, 0)}, Config{PoolSize: 2, Mode: ModePreload})
	file := filepath.Join(e.cfg.Dir, "m.js")
	start := heapAfterGC()
	v := 0
	for b.Loop() {
		v++
		reloadAndCall(b, e, file, v)
	}
	b.ReportMetric(float64(start)/(1<<20), "MiB-heap-start")
	b.ReportMetric(float64(heapAfterGC())/(1<<20), "MiB-heap-end")
}

// TestModuleThatNeverEnds: a module whose top-level code never ends fails
// the build after the module timeout, at start-up and on a reload (where
// the current generation keeps serving), and a reload whose context ends
// stops at once. Found in review: the build's scratch VM was never
// interrupted, so such a module hung start-up, or a reload and every reload
// after it, for good.
func TestModuleThatNeverEnds(t *testing.T) {
	t.Parallel()
	const spin = "for (;;) {}\nexport function f() { return 1 }\n"
	dir := writeScripts(t, map[string]string{"m.js": spin})
	_, err := New(context.Background(), Config{Dir: dir, ModuleTimeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "m.js") || !strings.Contains(err.Error(), "ran longer than 200ms") {
		t.Fatalf("New: %v, want a build error naming m.js and the timeout", err)
	}

	e := newEngine(t, map[string]string{"m.js": "export function f() { return 1 }\n"}, Config{ModuleTimeout: 200 * time.Millisecond})
	if err := os.WriteFile(filepath.Join(e.cfg.Dir, "m.js"), []byte(spin), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "ran longer than 200ms") {
		t.Fatalf("Reload: %v, want a build error", err)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "m.f", ""), "1")

	e.cfg.ModuleTimeout = time.Hour // the reload's context is what ends it now
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.Reload(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Reload with a context that ends: %v", err)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "m.f", ""), "1")
}

// TestPreloadModuleTimers: in preload mode, timers that a module's top-level
// code sets belong to the module, not to the call that happened to make the
// instance: they outlive that call's connection, and stop when a new build
// replaces the module. Found in review: they belonged to the first call.
func TestPreloadModuleTimers(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
setInterval(() => { globalThis.ticks = (globalThis.ticks || 0) + 1 }, 5)
export function ticks() { return globalThis.ticks || 0 }
`}, Config{PoolSize: 1, Mode: ModePreload})
	ticks := func(sock *recordingSocket) int {
		t.Helper()
		o := runCall(t, e, context.Background(), sock, "m.ticks", "")
		n, err := strconv.Atoi(string(o.res.Data))
		if err != nil || o.err != nil {
			t.Fatalf("ticks: %s, %v", o.res.Data, o.err)
		}
		return n
	}
	first := newSocket("first")
	ticks(first) // makes the instance, and its interval
	close(first.done)
	later := newSocket("later")
	before := ticks(later)
	for deadline := time.Now().Add(5 * time.Second); ticks(later) <= before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the interval stopped with the first caller's connection: still %d ticks", before)
		}
	}

	if err := os.WriteFile(filepath.Join(e.cfg.Dir, "m.js"), []byte("export function ticks() { return globalThis.ticks || 0 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the old interval is dropped at its next tick
	before = ticks(later)
	time.Sleep(100 * time.Millisecond)
	if after := ticks(later); after != before {
		t.Fatalf("the old generation's interval still runs: %d, then %d", before, after)
	}
}

// TestExportLookAlikes: a module builds and serves when it exports a
// non-ASCII name (not a route, but not an error either), and when a
// template literal holds a line that looks like an export clause. Found in
// review: the first failed the build (esbuild escaped the name), the
// second did too (two clauses seen).
func TestExportLookAlikes(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{
		"a.js": "export function f() { return 1 }\nexport const café = 2\n",
		"b.js": "export function g() { return `\\nexport { g };\\n` }\n",
		"c.js": "export const text = `\\nexport { x };\\n`\nexport function h() { return text.length }\n",
	}, Config{PoolSize: 1})
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "a.f", ""), "1")
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "b.g", ""), `"\nexport { g };\n"`)
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "c.h", ""), "15")
}

// TestExportedClassIsNoRoute: only exported functions are routes; a class,
// callable only with new, is not. Found in review: it became a route whose
// calls all failed.
func TestExportedClassIsNoRoute(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": "export class C {}\nexport function f() { return 1 }\n"}, Config{PoolSize: 1})
	var events []string
	for _, r := range e.Routes() {
		events = append(events, r.Event)
	}
	if len(events) != 1 || events[0] != "m.f" {
		t.Fatalf("routes %v, want [m.f]", events)
	}
}

// TestModuleThrowPosition: a build error for a module whose top-level code
// throws names file:line:column of the throw, through the source map, in a
// file the module imports too, and says what was thrown. Found in review:
// it named the file only, with goja's stack text.
func TestModuleThrowPosition(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{
		"api/a.js":   "const x = 1\nthrow new Error(\"boom\")\nexport function f() {}\n",
		"api/b.ts":   "import { h } from './lib'\nconst y: number = h()\nexport function g() { return y }\n",
		"api/lib.ts": "export function h(): number {\n  throw new TypeError(\"bad\")\n}\n",
	})
	_, err := New(context.Background(), Config{Dir: dir})
	for _, want := range []string{
		filepath.Join(dir, "api/a.js") + ":2:7: evaluating the module failed: Error: boom",
		filepath.Join(dir, "api/lib.ts") + ":2:9: evaluating " + filepath.Join(dir, "api/b.ts") + " failed: TypeError: bad",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: %v\nwant a line %q", err, want)
		}
	}
}

// TestCommonJSRouteModules: a route module written as CommonJS serves the
// functions of its module.exports, as Node gives them to an importer.
// Found in review: the build failed with "Unexpected reserved word" and no
// position.
func TestCommonJSRouteModules(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{
		"a.js": "exports.f = function () { return 1 }\n",
		"b.js": "module.exports = { g() { return 2 } }\n",
	}, Config{PoolSize: 1})
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "a.f", ""), "1")
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "b.g", ""), "2")
}

// TestReloadWithoutChange: a reload whose build outputs what the current
// generation serves keeps it, and the module state its VMs hold (preload);
// an edit then makes a new one. Found in review: every reload made a new
// generation, so a save without an edit reset every module's state.
func TestReloadWithoutChange(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": "let n = 0\nexport function inc() { return ++n }\n"}, Config{PoolSize: 1, Mode: ModePreload})
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "m.inc", ""), "1")
	p := filepath.Join(e.cfg.Dir, "m.js")
	src, _ := os.ReadFile(p)
	if err := os.WriteFile(p, src, 0o644); err != nil { // saved as it was
		t.Fatal(err)
	}
	res, err := e.Reload(context.Background())
	if err != nil || !res.Unchanged || res.Generation.ID != 1 {
		t.Fatalf("Reload after a save without an edit: %+v, %v", res, err)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "m.inc", ""), "2")

	if err := os.WriteFile(p, []byte(strings.Replace(string(src), "++n", "n += 10", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := e.Reload(context.Background()); err != nil || res.Unchanged || res.Generation.ID != 2 {
		t.Fatalf("Reload after an edit: %+v, %v", res, err)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "m.inc", ""), "10")
}

// TestRouteDetectionEdges: a function whose name starts with "class" is a
// route, a class with its own toString is not, a CommonJS module whose
// module.exports is a function serves it as its default export, and an
// export-clause look-alike in a module's last template literal is left
// alone. Found in review of the first versions of these rules.
func TestRouteDetectionEdges(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{
		"cjs.js": "module.exports = { className(s) { return 1 } }\n",
		"c.js":   "export class C { static toString() { return 'C' } }\nexport function f() { return 2 }\n",
		"fn.js":  "module.exports = function (socket, data) { return 3 }\n",
		"doc.js": "export function g() { return 4 }\nconsole.log(`\nexport { a-b };\n//`)\n",
	}, Config{PoolSize: 1})
	var events []string
	for _, r := range e.Routes() {
		events = append(events, r.Event)
	}
	if want := []string{"c.f", "cjs.className", "doc.g", "fn"}; !slices.Equal(events, want) {
		t.Fatalf("routes %v, want %v", events, want)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "cjs.className", ""), "1")
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "fn", ""), "3")
}

// TestDisconnectHookAwaitsTimer: a disconnect hook may await a timer: its
// socket has always ended, which must not drop the hook's timers (as it
// drops a call's). Found in review: such a hook only ended at its timeout,
// and held shutdown that long.
func TestDisconnectHookAwaitsTimer(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{
		"_connection.js": "export async function disconnect(socket, reason) { await new Promise(r => setTimeout(r, 10)); globalThis.said = reason }\n",
		"m.js":           "export function said() { return globalThis.said ?? null }\n",
	}, Config{PoolSize: 1, HookTimeout: time.Minute})
	sock := newSocket("gone")
	close(sock.done)
	e.Disconnect(sock, "client closed")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.WaitHooks(ctx); err != nil {
		t.Fatalf("the hook did not finish: %v", err)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("s"), "m.said", ""), `"client closed"`)
}
