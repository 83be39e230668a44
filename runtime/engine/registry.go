package engine

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/eventhost/eventhost/runtime/bundle"
)

// registry is a VM's module cache in ModeReeval: every file that route
// modules import (npm files, _lib files, other route modules) is evaluated
// once per VM and generation, the first time something imports it, and its
// exports are shared by every later call on the VM, as Node's module cache
// does. A route module's own code still runs on every call.
type registry struct {
	deps   map[string]*bundle.Dep // the generation's, by ID
	loaded map[string]*loadedDep  // evaluated (or being evaluated) here
	native goja.Value             // the namespace of the native module, made on first import
}

// loadedDep is one evaluated file: its module object, and the namespace ES
// imports see, made on first import.
type loadedDep struct {
	module    *goja.Object
	namespace goja.Value // nil until made, after the body has run
	done      bool       // the body has run
}

// exports is the file's module.exports as it is now: while its body runs
// (a circular import), what the body has assigned so far.
func (l *loadedDep) exports() goja.Value { return l.module.Get("exports") }

// useDeps starts an empty cache for a generation's files: the previous
// generation's instances are dropped.
func (v *vm) useDeps(deps map[string]*bundle.Dep) {
	v.registry = registry{deps: deps}
	if len(deps) > 0 {
		v.registry.loaded = make(map[string]*loadedDep, len(deps))
	}
}

// load returns d's instance in this VM, evaluating it first if it is not
// cached. The entry is cached before the body runs, so that a circular
// import sees the exports as they are so far, as ES modules compiled to
// CommonJS do. A body that throws leaves no entry, and the throw reaches
// the importer. What the body starts (timers, host work) belongs to the
// generation, as a preloaded module's does, not to the call that imported
// it first.
func (v *vm) load(d *bundle.Dep) *loadedDep {
	if l := v.registry.loaded[d.ID]; l != nil {
		return l
	}
	val, err := v.rt.RunProgram(d.Program)
	if err != nil {
		panic(v.rethrow(err))
	}
	wrapper, ok := goja.AssertFunction(val)
	if !ok {
		panic(v.rt.NewGoError(fmt.Errorf("engine: module %s did not compile to a function", d.File)))
	}
	l := &loadedDep{module: v.rt.NewObject()}
	exports := v.rt.NewObject()
	if err := l.module.Set("exports", exports); err != nil {
		panic(v.rethrow(err))
	}
	v.registry.loaded[d.ID] = l
	current := v.current
	v.current = nil
	defer func() { v.current = current }()
	if _, err := wrapper(goja.Undefined(), exports, v.requireFn, l.module); err != nil {
		delete(v.registry.loaded, d.ID)
		panic(v.rethrow(err))
	}
	l.done = true
	return l
}

// rethrow turns an error of a nested evaluation back into what JS throws:
// the exception's own value, so that its stack and position survive.
func (v *vm) rethrow(err error) any {
	if ex, ok := err.(*goja.Exception); ok {
		return ex
	}
	if ie, ok := err.(*goja.InterruptedError); ok {
		return ie
	}
	return v.rt.NewGoError(err)
}

// namespaceFn turns a CommonJS module's exports into the namespace an ES
// import sees, as esbuild's bundles do: the exports as they are when they
// come from an ES module (marked __esModule), otherwise an object whose
// default is module.exports, with its own properties as named ones.
var namespaceFn = goja.MustCompile("namespace.js", `(function (mod) {
	if (mod != null && mod.__esModule) return mod;
	var ns = {};
	if (mod != null && (typeof mod === "object" || typeof mod === "function")) {
		for (var k of Object.getOwnPropertyNames(mod)) if (k !== "default") ns[k] = mod[k];
	}
	ns.default = mod;
	return ns;
})`, true)

// importNamespace is what an own program's import statements call:
// importNamespace(id) is the namespace of the imported file (or native
// module), made once per VM and generation.
func (v *vm) importNamespace(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	d := v.registry.deps[name]
	if d == nil {
		if name == "eventhost" {
			if v.registry.native == nil {
				v.registry.native = v.namespace(v.nativeModule())
			}
			return v.registry.native
		}
		return v.namespace(v.require(call))
	}
	l := v.load(d)
	if !l.done {
		return v.namespace(l.exports()) // a circular import: not cached
	}
	if l.namespace == nil {
		l.namespace = v.namespace(l.exports())
	}
	return l.namespace
}

// namespace applies namespaceFn to exports.
func (v *vm) namespace(exports goja.Value) goja.Value {
	if v.nsFn == nil {
		val, err := v.rt.RunProgram(namespaceFn)
		if err != nil {
			panic(v.rethrow(err))
		}
		v.nsFn, _ = goja.AssertFunction(val)
	}
	ns, err := v.nsFn(goja.Undefined(), exports)
	if err != nil {
		panic(v.rethrow(err))
	}
	return ns
}
