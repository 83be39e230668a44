package engine

import (
	"context"
	"testing"
)

// BenchmarkInvoke is what the VM does for one call of BenchmarkCall's
// tiny and lodash modules on the worker's own goroutine, without the queue
// and the hand-over to the worker: get the route's function (in reeval mode
// evaluate the module), call it, export its result. Its preload/reeval
// ratio is the eval mode's own cost, free of the scheduling noise that
// dominates BenchmarkCall's spread on a busy machine.
func BenchmarkInvoke(b *testing.B) {
	for _, mod := range benchModules {
		if mod.name != "tiny" && mod.name != "lodash" {
			continue
		}
		for _, mode := range []Mode{ModePreload, ModeReeval} {
			b.Run(string(mode)+"/"+mod.name, func(b *testing.B) {
				e := benchEngine(b, mod.size, Config{PoolSize: 1, Mode: mode})
				gen := e.gen.Load()
				event, data, _ := benchRoute(e, mod.export)
				r := gen.routes[event]
				c := &call{req: Request{Event: r.Event, Data: data, Socket: newSocket("s"), Done: func(Result, error) {}}, ctx: context.Background()}
				w := &worker{e: e, pending: map[*call]struct{}{}}
				w.vm = newVM(e, w)
				w.vm.use(gen)
				b.ReportAllocs()
				cpu := startCPU()
				for b.Loop() {
					val, err := w.invoke(r, c)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := w.vm.export(val); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b)
			})
		}
	}
}
