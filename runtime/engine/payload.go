package engine

import (
	"errors"
	"reflect"

	"github.com/dop251/goja"
)

// This file turns JS values into the Payload of a reply or an emit: the
// first value as Data (bytes when it is binary), the others as the JSON
// array Rest, binary values nested anywhere as attachments.

var (
	typeMap = reflect.TypeOf(map[string]any(nil)) // what a plain object, and a DataView, export as
	typeAck = reflect.TypeOf((*ackValue)(nil))
)

// binaryBytes returns the bytes a binary value views: those of a
// Uint8Array, Buffer or other typed array, of a DataView (its viewed
// range), or of an ArrayBuffer. They are the JS value's memory, not a copy.
func (v *vm) binaryBytes(obj *goja.Object) ([]byte, bool) {
	return v.binaryBytesOfType(obj, obj.ExportType())
}

// binaryBytesOfType is binaryBytes for an object whose ExportType is typ.
func (v *vm) binaryBytesOfType(obj *goja.Object, typ reflect.Type) ([]byte, bool) {
	switch {
	case typ == typeBytes: // Uint8Array, Uint8ClampedArray, Buffer
		return obj.Export().([]byte), true
	case typ == typeArrayBuffer:
		return obj.Export().(goja.ArrayBuffer).Bytes(), true
	case typ == typeMap: // a plain object, or a DataView
		if !v.isDataView(obj) {
			return nil, false
		}
	case typ.Kind() == reflect.Slice && isNumberKind(typ.Elem().Kind()): // the other typed arrays
	default:
		return nil, false
	}
	var b []byte
	if err := v.rt.ExportTo(obj, &b); err != nil { // typed arrays and DataViews export their view
		return nil, false
	}
	return b, true
}

// isNumberKind reports whether k is the element kind of a typed array.
func isNumberKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32, reflect.Uint32,
		reflect.Int64, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// isDataView reports whether DataView.prototype is on obj's prototype
// chain. A plain object's prototype, Object.prototype, has none itself: it
// is told apart without looking DataView up (goja makes its built-ins
// lazily, and a fresh VM need not make it).
func (v *vm) isDataView(obj *goja.Object) bool {
	p := obj.Prototype()
	if p == nil || p.Prototype() == nil {
		return false // no prototype, or a root one: Object.prototype, or one made with Object.create(null)
	}
	if v.dataViewProto == nil {
		v.dataViewProto = v.rt.Get("DataView").ToObject(v.rt).Get("prototype").ToObject(v.rt)
	}
	for ; p != nil; p = p.Prototype() {
		if p == v.dataViewProto {
			return true
		}
	}
	return false
}

// exportPayload converts the arguments of a reply or an emit: first into
// Data (its bytes when it is binary itself), rest (when not empty) into
// the JSON array Rest, and binary values nested in either into
// Attachments. The JSON text is the VM's output buffer: valid until its
// next encode (see stringifyJSON).
func (v *vm) exportPayload(first goja.Value, rest []goja.Value) (Payload, error) {
	var p Payload
	if obj, ok := first.(*goja.Object); ok {
		p.Data, p.Binary = v.binaryBytes(obj)
	}
	if p.Binary && len(rest) == 0 {
		return p, nil
	}
	buf := v.takeJSONBuf()
	out, atts := buf, [][]byte(nil)
	var err error
	if !p.Binary {
		if out, atts, err = v.appendJSON(out, first, true, atts); err != nil {
			v.keepJSONBuf(nil, buf)
			return Payload{}, errors.New("value is not JSON-serializable: " + v.exceptionText(err))
		}
		if len(out) > 0 {
			p.Data = out[:len(out):len(out)] // Rest is appended after it
		}
	}
	if len(rest) > 0 {
		items := make([]any, len(rest))
		for i, r := range rest {
			items[i] = r
		}
		start := len(out)
		if out, atts, err = v.appendJSON(out, v.rt.NewArray(items...), true, atts); err != nil {
			v.keepJSONBuf(nil, buf)
			return Payload{}, errors.New("value is not JSON-serializable: " + v.exceptionText(err))
		}
		p.Rest = out[start:]
	}
	p.Attachments = atts
	v.keepJSONBuf(out, buf)
	return p, nil
}

// ackValue is what ack(a, b, ...) of the module "eventhost" returns: a
// reply with several arguments.
type ackValue struct {
	args []goja.Value
}

func (a *ackValue) Get(string) goja.Value       { return nil }
func (a *ackValue) Set(string, goja.Value) bool { return false }
func (a *ackValue) Has(string) bool             { return false }
func (a *ackValue) Delete(string) bool          { return false }
func (a *ackValue) Keys() []string              { return nil }
func (v *vm) ack(call goja.FunctionCall) goja.Value {
	return v.rt.NewDynamicObject(&ackValue{args: append([]goja.Value(nil), call.Arguments...)})
}

// exportResult converts what a handler returned (or its promise resolved
// to) into its reply: ack(a, b, ...) gives Data a and Rest [b, ...]; any
// other value is Data.
func (v *vm) exportResult(val goja.Value) (Result, error) {
	if obj, ok := val.(*goja.Object); ok && obj.ExportType() == typeAck {
		args := obj.Export().(*ackValue).args
		switch len(args) {
		case 0:
			return Result{}, nil
		case 1:
			return v.exportPayload(args[0], nil)
		}
		return v.exportPayload(args[0], args[1:])
	}
	return v.exportPayload(val, nil)
}
