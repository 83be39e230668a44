package webapi

import (
	"time"

	"github.com/dop251/goja"
)

// performanceExports builds the performance object: now() counts
// milliseconds (with nanosecond resolution, on the monotonic clock) since
// Install, and timeOrigin is Install's wall-clock time in Unix milliseconds.
func (w *web) performanceExports() *goja.Object {
	rt := w.rt
	p := rt.NewObject()
	origin := float64(w.start.UnixNano()) / 1e6
	w.setFuncs(p, map[string]func(goja.FunctionCall) goja.Value{
		"now": func(goja.FunctionCall) goja.Value {
			return rt.ToValue(float64(time.Since(w.start).Nanoseconds()) / 1e6)
		},
		"toJSON": func(goja.FunctionCall) goja.Value {
			o := rt.NewObject()
			_ = o.Set("timeOrigin", origin)
			return o
		},
	})
	_ = p.DefineDataProperty("timeOrigin", rt.ToValue(origin), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	out := rt.NewObject()
	_ = out.Set("performance", p)
	return out
}
