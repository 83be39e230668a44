package webapi

import (
	"reflect"

	"github.com/dop251/goja"
)

// This file reads BufferSource arguments (ArrayBuffer, any typed array,
// DataView) as the byte slices that back them, without copying.

var (
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	// typedArrayTypes are the types goja exports typed arrays as.
	typedArrayTypes = map[reflect.Type]bool{
		reflect.TypeOf([]int8(nil)): true, reflect.TypeOf([]uint8(nil)): true,
		reflect.TypeOf([]int16(nil)): true, reflect.TypeOf([]uint16(nil)): true,
		reflect.TypeOf([]int32(nil)): true, reflect.TypeOf([]uint32(nil)): true,
		reflect.TypeOf([]float32(nil)): true, reflect.TypeOf([]float64(nil)): true,
		reflect.TypeOf([]int64(nil)): true, reflect.TypeOf([]uint64(nil)): true,
	}
	// integerArrayTypes are those of the integer typed arrays, which
	// crypto.getRandomValues accepts.
	integerArrayTypes = map[reflect.Type]bool{
		reflect.TypeOf([]int8(nil)): true, reflect.TypeOf([]uint8(nil)): true,
		reflect.TypeOf([]int16(nil)): true, reflect.TypeOf([]uint16(nil)): true,
		reflect.TypeOf([]int32(nil)): true, reflect.TypeOf([]uint32(nil)): true,
		reflect.TypeOf([]int64(nil)): true, reflect.TypeOf([]uint64(nil)): true,
	}
)

// viewKind tells what kind of buffer a value is.
type viewKind int

const (
	notBuffer viewKind = iota
	kindArrayBuffer
	kindTypedArray
	kindDataView
)

// kindOf classifies v without exporting it (Export of a plain object would
// walk all its properties).
func (w *web) kindOf(v goja.Value) (viewKind, *goja.Object) {
	o, ok := v.(*goja.Object)
	if !ok {
		return notBuffer, nil
	}
	t := o.ExportType()
	switch {
	case t == typeArrayBuffer:
		return kindArrayBuffer, o
	case typedArrayTypes[t]:
		if w.isViewCall(o) {
			return kindTypedArray, o
		}
	case o.ClassName() == "Object" && w.isViewCall(o):
		return kindDataView, o
	}
	return notBuffer, o
}

func (w *web) isViewCall(o *goja.Object) bool {
	if w.isView == nil {
		ab := w.rt.Get("ArrayBuffer").ToObject(w.rt)
		w.isView, _ = goja.AssertFunction(ab.Get("isView"))
		if w.isView == nil {
			w.throwType("webapi: ArrayBuffer.isView is not a function")
		}
	}
	r, err := w.isView(goja.Undefined(), o)
	return err == nil && r.ToBoolean()
}

// bytesOf returns the bytes behind a BufferSource, shared with it, and
// false when v is not one.
func (w *web) bytesOf(v goja.Value) ([]byte, bool) {
	k, o := w.kindOf(v)
	switch k {
	case kindArrayBuffer:
		return o.Export().(goja.ArrayBuffer).Bytes(), true
	case kindTypedArray, kindDataView:
		var b []byte
		if err := w.rt.ExportTo(o, &b); err != nil {
			return nil, false
		}
		return b, true
	}
	return nil, false
}

// mustBytes is bytesOf that throws a TypeError naming op.
func (w *web) mustBytes(op string, v goja.Value) []byte {
	b, ok := w.bytesOf(v)
	if !ok {
		w.throwType("%s: argument is not an ArrayBuffer, a typed array or a DataView", op)
	}
	return b
}

// newArrayBuffer returns a new ArrayBuffer that owns b.
func (w *web) newArrayBuffer(b []byte) goja.Value {
	return w.rt.ToValue(w.rt.NewArrayBuffer(b))
}
