package engine

import (
	"context"
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkBreakdown splits a call of a one-line echo into its parts, on the
// VM's goroutine (no queue): what reeval pays for a fresh module instance,
// what both modes pay for the call and the JSON in and out.
func BenchmarkBreakdown(b *testing.B) {
	e := newEngine(b, map[string]string{"m.js": "export function echo(socket, data) { return data }\n"}, Config{PoolSize: 1})
	v := newVM(e, nil)
	gen := e.gen.Load()
	v.use(gen)
	r := gen.routes["m.echo"]
	m := gen.modules[r.module]
	wrapper, err := v.wrapper(m)
	if err != nil {
		b.Fatal(err)
	}
	sock := v.rt.NewDynamicObject(&jsSocket{v: v, s: newSocket("s")})
	req := &Request{Event: "m.echo", Data: []byte(`{"name":"Ada"}`)}
	b.Logf("bundled module: %d bytes", m.Size)

	b.Run("instantiate", func(b *testing.B) { // the module body: esbuild's interop helpers + top-level code
		for b.Loop() {
			if _, err := v.evaluate(wrapper, v.bare(m)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compile-wrapper", func(b *testing.B) { // RunProgram of the compiled bundle (done once per VM and generation)
		for b.Loop() {
			if _, err := v.wrapper(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	exports, _ := v.evaluate(wrapper, v.bare(m))
	fn, _ := goja.AssertFunction(exports.Get("echo"))
	b.Run("call", func(b *testing.B) {
		arg := v.rt.ToValue(1)
		for b.Loop() {
			if _, err := fn(goja.Undefined(), sock, arg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json-in", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.arg(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json-out", func(b *testing.B) {
		val, _ := v.arg(req)
		for b.Loop() {
			if _, err := v.export(val); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json-in-out", func(b *testing.B) {
		for b.Loop() {
			val, err := v.arg(req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := v.export(val); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []Mode{ModePreload, ModeReeval} {
		b.Run("full-"+string(mode), func(b *testing.B) {
			ev := newEngine(b, map[string]string{"m.js": "export function echo(socket, data) { return data }\n"}, Config{PoolSize: 1, Mode: mode})
			w := newWorker(ev, 0)
			w.vm.use(ev.gen.Load())
			s := newSocket("s")
			r := ev.gen.Load().routes["m.echo"]
			c := &call{req: Request{Event: "m.echo", Data: []byte(`{"name":"Ada"}`), Socket: s, Done: func(Result, error) {}}, ctx: context.Background()}
			b.ReportAllocs()
			for b.Loop() {
				val, err := w.invoke(r, c)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.vm.export(val); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
