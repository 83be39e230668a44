package webapi

import (
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// group is a set of globals built together on first use.
type group int

const (
	gDOMException group = iota
	gEncoding
	gURL
	gBase64
	gCrypto
	gClone
	gMicrotask
	gPerformance
	nGroups
)

// global is one name Install defines.
type global struct {
	name       string
	group      group
	enumerable bool // operations and namespaces are; interface objects (constructors) are not
}

// globals lists every name Install defines, as browsers and Node define
// them: constructors non-enumerable, functions and namespaces enumerable.
var globals = []global{
	{"DOMException", gDOMException, false},
	{"TextEncoder", gEncoding, false},
	{"TextDecoder", gEncoding, false},
	{"URL", gURL, false},
	{"URLSearchParams", gURL, false},
	{"atob", gBase64, true},
	{"btoa", gBase64, true},
	{"crypto", gCrypto, true},
	{"CryptoKey", gCrypto, false},
	{"SubtleCrypto", gCrypto, false},
	{"Crypto", gCrypto, false},
	{"structuredClone", gClone, true},
	{"queueMicrotask", gMicrotask, true},
	{"performance", gPerformance, true},
}

// web is the per-runtime state behind the globals.
type web struct {
	rt     *goja.Runtime
	start  time.Time
	built  [nGroups]*goja.Object // each group's exports, once built
	isView goja.Callable         // ArrayBuffer.isView, read when first needed
}

// Install defines the web-standard globals on rt's global object:
// DOMException, TextEncoder, TextDecoder, URL, URLSearchParams, atob, btoa,
// crypto (with Crypto, SubtleCrypto and CryptoKey), structuredClone,
// queueMicrotask and performance.
//
// Each global starts as a configurable accessor. Its first read builds the
// group it belongs to (TextEncoder and TextDecoder are one group, URL and
// URLSearchParams another, crypto and its classes a third), once per
// runtime, and turns that global into a writable, configurable data
// property; an assignment turns it into a data property holding what was
// assigned, and delete removes it. A runtime so pays only for what its
// scripts use. Until it is first read, a global's property descriptor shows
// the accessor. performance.now() counts from the Install call.
//
// Install must run on the goroutine that owns rt, before scripts run; it
// fails if rt already has one of these names.
func Install(rt *goja.Runtime) error {
	if rt == nil {
		return ErrNilRuntime
	}
	g := rt.GlobalObject()
	for _, gl := range globals {
		if g.Get(gl.name) != nil {
			return fmt.Errorf("webapi: install %s: %w", gl.name, ErrDefined)
		}
	}
	w := &web{rt: rt, start: time.Now()}
	for i, gl := range globals {
		if err := w.defineLazy(g, i, gl); err != nil {
			return fmt.Errorf("webapi: install %s: %w", gl.name, err)
		}
	}
	return nil
}

// defineLazy defines gl as an accessor that turns itself into a data
// property: the getter builds gl's group, the setter stores what is set.
func (w *web) defineLazy(g *goja.Object, i int, gl global) error {
	rt := w.rt
	enum := flag(gl.enumerable)
	get := rt.ToValue(func(goja.FunctionCall) goja.Value {
		v := w.group(gl.group).Get(gl.name)
		w.settle(i, v)
		return v
	})
	set := rt.ToValue(func(c goja.FunctionCall) goja.Value {
		w.settle(i, c.Argument(0))
		return goja.Undefined()
	})
	return g.DefineAccessorProperty(gl.name, get, set, goja.FLAG_TRUE, enum)
}

// settle replaces globals[i]'s accessor with a data property holding v.
func (w *web) settle(i int, v goja.Value) {
	gl := globals[i]
	err := w.rt.GlobalObject().DefineDataProperty(gl.name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, flag(gl.enumerable))
	if err != nil {
		panic(w.rt.NewTypeError(fmt.Sprintf("webapi: define %s: %v", gl.name, err)))
	}
}

func flag(b bool) goja.Flag {
	if b {
		return goja.FLAG_TRUE
	}
	return goja.FLAG_FALSE
}

// group returns g's exports, building them on first use. Building runs
// the group's prelude, which reads the built-ins it relies on once, at
// that point.
func (w *web) group(g group) *goja.Object {
	if o := w.built[g]; o != nil {
		return o
	}
	var o *goja.Object
	switch g {
	case gDOMException:
		o = w.runPrelude(preludeDOMException, w.rt.NewObject())
	case gEncoding:
		o = w.runPrelude(preludeEncoding, w.encodingNatives())
	case gURL:
		o = w.runPrelude(preludeURL, w.urlNatives())
	case gBase64:
		o = w.base64Exports()
	case gCrypto:
		o = w.runPrelude(preludeCrypto, w.cryptoNatives())
	case gClone:
		o = w.runPrelude(preludeClone, w.cloneNatives())
	case gMicrotask:
		o = w.runPrelude(preludeMicrotask, w.rt.NewObject())
	case gPerformance:
		o = w.performanceExports()
	default:
		panic(fmt.Sprintf("webapi: unknown group %d", g))
	}
	w.built[g] = o
	return o
}

// lazyDOMException defines o.DOMException as an accessor that builds the
// DOMException group when a prelude first throws one.
func (w *web) lazyDOMException(o *goja.Object) {
	get := w.rt.ToValue(func(goja.FunctionCall) goja.Value {
		return w.group(gDOMException).Get("DOMException")
	})
	if err := o.DefineAccessorProperty("DOMException", get, nil, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		panic(w.rt.NewGoError(fmt.Errorf("webapi: define DOMException: %w", err)))
	}
}

// domException returns a new DOMException with message and name.
func (w *web) domException(message, name string) *goja.Object {
	ctor := w.group(gDOMException).Get("DOMException")
	o, err := w.rt.New(ctor, w.rt.ToValue(message), w.rt.ToValue(name))
	if err != nil {
		panic(err)
	}
	return o
}

// throwDOM throws a DOMException from a native function.
func (w *web) throwDOM(message, name string) {
	panic(w.domException(message, name))
}

// throwType throws a TypeError from a native function.
func (w *web) throwType(format string, args ...any) {
	panic(w.rt.NewTypeError(fmt.Sprintf(format, args...)))
}

// checkSize throws a RangeError when n bytes exceed MaxInputBytes.
func (w *web) checkSize(op string, n int) {
	if n > MaxInputBytes {
		ctor := w.rt.Get("RangeError")
		o, err := w.rt.New(ctor, w.rt.ToValue(fmt.Sprintf("%s: %d bytes is more than the limit of %d", op, n, MaxInputBytes)))
		if err != nil {
			panic(err)
		}
		panic(o)
	}
}

// toString is WebIDL's DOMString conversion: JS ToString, and a TypeError
// for a symbol (which goja would describe instead).
func (w *web) toString(op string, v goja.Value) goja.Value {
	if _, ok := v.(*goja.Symbol); ok {
		w.throwType("%s: cannot convert a Symbol value to a string", op)
	}
	return v.ToString()
}
