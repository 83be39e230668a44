package webapi

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

func TestQueueMicrotask(t *testing.T) {
	runCases(t, []jsCase{
		{"order with promises", `const l = []; Promise.resolve().then(() => l.push("p1")); queueMicrotask(() => l.push("m1")); Promise.resolve().then(() => l.push("p2")); l.push("sync"); l`, "sync,p1,m1,p2"},
		{"nested", `const l = []; queueMicrotask(() => { l.push("a"); queueMicrotask(() => l.push("c")); }); queueMicrotask(() => l.push("b")); l`, "a,b,c"},
		{"no arguments, undefined this (globalThis when sloppy)", `const r = []; queueMicrotask(function (...a) { r.push(a.length, this === globalThis); }); r`, "0,true"},
		{"throwing does not stop others", `const l = []; queueMicrotask(() => { throw new Error("x"); }); queueMicrotask(() => l.push("after")); l`, "after"},
		{"not a function", `try { queueMicrotask(1); "no" } catch (e) { e instanceof TypeError }`, true},
	})
}

// TestQueueMicrotaskThrowReported checks that an exception from a callback
// reaches the runtime's promise rejection tracker, where an engine logs it.
func TestQueueMicrotaskThrowReported(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	var reported []string
	rt.SetPromiseRejectionTracker(func(p *goja.Promise, op goja.PromiseRejectionOperation) {
		if op == goja.PromiseRejectionReject {
			reported = append(reported, p.Result().String())
		}
	})
	if _, err := rt.RunString(`queueMicrotask(() => { throw new Error("boom"); })`); err != nil {
		t.Fatal(err)
	}
	if len(reported) != 1 || reported[0] != "Error: boom" {
		t.Fatalf("reported %q", reported)
	}
}

func TestPerformance(t *testing.T) {
	t.Parallel()
	before := float64(time.Now().UnixNano()) / 1e6
	rt := newRuntime(t)
	after := float64(time.Now().UnixNano()) / 1e6
	v, err := rt.RunString(`
		let last = performance.now(), monotonic = last >= 0, fractional = false;
		for (let i = 0; i < 2000; i++) {
			const t = performance.now();
			if (t < last) monotonic = false;
			if (t !== Math.floor(t)) fractional = true;
			last = t;
		}
		[monotonic, fractional, performance.timeOrigin, JSON.stringify(performance.toJSON()) === JSON.stringify({timeOrigin: performance.timeOrigin})]`)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Export().([]any)
	if got[0] != true || got[1] != true || got[3] != true {
		t.Fatalf("monotonic, fractional, _, toJSON = %v", got)
	}
	origin := v.ToObject(rt).Get("2").ToFloat()
	if origin < before-1 || origin > after+1 {
		t.Fatalf("timeOrigin %f not within Install [%f, %f]", origin, before, after)
	}
}

func TestInstallLazy(t *testing.T) {
	runCases(t, []jsCase{
		{"accessor before use", `typeof Object.getOwnPropertyDescriptor(globalThis, "URL").get`, "function"},
		{"data after use", `URL; const d = Object.getOwnPropertyDescriptor(globalThis, "URL"); [typeof d.value, d.writable, d.enumerable, d.configurable].join()`, "function,true,false,true"},
		{"group built once", `const E = TextEncoder; Object.getOwnPropertyDescriptor(globalThis, "TextDecoder").get !== undefined && TextDecoder !== undefined && TextEncoder === E`, true},
		{"delete before use", `delete globalThis.TextDecoder; TextEncoder; typeof globalThis.TextDecoder`, "undefined"},
		{"enumerable functions", `atob; crypto; structuredClone; [Object.getOwnPropertyDescriptor(globalThis, "atob").enumerable, Object.getOwnPropertyDescriptor(globalThis, "crypto").enumerable, Object.getOwnPropertyDescriptor(globalThis, "structuredClone").enumerable].join()`, "true,true,true"},
		{"assign before use", `URL = 5; URL`, int64(5)},
		{"assign after use", `URL; URL = 6; URL`, int64(6)},
		{"delete", `delete globalThis.URL; typeof URL`, "undefined"},
		{"typeof all", `["DOMException", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "atob", "btoa", "crypto", "CryptoKey", "SubtleCrypto", "Crypto", "structuredClone", "queueMicrotask", "performance"].map((n) => typeof globalThis[n]).join()`, "function,function,function,function,function,function,function,object,function,function,function,function,function,object"},
		{"DOMException", `const e = new DOMException("m", "AbortError"); [e instanceof Error, e.name, e.message, e.code, String(e), new DOMException().name].join()`, "true,AbortError,m,20,AbortError: m,Error"},
	})
}

func TestInstallErrors(t *testing.T) {
	t.Parallel()
	if err := Install(nil); !errors.Is(err, ErrNilRuntime) {
		t.Fatalf("Install(nil) = %v", err)
	}
	rt := newRuntime(t)
	if err := Install(rt); !errors.Is(err, ErrDefined) {
		t.Fatalf("second Install = %v", err)
	}
}

// TestRuntimesInParallel runs every group in many runtimes at once: the
// compiled preludes are shared, nothing else is (run under -race).
func TestRuntimesInParallel(t *testing.T) {
	t.Parallel()
	const src = `
		const u = new URL("https://a.com/?x=1"); u.searchParams.append("y", "2");
		const s = new TextDecoder().decode(new TextEncoder().encode(u.href));
		const c = structuredClone({s, m: new Map([[1, 2]])});
		let h; crypto.subtle.digest("SHA-256", new TextEncoder().encode(c.s)).then((d) => { h = new Uint8Array(d)[0]; });
		queueMicrotask(() => {});
		[atob(btoa(s)), typeof performance.now(), crypto.randomUUID().length];`
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				rt := goja.New()
				if err := Install(rt); err != nil {
					errs <- err
					return
				}
				v, err := rt.RunString(src)
				if err != nil {
					errs <- err
					return
				}
				if got := v.String(); got != "https://a.com/?x=1&y=2,number,36" {
					errs <- errors.New("got " + got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// BenchmarkNewRuntime is the baseline for BenchmarkInstall: goja.New alone.
func BenchmarkNewRuntime(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = goja.New()
	}
}

// BenchmarkInstall measures goja.New and Install: Install's own cost is
// the difference with BenchmarkNewRuntime.
func BenchmarkInstall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := Install(goja.New()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstUse measures goja.New, Install and the first read of one
// global (which builds its group): the group's cost is the difference with
// BenchmarkInstall.
func BenchmarkFirstUse(b *testing.B) {
	for _, name := range []string{"DOMException", "TextEncoder", "URL", "atob", "crypto", "structuredClone", "queueMicrotask", "performance"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rt := goja.New()
				if err := Install(rt); err != nil {
					b.Fatal(err)
				}
				rt.GlobalObject().Get(name)
			}
		})
	}
}

// BenchmarkCalls measures one call of each global on small inputs, in a
// runtime where the groups are already built.
func BenchmarkCalls(b *testing.B) {
	for _, bc := range []struct{ name, src string }{
		{"URL", `new URL("https://user@example.com:8443/a/b/../c?q=1&r=2#h").href`},
		{"URLSearchParams", `new URL("https://a.com/?q=1&r=2").searchParams.get("q")`},
		{"TextEncoder.encode", `enc.encode("hello, world")`},
		{"TextDecoder.decode", `dec.decode(bytes)`},
		{"btoa+atob", `atob(btoa("hello, world"))`},
		{"digest SHA-256", `crypto.subtle.digest("SHA-256", bytes)`},
		{"randomUUID", `crypto.randomUUID()`},
		{"structuredClone", `structuredClone({a: 1, b: [1, 2, 3], c: {d: "e"}})`},
		{"JSON round trip (baseline)", `JSON.parse(JSON.stringify({a: 1, b: [1, 2, 3], c: {d: "e"}}))`},
		{"performance.now", `performance.now()`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := goja.New()
			if err := Install(rt); err != nil {
				b.Fatal(err)
			}
			if _, err := rt.RunString(`var enc = new TextEncoder(), dec = new TextDecoder(), bytes = enc.encode("hello, world");`); err != nil {
				b.Fatal(err)
			}
			fnv, err := rt.RunString(`(function () { return ` + bc.src + `; })`)
			if err != nil {
				b.Fatal(err)
			}
			fn, _ := goja.AssertFunction(fnv)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fn(goja.Undefined()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestInterruptDuringBuild checks that an interrupt landing while a group
// is built stops the script (it is not turned into a catchable error), and
// that the group builds on the next run.
func TestInterruptDuringBuild(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	// The clone prelude reads the global Map while it builds: a getter
	// there arms the interrupt, which fires inside the prelude.
	if err := rt.Set("arm", func() { rt.Interrupt("stop") }); err != nil {
		t.Fatal(err)
	}
	_, err := rt.RunString(`const M = Map; let armed = false;
		Object.defineProperty(globalThis, "Map", {configurable: true, get() { if (!armed) { armed = true; arm(); } return M; }});
		try { structuredClone; "caught nothing" } catch (e) { "caught " + e }`)
	var interrupted *goja.InterruptedError
	if !errors.As(err, &interrupted) {
		t.Fatalf("err = %v, want an InterruptedError", err)
	}
	rt.ClearInterrupt()
	v, err := rt.RunString(`structuredClone(new Map([[1, 2]])).get(1)`)
	if err != nil || v.ToInteger() != 2 {
		t.Fatalf("after the interrupt: %v, %v", v, err)
	}
}
