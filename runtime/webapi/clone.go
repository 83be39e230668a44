package webapi

import (
	"math/big"
	"reflect"

	"github.com/dop251/goja"
)

var (
	typeProxy   = reflect.TypeOf(goja.Proxy{})
	typeBigInt  = reflect.TypeOf((*big.Int)(nil))
	typePromise = reflect.TypeOf((*goja.Promise)(nil))
	typeMap     = reflect.TypeOf([][2]any(nil)) // what goja exports a Map as
	typeSet     = reflect.TypeOf([]any(nil))    // and a Set (and an Array)
)

// cloneNatives are the Go halves of structuredClone.
func (w *web) cloneNatives() *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	w.lazyDOMException(o)
	w.setFuncs(o, map[string]func(goja.FunctionCall) goja.Value{
		// share(arrayBuffer) -> a new ArrayBuffer over the same bytes.
		"share": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(rt.NewArrayBuffer(w.arrayBuffer(c.Argument(0)).Bytes()))
		},
		// detach(arrayBuffer) detaches it (its bytes now belong to the share).
		"detach": func(c goja.FunctionCall) goja.Value {
			w.arrayBuffer(c.Argument(0)).Detach()
			return goja.Undefined()
		},
		// detached(arrayBuffer) -> whether it is detached.
		"detached": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(w.arrayBuffer(c.Argument(0)).Detached())
		},
		// kind(object) -> the internal kind structuredClone branches on.
		"kind": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(w.cloneKind(c.Argument(0)))
		},
	})
	return o
}

// cloneKind names what sort of object v is, from its internal slots (goja's
// class name and export type), which scripts cannot fake: "Proxy", goja's
// class when it has one ("Array", "Date", "RegExp", "Error", "Boolean",
// "Number", "String", "Function", ...), "BigInt" (a wrapper), "Promise",
// "Map", "Set", "ArrayBuffer", "TypedArray", "DataView", or "Object" (which
// includes WeakMap, WeakSet and Symbol wrappers: js/clone.js tells those by
// their toStringTag).
func (w *web) cloneKind(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return "primitive"
	}
	t := o.ExportType()
	if t == typeProxy {
		return "Proxy"
	}
	if c := o.ClassName(); c != "Object" {
		return c
	}
	switch t {
	case typeBigInt:
		return "BigInt"
	case typePromise:
		return "Promise"
	case typeMap:
		return "Map"
	case typeSet:
		return "Set"
	}
	switch k, _ := w.kindOf(o); k {
	case kindArrayBuffer:
		return "ArrayBuffer"
	case kindTypedArray:
		return "TypedArray"
	case kindDataView:
		return "DataView"
	}
	return "Object"
}

// arrayBuffer returns v as an ArrayBuffer, or throws a TypeError.
func (w *web) arrayBuffer(v goja.Value) goja.ArrayBuffer {
	if o, ok := v.(*goja.Object); ok && o.ExportType() == typeArrayBuffer {
		return o.Export().(goja.ArrayBuffer)
	}
	w.throwType("not an ArrayBuffer")
	return goja.ArrayBuffer{}
}
