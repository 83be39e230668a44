package engine

import (
	"testing"
)

// BenchmarkReevalFunction is what ModeReeval adds to a call of the one-line
// echo on the VM's own goroutine: evaluating the route module's own program
// and taking the route's function from its exports (vm.function).
func BenchmarkReevalFunction(b *testing.B) {
	e := newEngine(b, map[string]string{"m.js": "export function echo(socket, data) { return data }\n"}, Config{PoolSize: 1, Mode: ModeReeval})
	v := newVM(e, nil)
	gen := e.gen.Load()
	v.use(gen)
	r := gen.routes["m.echo"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.function(r); err != nil {
			b.Fatal(err)
		}
	}
}
