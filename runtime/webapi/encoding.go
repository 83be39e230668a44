package webapi

import (
	"github.com/dop251/goja"
)

// encodingNatives are the Go halves of TextEncoder and TextDecoder.
func (w *web) encodingNatives() *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	w.setFuncs(o, map[string]func(goja.FunctionCall) goja.Value{
		// encode(string) -> ArrayBuffer of its UTF-8 (lone surrogates as U+FFFD).
		"encode": func(c goja.FunctionCall) goja.Value {
			s := c.Argument(0).String()
			w.checkSize("TextEncoder.encode", len(s))
			return w.newArrayBuffer([]byte(s))
		},
		// encodeInto(string, Uint8Array) -> [read, written].
		"encodeInto": func(c goja.FunctionCall) goja.Value {
			s := c.Argument(0).String()
			dst, ok := w.bytesOf(c.Argument(1))
			if !ok {
				w.throwType("TextEncoder.encodeInto: destination is not a Uint8Array")
			}
			if len(s) > len(dst) {
				s = s[:min(len(s), len(dst)+4)]
			}
			read, written := encodeIntoCount(s, len(dst))
			copy(dst, s[:written])
			return rt.NewArray(read, written)
		},
		// newDecoder(fatal, ignoreBOM) -> an opaque decoder.
		"newDecoder": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(&utf8Decoder{fatal: c.Argument(0).ToBoolean(), ignoreBOM: c.Argument(1).ToBoolean()})
		},
		// decode(decoder, input, stream) -> string; a TypeError in fatal mode.
		"decode": func(c goja.FunctionCall) goja.Value {
			d, ok := c.Argument(0).Export().(*utf8Decoder)
			if !ok {
				w.throwType("TextDecoder.decode: illegal invocation")
			}
			var b []byte
			if in := c.Argument(1); !goja.IsUndefined(in) {
				b = w.mustBytes("TextDecoder.decode", in)
			}
			w.checkSize("TextDecoder.decode", len(b))
			s, ok := d.decode(b, c.Argument(2).ToBoolean())
			if !ok {
				w.throwType("The encoded data was not valid for encoding utf-8")
			}
			return rt.ToValue(s)
		},
	})
	return o
}
