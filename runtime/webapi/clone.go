package webapi

import (
	"math/big"
	"reflect"

	"github.com/dop251/goja"
)

var (
	typeProxy  = reflect.TypeOf(goja.Proxy{})
	typeBigInt = reflect.TypeOf((*big.Int)(nil))
)

// cloneNatives are the Go halves of structuredClone.
func (w *web) cloneNatives() *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	_ = o.Set("DOMException", w.group(gDOMException).Get("DOMException"))
	w.setFuncs(o, map[string]func(goja.FunctionCall) goja.Value{
		// kind(object) -> the internal kind structuredClone branches on.
		"kind": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(w.cloneKind(c.Argument(0)))
		},
	})
	return o
}

// cloneKind names what sort of object v is, from its internal slots (the
// goja class and export type), which scripts cannot fake: "Proxy",
// "ArrayBuffer", "TypedArray", "DataView", "BigInt" (a wrapper), goja's
// class name ("Array", "Date", "RegExp", "Map", "Set", "Error", "Boolean",
// "Number", "String", "Function", "Promise", ...) or "Object".
func (w *web) cloneKind(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return "primitive"
	}
	switch t := o.ExportType(); t {
	case typeProxy:
		return "Proxy"
	case typeBigInt:
		return "BigInt"
	}
	switch k, _ := w.kindOf(o); k {
	case kindArrayBuffer:
		return "ArrayBuffer"
	case kindTypedArray:
		return "TypedArray"
	case kindDataView:
		return "DataView"
	}
	return o.ClassName()
}
