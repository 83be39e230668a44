package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// AsyncWork is host work that a native function starts with startAsync. It
// runs on its own goroutine, off the VM, and must return when ctx ends. It
// must not touch the VM or any JS value: it returns a settle function that
// the VM's goroutine runs to make the JS result. A nil settle resolves the
// promise with undefined.
//
// The type is unnamed-compatible on purpose: a package that installs
// natives (runtime/fetch) declares the same function type without
// importing the engine.
type AsyncWork = func(ctx context.Context) (settle func() (goja.Value, error))

// asyncJob is one AsyncWork in flight: started on a VM, run by its own
// goroutine, delivered back to the worker through its results channel.
type asyncJob struct {
	vm      *vm
	owner   *call // nil: module top-level code; the VM's lifetime bounds it
	settle  func() (goja.Value, error)
	resolve func(any) error
	reject  func(any) error
}

// callIO is what bounds a call's host work: a context that ends when the
// call ends (answered, timed out, aborted, closed, reset) or when its
// connection goes.
type callIO struct {
	ctx      context.Context
	cancel   context.CancelFunc
	stopVM   func() bool // unregisters the watch of the VM's end
	stopSock func() bool // unregisters the watch of the connection's end; nil when none
}

// startAsync runs work on a goroutine the engine owns and returns a pending
// promise (a JS value) that the VM's goroutine settles with what work's
// settle function returns: resolved with its value, rejected with a JS
// Error of its error's text, or rejected with the value it throws (panics
// with, as natives do: panic(rt.NewTypeError(...))). The VM is not held
// while work runs: the calling handler merely awaits.
//
// work's context ends when the call that started it ends (it is answered,
// times out, is aborted or refused because the VM was reset, or the engine
// closes) or its connection goes; for module top-level code, when the VM
// is replaced or the engine closes. A result that arrives after that is
// dropped, unseen by JS. Beyond Config.MaxAsync operations in flight across
// the engine, and on a VM without a worker (a build's scratch VM), the
// promise is rejected at once.
func (v *vm) startAsync(work AsyncWork) goja.Value {
	p, resolve, reject := v.rt.NewPromise()
	promise := v.rt.ToValue(p)
	if v.w == nil {
		_ = reject(v.rt.NewGoError(ErrNoAsync))
		return promise
	}
	e := v.e
	select {
	case e.asyncSlots <- struct{}{}:
	default:
		_ = reject(v.rt.NewGoError(fmt.Errorf("%w (limit %d)", ErrTooManyAsync, e.cfg.MaxAsync)))
		return promise
	}
	owner := v.current
	var ctx context.Context
	if owner != nil {
		ctx = owner.ioContext(v)
	} else {
		ctx = v.ioContext()
	}
	j := &asyncJob{vm: v, owner: owner, resolve: resolve, reject: reject}
	results := v.w.results
	done := e.loopCtx.Done()
	e.asyncWG.Add(1)
	go func() {
		defer e.asyncWG.Done()
		defer func() { <-e.asyncSlots }()
		j.settle = work(ctx)
		select {
		case results <- j:
		case <-done: // the workers have stopped: nobody reads results
		}
	}()
	return promise
}

// ioContext returns the context of c's host work on v, made on first use
// (on v's goroutine). It ends when c is settled, when c's own context ends,
// when v is replaced or its worker stops, and, for a route call, when its
// connection goes.
func (c *call) ioContext(v *vm) context.Context {
	if io := c.io.Load(); io != nil {
		return io.ctx
	}
	ctx, cancel := context.WithCancel(c.ctx)
	io := &callIO{ctx: ctx, cancel: cancel, stopVM: context.AfterFunc(v.ioContext(), cancel)}
	if c.req.hook == "" && c.req.Socket != nil {
		if sd := c.req.Socket.Done(); sd != nil {
			io.stopSock = context.AfterFunc(chanContext(sd), cancel)
		}
	}
	c.io.Store(io)
	if c.settled.Load() { // settled meanwhile: settle may have missed io
		io.stop()
	}
	return ctx
}

// stop ends the context of a call's host work.
func (io *callIO) stop() {
	io.stopVM()
	if io.stopSock != nil {
		io.stopSock()
	}
	io.cancel()
}

// ioContext returns the context of host work started by module top-level
// code on v, and the parent of its calls' host work: it ends when v is
// replaced or its worker stops.
func (v *vm) ioContext() context.Context {
	if v.ioCtx == nil {
		v.ioCtx, v.ioCancel = context.WithCancel(v.e.loopCtx)
	}
	return v.ioCtx
}

// stopIO ends the context of v's top-level host work: v is being replaced or
// its worker stops.
func (v *vm) stopIO() {
	if v.ioCancel != nil {
		v.ioCancel()
	}
}

// completeAsync settles the promise of a finished job, on the worker's
// goroutine, unless its VM has been replaced or its call has ended since: a
// late result is dropped.
func (w *worker) completeAsync(j *asyncJob) {
	v := w.vm
	if j.vm != v {
		return // the VM it started on was reset
	}
	c := j.owner
	if c != nil && (c.settled.Load() || c.isAbandoned()) {
		return
	}
	if c != nil && c.ctx.Err() != nil {
		// The call's context has ended (its work's with it, which may be
		// why the work returned): the context's error answers it, not
		// the result.
		c.expire()
		return
	}
	if c == nil {
		c = &call{req: Request{Event: "(async)", Socket: noSocket{}, Done: func(Result, error) {}}, ctx: context.Background()}
	}
	defer func() {
		if r := recover(); r != nil {
			w.recoverPanicValue(c, r)
		}
	}()
	// The promise's reactions run now, as a timer callback does: bounded by
	// the timer run limit, and by the call's context (call.watch).
	if !w.enter(c, time.Now().Add(w.e.cfg.TimerRunLimit)) {
		return
	}
	var val goja.Value
	var err error
	var uncatchable error
	if ex := v.rt.Try(func() { val, err = callSettle(j.settle) }); ex != nil {
		uncatchable = j.reject(ex.Value())
	} else if err != nil {
		uncatchable = j.reject(v.rt.NewGoError(err))
	} else {
		uncatchable = j.resolve(val)
	}
	w.leave()
	if uncatchable != nil {
		w.failed(c, uncatchable)
	}
}

func callSettle(settle func() (goja.Value, error)) (goja.Value, error) {
	if settle == nil {
		return goja.Undefined(), nil
	}
	val, err := settle()
	if val == nil && err == nil {
		val = goja.Undefined()
	}
	return val, err
}

// chanContext is a context that ends when its channel is closed: a
// connection's Done, for context.AfterFunc.
type chanContext <-chan struct{}

func (c chanContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c chanContext) Done() <-chan struct{}       { return c }
func (c chanContext) Value(any) any               { return nil }
func (c chanContext) Err() error {
	select {
	case <-c:
		return context.Canceled
	default:
		return nil
	}
}
