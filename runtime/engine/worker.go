package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// errInterrupted is the value a VM is interrupted with when a call's
// context ends while its JS runs.
var errInterrupted = errors.New("call deadline exceeded")

// worker is one goroutine of the pool and the VM it owns. Other goroutines
// touch only what mu guards.
type worker struct {
	e    *Engine
	id   int
	vm   *vm           // replaced by reset; only the worker goroutine reads it without mu
	wake chan struct{} // a new generation is current

	mu      sync.Mutex
	running *call              // whose JS runs now (for interrupts)
	pending map[*call]struct{} // calls awaiting a promise on this VM
}

func newWorker(e *Engine, id int) *worker {
	w := &worker{e: e, id: id, pending: make(map[*call]struct{}), wake: make(chan struct{}, 1)}
	w.vm = newVM(e, w)
	e.vmsCreated.Add(1)
	return w
}

// loop serves calls from the engine's queue and fires the VM's timers until
// ctx ends.
func (w *worker) loop(ctx context.Context) {
	clock := time.NewTimer(time.Hour)
	defer clock.Stop()
	defer w.abortPending(ErrClosed)
	for {
		var due <-chan time.Time
		if d, ok := w.vm.timers.next(); ok {
			clock.Reset(d)
			due = clock.C
		}
		select {
		case <-ctx.Done():
			return
		case c := <-w.e.queue:
			w.start(c)
		case <-due:
			w.fireTimers()
		case <-w.wake:
			// Drop the old generation's module instances now rather than at
			// this worker's next call, so that their memory returns.
			if gen := w.e.gen.Load(); w.vm.gen != gen {
				w.vm.use(gen)
			}
		}
	}
}

// start runs a call's synchronous part and arranges for its outcome.
func (w *worker) start(c *call) {
	defer c.markStarted()
	if c.settled.Load() {
		return // expired while queued
	}
	c.worker.Store(w)
	v := w.vm
	defer w.recoverPanic(c)
	if gen := w.e.gen.Load(); v.gen != gen {
		v.use(gen)
	}
	r := v.gen.lookup(c.req)
	if r == nil {
		c.settle(Result{}, &unknownEventError{event: c.req.Event})
		return
	}
	if !w.enter(c) {
		return // expired just now: its timeout is the answer
	}
	val, err := w.invoke(r, c)
	c.sock.flush()
	w.leave()
	if err != nil {
		w.failed(c, err)
		return
	}
	w.settleValue(c, val)
}

// invoke gets the route's function and calls it with the socket and data.
func (w *worker) invoke(r *route, c *call) (goja.Value, error) {
	v := w.vm
	fn, err := v.function(r)
	if err != nil {
		return nil, err
	}
	data, err := v.arg(c.req)
	if err != nil {
		return nil, err
	}
	if c.req.hook == "connect" {
		return fn(goja.Undefined(), data) // connect(handshake)
	}
	c.sock = &jsSocket{v: v, s: c.req.Socket}
	return fn(goja.Undefined(), v.rt.NewDynamicObject(c.sock), data)
}

// settleValue answers c with a handler's return value, now when it is a plain
// value or a settled promise, or when the promise settles.
func (w *worker) settleValue(c *call, val goja.Value) {
	v := w.vm
	obj, ok := val.(*goja.Object)
	if !ok || obj.ExportType() != typePromise {
		w.reply(c, val)
		return
	}
	p := obj.Export().(*goja.Promise)
	switch p.State() {
	case goja.PromiseStateFulfilled:
		w.reply(c, p.Result())
		return
	case goja.PromiseStateRejected:
		w.reject(c, p.Result())
		return
	}
	w.mu.Lock()
	if c.settled.Load() {
		w.mu.Unlock()
		return
	}
	w.pending[c] = struct{}{}
	w.mu.Unlock()
	then, _ := goja.AssertFunction(obj.Get("then"))
	onFulfilled := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		w.unpend(c)
		w.reply(c, call.Argument(0))
		return goja.Undefined()
	})
	onRejected := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		w.unpend(c)
		w.reject(c, call.Argument(0))
		return goja.Undefined()
	})
	if _, err := then(obj, onFulfilled, onRejected); err != nil {
		w.unpend(c)
		w.failed(c, err)
	}
}

func (w *worker) unpend(c *call) {
	w.mu.Lock()
	delete(w.pending, c)
	w.mu.Unlock()
}

// reply answers c with a JS value.
func (w *worker) reply(c *call, val goja.Value) {
	if c.settled.Load() {
		return
	}
	c.sock.flush()
	data, binary, err := w.vm.export(val)
	if err != nil {
		he := &HandlerError{Code: "handler_error", Message: "the handler's result " + err.Error()}
		w.logHandlerError(c, he)
		c.settle(Result{}, he)
		return
	}
	c.settle(Result{Data: data, Binary: binary}, nil)
}

// reject answers c with the value its promise rejected with.
func (w *worker) reject(c *call, reason goja.Value) {
	if c.settled.Load() {
		return
	}
	c.sock.flush()
	he := w.vm.handlerError(reason, "")
	w.logHandlerError(c, he)
	c.settle(Result{}, he)
}

// failed answers c after its JS ended with err, and resets the VM when the
// run left it in an unknown state.
func (w *worker) failed(c *call, err error) {
	var ex *goja.Exception
	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	switch {
	case errors.As(err, &interrupted):
		w.unpend(c)
		w.reset(c, "a call ran past its deadline and was interrupted")
		c.settle(Result{}, context.Cause(c.ctx))
	case errors.As(err, &overflow):
		he := &HandlerError{Code: "handler_error", Message: stackOverflowMessage, Stack: overflow.String()}
		w.logHandlerError(c, he)
		w.unpend(c)
		w.reset(c, "a call overflowed the call stack")
		c.settle(Result{}, he)
	case errors.As(err, &ex):
		he := w.vm.handlerError(ex.Value(), ex.String())
		w.logHandlerError(c, he)
		c.settle(Result{}, he)
	default:
		he := &HandlerError{Code: "handler_error", Message: err.Error()}
		w.logHandlerError(c, he)
		c.settle(Result{}, he)
	}
}

func (w *worker) logHandlerError(c *call, he *HandlerError) {
	w.e.log.LogAttrs(context.Background(), slog.LevelWarn, "handler error",
		slog.String("event", c.req.Event), slog.String("socket", c.req.Socket.ID()),
		slog.String("code", he.Code), slog.String("error", he.Message), slog.String("stack", he.Stack))
}

// recoverPanic turns a Go panic under a call into ErrInternal for that call,
// logs it with its stack, and replaces the VM.
func (w *worker) recoverPanic(c *call) {
	if r := recover(); r != nil {
		w.recoverPanicValue(c, r)
	}
}

// enter marks c as the call whose JS runs now. It reports false, and marks
// nothing, when c's context has already ended: under mu, either expire sees
// c running and interrupts it, or enter sees it expired.
func (w *worker) enter(c *call) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.timedOut.Load() {
		return false
	}
	w.running = c
	w.vm.current = c
	return true
}

// leave marks that no JS runs, and clears an interrupt that arrived too late
// to stop anything, so that it cannot hit the next run.
func (w *worker) leave() {
	w.mu.Lock()
	w.running = nil
	w.vm.rt.ClearInterrupt()
	w.vm.current = nil
	w.mu.Unlock()
}

// expire is called from the goroutine of c's ending context: it stops c's
// JS if it runs now and forgets c if it awaits.
func (w *worker) expire(c *call) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.pending, c)
	if w.running == c {
		w.vm.rt.Interrupt(errInterrupted)
	}
}

// fireTimers runs every due timer callback.
func (w *worker) fireTimers() {
	v := w.vm
	now := time.Now()
	for {
		t := v.timers.popDue(now)
		if t == nil {
			return
		}
		if t.owner != nil && t.owner.isAbandoned() || t.owner == nil && t.gen != v.gen {
			v.timers.remove(t.id)
			continue
		}
		if !w.runTimer(t) {
			return // the VM was reset
		}
	}
}

// runTimer runs one timer callback and reports whether the VM survived it.
func (w *worker) runTimer(t *timer) (ok bool) {
	c := t.owner
	if c == nil {
		c = &call{req: &Request{Event: "(timer)", Socket: noSocket{}, Done: func(Result, error) {}}, ctx: context.Background()}
	}
	defer func() {
		if r := recover(); r != nil {
			w.recoverPanicValue(c, r)
			ok = false
		}
	}()
	if !w.enter(c) {
		return true
	}
	_, err := t.fn(goja.Undefined(), t.args...)
	w.leave()
	if err == nil {
		return true
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		w.e.log.Warn("uncaught exception in a timer callback", "event", c.req.Event, "error", ex.Error(), "stack", ex.String())
		return true
	}
	w.failed(c, err)
	return false
}

// recoverPanicValue replaces the VM after a panic, then answers c with
// ErrInternal: the VM is fresh before anyone can send the next call.
func (w *worker) recoverPanicValue(c *call, r any) {
	w.leave()
	w.e.log.Error("panic under a call", "event", c.req.Event, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	w.unpend(c)
	w.reset(c, "a call panicked")
	c.settle(Result{}, ErrInternal)
}

// reset replaces the VM after a run left it in an unknown state. Calls that
// were awaiting on it are answered with ErrAborted: their continuations died
// with it.
func (w *worker) reset(cause *call, reason string) {
	n := w.abortPending(ErrAborted)
	w.vm = newVM(w.e, w)
	w.e.vmsCreated.Add(1)
	w.e.vmResets.Add(1)
	w.e.log.Warn("VM reset", "worker", w.id, "reason", reason, "event", cause.req.Event, "aborted_calls", n)
}

// abortPending answers every call awaiting on this VM with err.
func (w *worker) abortPending(err error) int {
	w.mu.Lock()
	pending := w.pending
	w.pending = make(map[*call]struct{})
	w.mu.Unlock()
	for c := range pending {
		c.settle(Result{}, err)
	}
	return len(pending)
}

// noSocket stands for the socket of module top-level timers.
type noSocket struct{}

func (noSocket) ID() string                              { return "" }
func (noSocket) Emit(string, []byte, bool) error         { return errors.New("no socket") }
func (noSocket) Close(int, string) error                 { return nil }
func (noSocket) Done() <-chan struct{}                   { return nil }
func (noSocket) Data() []byte                            { return nil }
func (noSocket) SetData([]byte)                          {}
func (noSocket) Handshake() []byte                       { return nil }
func (noSocket) Join(string) error                       { return errors.New("no socket") }
func (noSocket) Leave(string)                            {}
func (noSocket) Rooms() []string                         { return nil }
func (noSocket) EmitTo(string, string, []byte, bool) int { return 0 }
func (noSocket) Broadcast(string, []byte, bool) int      { return 0 }

// unknownEventError is ErrUnknownEvent for one event.
type unknownEventError struct{ event string }

func (e *unknownEventError) Error() string        { return fmt.Sprintf("no handler for event %q", e.event) }
func (e *unknownEventError) ErrorCode() string    { return "unknown_event" }
func (e *unknownEventError) Is(target error) bool { return target == ErrUnknownEvent }
