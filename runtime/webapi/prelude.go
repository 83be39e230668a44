package webapi

import (
	"embed"
	"errors"
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// The JS halves of the globals live in js/*.js. Each file is one function
// expression, (function (native) { ...; return {exports} }), compiled once
// per process and shared by every runtime (a goja Program is not tied to a
// runtime); a runtime runs it when it first reads one of the group's names.

//go:embed js/*.js
var preludeFS embed.FS

// prelude is one compiled JS file.
type prelude struct {
	file string
	once sync.Once
	prg  *goja.Program
	err  error
}

var (
	preludeDOMException = &prelude{file: "js/domexception.js"}
	preludeEncoding     = &prelude{file: "js/encoding.js"}
	preludeURL          = &prelude{file: "js/url.js"}
	preludeCrypto       = &prelude{file: "js/crypto.js"}
	preludeClone        = &prelude{file: "js/clone.js"}
	preludeMicrotask    = &prelude{file: "js/microtask.js"}
)

// program compiles p on first use.
func (p *prelude) program() (*goja.Program, error) {
	p.once.Do(func() {
		src, err := preludeFS.ReadFile(p.file)
		if err != nil {
			p.err = fmt.Errorf("webapi: read %s: %w", p.file, err)
			return
		}
		p.prg, p.err = goja.Compile(p.file, string(src), true)
		if p.err != nil {
			p.err = fmt.Errorf("webapi: compile %s: %w", p.file, p.err)
		}
	})
	return p.prg, p.err
}

// runPrelude runs p's function with native and returns its exports. The
// preludes are fixed code: a failure here is a bug, thrown as an error.
func (w *web) runPrelude(p *prelude, native *goja.Object) *goja.Object {
	prg, err := p.program()
	if err != nil {
		panic(w.rt.NewGoError(err))
	}
	fnv, err := w.rt.RunProgram(prg)
	if err != nil {
		rethrowUncatchable(err)
		panic(w.rt.NewGoError(fmt.Errorf("webapi: run %s: %w", p.file, err)))
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		panic(w.rt.NewGoError(fmt.Errorf("webapi: %s is not a function", p.file)))
	}
	out, err := fn(goja.Undefined(), native)
	if err != nil {
		rethrowUncatchable(err)
		panic(w.rt.NewGoError(fmt.Errorf("webapi: set up %s: %w", p.file, err)))
	}
	return out.ToObject(w.rt)
}

// rethrowUncatchable re-panics an interrupt or a stack overflow that
// stopped a prelude, as it is, so that goja unwinds the whole run as it
// would without the native call in between, rather than handing the script
// a JS error it could catch. (goja keeps an interrupt's flag set until the
// outermost run ends, so an interrupt would fire again anyway; a stack
// overflow would not.)
func rethrowUncatchable(err error) {
	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	if errors.As(err, &interrupted) || errors.As(err, &overflow) {
		panic(err)
	}
}

// setFuncs sets each Go function of fns on o, named by its key.
func (w *web) setFuncs(o *goja.Object, fns map[string]func(goja.FunctionCall) goja.Value) {
	for name, fn := range fns {
		f := w.rt.ToValue(fn).(*goja.Object)
		_ = f.DefineDataProperty("name", w.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if err := o.Set(name, f); err != nil {
			panic(w.rt.NewGoError(fmt.Errorf("webapi: set %s: %w", name, err)))
		}
	}
}
