package fetch

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/dop251/goja"
)

// StartFunc runs work off the VM and returns a pending promise that the
// VM's goroutine settles with what work's settle function returns (see the
// engine's startAsync): resolved with its value, rejected with its error or
// with what it throws. work's context ends when the call that started it
// ends.
type StartFunc = func(work func(ctx context.Context) (settle func() (goja.Value, error))) goja.Value

//go:embed js/fetch.js
var source string

// program is the compiled globals, shared by every runtime.
var program = goja.MustCompile("fetch.js", source, true)

// names are the globals Install defines, each a non-enumerable
// constructor or function, as in browsers.
var names = []string{"fetch", "Headers", "Request", "Response", "AbortController", "AbortSignal"}

// Install defines fetch, Headers, Request, Response, AbortController and
// AbortSignal on rt's global object. Each starts as an accessor: the first
// read of any of them evaluates all of them once, and replaces it with a
// data property. fetch runs requests on c through start. The globals use
// TextEncoder, TextDecoder, URL, URLSearchParams and DOMException
// (runtime/webapi) and setTimeout, which the runtime must have by the time
// they run. Install runs on rt's goroutine.
func Install(rt *goja.Runtime, c *Client, start StartFunc) error {
	if rt == nil || c == nil || start == nil {
		return errors.New("fetch: Install needs a runtime, a client and a start function")
	}
	var built *goja.Object
	build := func() *goja.Object {
		if built != nil {
			return built
		}
		fn, err := rt.RunProgram(program)
		if err != nil {
			panic(rt.NewGoError(fmt.Errorf("fetch: evaluate globals: %w", err)))
		}
		factory, _ := goja.AssertFunction(fn)
		natives := rt.NewObject()
		_ = natives.Set("fetch", (&binding{rt: rt, c: c, start: start}).fetch)
		val, err := factory(goja.Undefined(), natives)
		if err != nil {
			panic(rt.NewGoError(fmt.Errorf("fetch: build globals: %w", err)))
		}
		built = val.ToObject(rt)
		return built
	}
	g := rt.GlobalObject()
	for _, name := range names {
		if g.Get(name) != nil {
			return fmt.Errorf("fetch: install %s: already defined", name)
		}
		define := func(v goja.Value) {
			if err := g.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
				panic(rt.NewTypeError(fmt.Sprintf("fetch: define %s: %v", name, err)))
			}
		}
		get := rt.ToValue(func(goja.FunctionCall) goja.Value {
			v := build().Get(name)
			define(v)
			return v
		})
		set := rt.ToValue(func(call goja.FunctionCall) goja.Value {
			define(call.Argument(0))
			return goja.Undefined()
		})
		if err := g.DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("fetch: install %s: %w", name, err)
		}
	}
	return nil
}

// binding is the native side of one runtime's fetch.
type binding struct {
	rt    *goja.Runtime
	c     *Client
	start StartFunc
}

// fetch is native.fetch(method, url, headerPairs, body, redirect): it
// returns [promise, abort].
func (b *binding) fetch(call goja.FunctionCall) goja.Value {
	rt := b.rt
	req := &Request{
		Method:   call.Argument(0).String(),
		URL:      call.Argument(1).String(),
		Redirect: call.Argument(4).String(),
	}
	if pairs, ok := call.Argument(2).Export().([]any); ok {
		for _, p := range pairs {
			if kv, ok := p.([]any); ok && len(kv) == 2 {
				req.Header = append(req.Header, [2]string{fmt.Sprint(kv[0]), fmt.Sprint(kv[1])})
			}
		}
	}
	switch body := call.Argument(3).Export().(type) {
	case string:
		req.Body = []byte(body)
	case []byte:
		req.Body = append([]byte{}, body...) // the JS side may change its array meanwhile
	}
	abortCtx, abort := context.WithCancel(context.Background())
	promise := b.start(func(ctx context.Context) func() (goja.Value, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(abortCtx, cancel)
		defer stop()
		resp, err := b.c.Do(ctx, req)
		return func() (goja.Value, error) {
			if err != nil {
				panic(b.failed(err))
			}
			return b.record(resp), nil
		}
	})
	return rt.NewArray(promise, rt.ToValue(func(goja.FunctionCall) goja.Value {
		abort()
		return goja.Undefined()
	}))
}

// failed makes TypeError("fetch failed") with err as its cause: an Error
// with err's text and, when one fits, a code (see Code).
func (b *binding) failed(err error) *goja.Object {
	rt := b.rt
	cause := rt.NewGoError(err)
	if code := Code(err); code != "" {
		_ = cause.Set("code", code)
	}
	te := rt.NewTypeError("fetch failed")
	_ = te.DefineDataProperty("cause", cause, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return te
}

// record is the response as the JS side builds its Response from it.
func (b *binding) record(r *Response) goja.Value {
	rt := b.rt
	o := rt.NewObject()
	headers := make([]any, len(r.Header))
	for i, h := range r.Header {
		headers[i] = rt.NewArray(h[0], h[1])
	}
	_ = o.Set("status", r.Status)
	_ = o.Set("statusText", r.StatusText)
	_ = o.Set("url", r.URL)
	_ = o.Set("redirected", r.Redirected)
	_ = o.Set("headers", rt.NewArray(headers...))
	_ = o.Set("body", rt.NewArrayBuffer(r.Body))
	return o
}
