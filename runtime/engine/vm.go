package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"regexp"
	"time"

	"github.com/dop251/goja"

	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/console"
	"github.com/dop251/goja_nodejs/require"
	"github.com/eventhost/eventhost/runtime/fetch"
	"github.com/eventhost/eventhost/runtime/webapi"

	"github.com/eventhost/eventhost/runtime/bundle"
)

var (
	typeBytes       = reflect.TypeOf([]byte(nil))
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typePromise     = reflect.TypeOf((*goja.Promise)(nil))
	typeSocket      = reflect.TypeOf((*jsSocket)(nil))
	typeTarget      = reflect.TypeOf((*emitTarget)(nil))
)

// errorCodePattern is what a thrown value's code must look like to reach the
// client instead of handler_error.
var errorCodePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// prelude completes goja's built-ins with what esbuild's lowered code
// expects: the well-known symbols that "using" declarations look up.
var prelude = goja.MustCompile("prelude.js", `
Symbol.dispose = Symbol.dispose || Symbol.for("Symbol.dispose");
Symbol.asyncDispose = Symbol.asyncDispose || Symbol.for("Symbol.asyncDispose");
`, true)

// nativeModuleNames lists the modules the runtime serves from Go; esbuild
// leaves their imports to the require function the module wrapper gets.
func nativeModuleNames() []string { return []string{"eventhost"} }

// vm is one goja runtime with the host API installed, and what it caches of
// the current generation. It belongs to one goroutine: its worker's (or, for
// the scratch VM of a build, the builder's).
type vm struct {
	e  *Engine
	w  *worker // nil for a scratch VM
	rt *goja.Runtime

	gen      *generation
	wrappers []goja.Callable // per module: the function that runs its body
	fns      []goja.Callable // per route, ModePreload only: the exported function

	parse, stringify goja.Callable
	requireFn        goja.Value
	importFn         goja.Value            // ModeReeval: an imported file's namespace, for own programs
	nsFn             goja.Callable         // namespaceFn in this runtime, made on first use
	ownArgs          []goja.Value          // ModeReeval: evaluateBare's arguments, reused
	ownCall          *goja.Object          // ModeReeval: callBare's marker (bundle.Module.OwnBare)
	exportNames      map[string]goja.Value // ModeReeval: routes' export names as JS strings
	registry         registry              // ModeReeval: the imported files this VM evaluated
	socketMethods    map[string]goja.Value // shared by every socket object of the VM
	targetMethods    map[string]goja.Value // shared by every emit target of the VM (socket.go)
	io               *goja.Object          // the native module "eventhost", made on first require
	db               dbJS                  // what the db object and its results need

	current *call // the call whose JS runs now, if any
	timers  timerQueue

	ioCtx    context.Context    // host work of module top-level code; parent of its calls' (async.go)
	ioCancel context.CancelFunc // ends ioCtx: the VM is replaced or its worker stops

	dataViewProto       *goja.Object // DataView.prototype, looked up on first use (goja makes built-ins lazily)
	placeholderReplacer goja.Value   // the replacer of stringifyAttaching, made on first use
	attaching           *[][]byte    // where placeholderReplacer appends, while it runs

	jsonBuf     []byte         // stringifyJSON's output buffer, reused
	jsonStack   []*goja.Object // stringifyJSON's scratch stack, reused
	jsonItems   []any          // parseJSON's array elements, reused
	jsonScratch []byte         // parseJSON's decoded strings, reused
	strs        stringCache    // parseJSON's strings
}

// newVM makes a runtime with the globals scripts get: console, Buffer,
// timers, and the standard ECMAScript built-ins.
func newVM(e *Engine, w *worker) *vm {
	rt := goja.New()
	rt.SetMaxCallStackSize(e.cfg.MaxCallStackSize)
	v := &vm{e: e, w: w, rt: rt}
	v.timers.byID = make(map[int64]*timer)

	// goja_nodejs modules need require; scripts do not get it: esbuild has
	// already bundled their imports, and nothing is read from disk at run time.
	reg := require.NewRegistry(require.WithLoader(func(string) ([]byte, error) {
		return nil, require.ModuleFileDoesNotExistError
	}))
	reg.RegisterNativeModule(console.ModuleName, console.RequireWithPrinter(consolePrinter{v}))
	reg.Enable(rt)
	console.Enable(rt)
	buffer.Enable(rt)
	if err := webapi.Install(rt); err != nil {
		panic(fmt.Sprintf("engine: webapi: %v", err)) // a bug: the names are free in a new runtime
	}
	if err := fetch.Install(rt, e.fetch, v.startAsync); err != nil {
		panic(fmt.Sprintf("engine: fetch: %v", err)) // a bug: the names are free in a new runtime
	}
	rt.GlobalObject().Delete("require")

	if _, err := rt.RunProgram(prelude); err != nil {
		panic(fmt.Sprintf("engine: prelude: %v", err)) // a bug: the prelude is fixed code
	}
	v.installTimers()
	jsonObj := rt.Get("JSON").ToObject(rt)
	v.parse, _ = goja.AssertFunction(jsonObj.Get("parse"))
	v.stringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
	v.socketMethods = map[string]goja.Value{
		"emit":   rt.ToValue(v.socketEmit),
		"close":  rt.ToValue(v.socketClose),
		"join":   rt.ToValue(v.socketJoin),
		"leave":  rt.ToValue(v.socketLeave),
		"to":     rt.ToValue(v.socketTo),
		"in":     rt.ToValue(v.socketIn),
		"except": rt.ToValue(v.socketExcept),
	}
	v.targetMethods = v.newTargetMethods()
	v.requireFn = rt.ToValue(v.require)
	v.importFn = rt.ToValue(v.importNamespace)
	v.ownCall = rt.NewObject()
	if e.cfg.testNatives != nil {
		e.cfg.testNatives(v)
	}
	return v
}

// use makes gen the generation this VM serves, dropping what it cached of
// the previous one so that its module instances can be collected.
func (v *vm) use(gen *generation) {
	v.gen = gen
	v.useDeps(gen.deps)
	v.wrappers = make([]goja.Callable, len(gen.modules))
	if v.e.cfg.Mode == ModePreload {
		v.fns = make([]goja.Callable, len(gen.table)+3) // routes, then connect, connected and disconnect
	}
}

// wrapper returns the function that runs module m's body, compiling it into
// this runtime once per generation: its own code alone when the build has
// it (ModeReeval), its imports then coming from the VM's registry.
func (v *vm) wrapper(m *bundle.Module) (goja.Callable, error) {
	prg := m.Program
	if m.Own != nil && v.e.cfg.Mode == ModeReeval {
		prg = m.Own
	}
	val, err := v.rt.RunProgram(prg)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(val)
	if !ok {
		return nil, fmt.Errorf("engine: module %s did not compile to a function", m.File)
	}
	return fn, nil
}

// bare reports whether the wrapper of module m is its own program and that
// program is bare ([bundle.Module.OwnBare]): it returns its exports and
// needs no module or exports object.
func (v *vm) bare(m *bundle.Module) bool {
	return m.Own != nil && m.OwnBare && v.e.cfg.Mode == ModeReeval
}

// instantiate runs a module body with fresh module and exports objects and
// returns its exports.
func (v *vm) instantiate(m *bundle.Module) (*goja.Object, error) {
	wrapper, err := v.wrapper(m)
	if err != nil {
		return nil, err
	}
	return v.evaluate(wrapper, v.bare(m))
}

// exportedFunctions evaluates module m and returns the names of its
// exports that are functions: the module's routes.
func (v *vm) exportedFunctions(m *bundle.Module) ([]string, error) {
	exports, err := v.instantiate(m)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, name := range exports.Keys() {
		val := exports.Get(name)
		if _, ok := goja.AssertFunction(val); ok && !v.isClass(val) {
			names = append(names, name)
		}
	}
	return names, nil
}

// evaluateInstance evaluates a module instance that outlives the call that
// makes it (preload mode): what its top-level code starts, timers, belongs
// to the module and its generation, not to that call.
func (v *vm) evaluateInstance(wrapper goja.Callable) (*goja.Object, error) {
	current := v.current
	v.current = nil
	defer func() { v.current = current }()
	return v.evaluate(wrapper, false)
}

// classSource matches the source text of a class, which is callable only
// with new: no route.
var classSource = regexp.MustCompile(`^class[\s{]`)

// isClass reports whether fn is a class, by its source text as
// Function.prototype.toString gives it (not its own toString).
func (v *vm) isClass(fn goja.Value) bool {
	toString, ok := goja.AssertFunction(v.rt.Get("Function").ToObject(v.rt).Get("prototype").ToObject(v.rt).Get("toString"))
	if !ok {
		return false
	}
	src, err := toString(fn)
	return err == nil && classSource.MatchString(src.String())
}

// evaluate runs a module body and returns its exports: with fresh module
// and exports objects, or for a bare own program without them, its exports
// being what it returns.
func (v *vm) evaluate(wrapper goja.Callable, bare bool) (*goja.Object, error) {
	if bare {
		ret, err := v.evaluateBare(wrapper, nil, nil, nil, nil)
		if err != nil {
			return nil, err
		}
		return ret.ToObject(v.rt), nil
	}
	module := v.rt.NewObject()
	exports := v.rt.NewObject()
	if err := module.Set("exports", exports); err != nil {
		return nil, err
	}
	if _, err := wrapper(goja.Undefined(), exports, v.requireFn, module, v.importFn); err != nil {
		return nil, err
	}
	return module.Get("exports").ToObject(v.rt), nil
}

// evaluateBare runs a bare own program ([bundle.Module.OwnBare]) and
// returns the export named by name, or with a nil name its exports object;
// or given a marker, the result of that export's call with a and b (the
// marker if the export is no function). Nil arguments are undefined. The
// arguments' slice is the VM's, reused: the program reads its arguments
// before it runs user code, which may start another evaluation.
func (v *vm) evaluateBare(wrapper goja.Callable, name, marker, a, b goja.Value) (goja.Value, error) {
	undef := goja.Undefined()
	or := func(val goja.Value) goja.Value {
		if val == nil {
			return undef
		}
		return val
	}
	args := append(v.ownArgs[:0], undef, v.requireFn, undef, v.importFn, or(name), or(marker), or(a), or(b))
	v.ownArgs = args
	ret, err := wrapper(undef, args...)
	clear(args)
	return ret, err
}

// callsBare reports whether r's calls with two arguments (socket, data)
// can go through callBare: in ModeReeval, when r's module is bare.
func (v *vm) callsBare(r *route) bool {
	return v.fns == nil && v.bare(v.gen.modules[r.module])
}

// callBare serves a call of r (see callsBare) with one run of its module's
// own program: a fresh evaluation of the module that ends by calling the
// route's export with sock and data. Its result is the handler's.
func (v *vm) callBare(r *route, sock, data goja.Value) (goja.Value, error) {
	wrapper, err := v.moduleWrapper(r)
	if err != nil {
		return nil, err
	}
	ret, err := v.evaluateBare(wrapper, v.exportName(r), v.ownCall, sock, data)
	if err != nil {
		return nil, err
	}
	if ret == v.ownCall {
		return nil, notFunctionError(r)
	}
	return ret, nil
}

// notFunctionError is the error of a call whose route's export, evaluated
// for it, is not a function.
func notFunctionError(r *route) error {
	return fmt.Errorf("export %q of %s is no longer a function", r.Export, r.File)
}

// moduleWrapper returns the function that runs the body of r's module,
// compiled into this runtime on first use in the generation.
func (v *vm) moduleWrapper(r *route) (goja.Callable, error) {
	if wrapper := v.wrappers[r.module]; wrapper != nil {
		return wrapper, nil
	}
	wrapper, err := v.wrapper(v.gen.modules[r.module])
	if err != nil {
		return nil, err
	}
	v.wrappers[r.module] = wrapper
	return wrapper, nil
}

// exportName is r's export name as a JS string, made once per VM.
func (v *vm) exportName(r *route) goja.Value {
	if name, ok := v.exportNames[r.Export]; ok {
		return name
	}
	if v.exportNames == nil {
		v.exportNames = make(map[string]goja.Value)
	}
	name := v.rt.ToValue(r.Export)
	v.exportNames[r.Export] = name
	return name
}

// function returns the exported function that serves r: in ModePreload from
// the module instance this VM keeps for the generation, in ModeReeval from a
// fresh instance.
func (v *vm) function(r *route) (goja.Callable, error) {
	if v.fns != nil {
		if fn := v.fns[r.index]; fn != nil {
			return fn, nil
		}
	}
	wrapper, err := v.moduleWrapper(r)
	if err != nil {
		return nil, err
	}
	if v.callsBare(r) {
		val, err := v.evaluateBare(wrapper, v.exportName(r), nil, nil, nil)
		if err != nil {
			return nil, err
		}
		fn, ok := goja.AssertFunction(val)
		if !ok {
			return nil, notFunctionError(r)
		}
		return fn, nil
	}
	var exports *goja.Object
	if v.fns != nil {
		exports, err = v.evaluateInstance(wrapper)
	} else {
		exports, err = v.evaluate(wrapper, v.bare(v.gen.modules[r.module]))
	}
	if err != nil {
		return nil, err
	}
	if v.fns != nil {
		// Cache every route of this module at once: one instance per module.
		for _, other := range v.gen.routes {
			if other.module == r.module {
				if fn, ok := goja.AssertFunction(exports.Get(other.Export)); ok {
					v.fns[other.index] = fn
				}
			}
		}
		for _, h := range v.gen.hooks() {
			if h.module == r.module {
				if fn, ok := goja.AssertFunction(exports.Get(h.Export)); ok {
					v.fns[h.index] = fn
				}
			}
		}
	}
	fn, ok := goja.AssertFunction(exports.Get(r.Export))
	if !ok {
		return nil, notFunctionError(r)
	}
	return fn, nil
}

// require serves the native modules to bundled code.
func (v *vm) require(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	if name == "eventhost" {
		return v.nativeModule()
	}
	if d := v.registry.deps[name]; d != nil {
		return v.load(d).exports()
	}
	panic(v.rt.NewGoError(fmt.Errorf("cannot find module %q: import files and npm packages so that they are bundled; only native modules are required at run time", name)))
}

// arg converts a request's data into the handler's argument.
func (v *vm) arg(req *Request) (goja.Value, error) {
	switch {
	case req.Binary:
		return buffer.WrapBytes(v.rt, req.Data), nil
	case req.Data == nil:
		return goja.Undefined(), nil
	default:
		return v.parseRequestData(req.Data)
	}
}

// export converts a JS value into reply or push data: the bytes of a
// binary value (see binaryBytes), or else JSON text (nil for undefined),
// binary values nested in it as attachments.
func (v *vm) export(val goja.Value) (Payload, error) { return v.exportPayload(val, nil) }

// exceptionText returns what a JS exception says, without its stack (for the
// client; describe keeps it, for script authors), or the error's text.
func (v *vm) exceptionText(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return v.text(ex.Value())
	}
	return err.Error()
}

// text returns val as a string, as String(val) would. A value whose
// conversion throws (a toString that throws, an object without one) is
// described instead: its conversion must not take the call down.
func (v *vm) text(val goja.Value) (s string) {
	if ex := v.rt.Try(func() { s = val.String() }); ex != nil {
		return "(a value that cannot be converted to a string)"
	}
	return s
}

// exceptionStack returns the exception with its stack, as ex.String() does,
// or only its stack's text when the thrown value cannot be converted.
func (v *vm) exceptionStack(ex *goja.Exception) (s string) {
	if x := v.rt.Try(func() { s = ex.String() }); x != nil {
		return v.text(ex.Value())
	}
	return s
}

// handlerError turns what a handler threw or rejected with into a
// *HandlerError.
func (v *vm) handlerError(thrown goja.Value, stack string) *HandlerError {
	he := &HandlerError{Code: "handler_error", Stack: stack}
	if thrown == nil {
		he.Message = "undefined"
		return he
	}
	obj, isObj := thrown.(*goja.Object)
	if !isObj {
		he.Message = v.text(thrown)
		return he
	}
	// Reading properties can run getters: guard against them throwing.
	if ex := v.rt.Try(func() {
		if m := obj.Get("message"); m != nil && !goja.IsUndefined(m) {
			he.Message = m.String()
		} else {
			he.Message = obj.String()
		}
		if c := obj.Get("code"); c != nil {
			if s, ok := c.Export().(string); ok && errorCodePattern.MatchString(s) {
				he.Code = s
			}
		}
		if he.Stack == "" {
			if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) {
				he.Stack = s.String()
			}
		}
	}); ex != nil {
		he.Message = "the thrown value could not be read: " + v.text(ex.Value())
	}
	return he
}

// describe returns a one-line description of an error from goja.
func describe(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Error()
	}
	return err.Error()
}

// consolePrinter sends console output to the engine's log, with the script
// position that printed it.
type consolePrinter struct{ v *vm }

func (p consolePrinter) Log(s string)   { p.v.console(slog.LevelInfo, s) }
func (p consolePrinter) Warn(s string)  { p.v.console(slog.LevelWarn, s) }
func (p consolePrinter) Error(s string) { p.v.console(slog.LevelError, s) }

func (v *vm) console(level slog.Level, text string) {
	attrs := []slog.Attr{slog.String("script", v.callerPosition()), slog.String("text", text)}
	if c := v.current; c != nil {
		attrs = append(attrs, slog.String("event", c.req.Event), slog.String("socket", c.req.Socket.ID()))
	}
	v.e.log.LogAttrs(context.Background(), level, "console", attrs...)
}

// callerPosition returns file:line:column of the innermost script frame.
func (v *vm) callerPosition() string {
	for _, f := range v.rt.CaptureCallStack(10, nil) {
		if pos := f.Position(); pos.Filename != "" && pos.Line > 0 {
			return fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
		}
	}
	return "?"
}

// installTimers defines setTimeout, setInterval and their clear functions.
func (v *vm) installTimers() {
	set := func(repeat bool) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				panic(v.rt.NewTypeError("the callback must be a function"))
			}
			if v.timers.Len() >= v.e.cfg.MaxTimers {
				panic(v.rt.NewGoError(fmt.Errorf("too many pending timers on this VM (limit %d)", v.e.cfg.MaxTimers)))
			}
			delay := call.Argument(1).ToFloat()
			if math.IsNaN(delay) || delay < 1 {
				delay = 1
			}
			d := time.Duration(min(delay, 1<<31) * float64(time.Millisecond))
			var args []goja.Value
			if len(call.Arguments) > 2 {
				args = append(args, call.Arguments[2:]...)
			}
			t := v.timers.add(d, repeat, fn, args, v.current, v.gen)
			return v.rt.ToValue(t.id)
		}
	}
	clear := func(call goja.FunctionCall) goja.Value {
		v.timers.remove(call.Argument(0).ToInteger())
		return goja.Undefined()
	}
	v.rt.Set("setTimeout", set(false))
	v.rt.Set("setInterval", set(true))
	v.rt.Set("clearTimeout", clear)
	v.rt.Set("clearInterval", clear)
}
