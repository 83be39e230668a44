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

// deadlineGrace bounds how long a run past its deadline waits for its
// context to end before it is interrupted all the same (see onDeadline).
const deadlineGrace = 100 * time.Millisecond

// worker is one goroutine of the pool and the VM it owns. Other goroutines
// touch only what mu guards.
type worker struct {
	e    *Engine
	id   int
	vm   *vm           // replaced by reset; only the worker goroutine reads it without mu
	wake chan struct{} // a new generation is current

	results chan *asyncJob // host work done (startAsync), for the VM to settle

	mu          sync.Mutex
	running     *call              // whose JS runs now (for interrupts)
	runDeadline time.Time          // when the run of running is interrupted; zero: never
	pending     map[*call]struct{} // calls awaiting a promise on this VM

	// deadline interrupts a run at its deadline (a call's synchronous part
	// at its context's deadline, a timer callback at the timer run limit).
	// It is one timer per worker, made on first use, and armed
	// lazily: a run whose deadline is not before armedFor leaves it as it
	// is, and when it fires for a deadline that no run has now, onDeadline
	// arms it for the running call's. Under a steady timeout, where every
	// call's deadline is later than the one before, a call that returns in
	// time costs no timer operation at all, and the timer fires about once
	// per timeout.
	deadline *time.Timer
	armedFor time.Time // when deadline fires; zero when it is not armed
}

func newWorker(e *Engine, id int) *worker {
	w := &worker{e: e, id: id, pending: make(map[*call]struct{}), wake: make(chan struct{}, 1),
		results: make(chan *asyncJob)}
	w.vm = newVM(e, w)
	e.vmsCreated.Add(1)
	return w
}

// loop serves calls from the engine's queue and fires the VM's timers until
// ctx ends.
func (w *worker) loop(ctx context.Context) {
	clock := time.NewTimer(time.Hour)
	defer clock.Stop()
	defer func() { w.vm.stopIO() }() // after abortPending: host work of top-level code too
	defer w.abortPending(ErrClosed)
	defer func() {
		w.mu.Lock()
		if w.deadline != nil {
			w.deadline.Stop()
		}
		w.mu.Unlock()
	}()
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
		case j := <-w.results:
			w.completeAsync(j)
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
	if f := w.e.cfg.QueueWait; f != nil && !c.queued.IsZero() {
		f(time.Since(c.queued))
	}
	w.e.busy.Add(1)
	defer w.e.busy.Add(-1)
	defer c.markStarted()
	if c.settled.Load() {
		return
	}
	if c.ctx.Err() != nil {
		c.expire() // its context ended while it was queued: its JS never runs
		return
	}
	c.worker.Store(w)
	v := w.vm
	defer w.recoverPanic(c)
	if gen := w.e.gen.Load(); v.gen != gen {
		v.use(gen)
	}
	r := v.gen.lookup(&c.req)
	if r == nil {
		c.settle(Result{}, &unknownEventError{event: c.req.Event})
		return
	}
	deadline, _ := c.ctx.Deadline()
	if !w.enter(c, deadline) {
		if w.e.closed.Load() {
			c.settle(Result{}, ErrClosed)
		}
		return // else expired just now: its timeout is the answer
	}
	val, err := w.invoke(r, c)
	c.sock.flush()
	// Still within the run, and under its deadline: reading what the
	// handler returned or threw runs JS too (getters, toJSON, toString).
	switch {
	case err != nil:
		w.failed(c, err)
	case c.ctx.Err() != nil:
		// Ended while the synchronous part ran (canceled, or the deadline
		// came while no JS could be interrupted): the context's error is the
		// answer, as if it had been noticed at once.
		c.expire()
	default:
		w.settleValue(c, val)
	}
	w.leave()
}

// invoke gets the route's function and calls it with the socket and data.
// A call with the two arguments of the common case, of a route whose module
// is bare in ModeReeval, is one run of the module's own program instead
// (vm.callBare): its request data is converted before the module is
// evaluated, not after.
func (w *worker) invoke(r *route, c *call) (goja.Value, error) {
	v := w.vm
	if c.req.hook != "connect" && c.req.hook != "connected" && c.req.Rest == nil && len(c.req.Attachments) == 0 && v.callsBare(r) {
		data, err := v.arg(&c.req)
		if err != nil {
			return nil, err
		}
		c.sock = jsSocket{v: v, s: c.req.Socket}
		return v.callBare(r, v.rt.NewDynamicObject(&c.sock), data)
	}
	fn, err := v.function(r)
	if err != nil {
		return nil, err
	}
	data, err := v.arg(&c.req)
	if err != nil {
		return nil, err
	}
	if c.req.hook == "connect" {
		return fn(goja.Undefined(), data) // connect(handshake)
	}
	c.sock = jsSocket{v: v, s: c.req.Socket}
	sock := v.rt.NewDynamicObject(&c.sock)
	switch {
	case c.req.hook == "connected":
		return fn(goja.Undefined(), sock) // connected(socket)
	case c.req.Rest == nil && len(c.req.Attachments) == 0:
		return fn(goja.Undefined(), sock, data) // the common case, without a slice of arguments
	}
	args, err := v.args(&c.req, sock, data)
	if err != nil {
		return nil, err
	}
	return fn(goja.Undefined(), args...)
}

// settleValue answers c with a handler's return value, now when it is a plain
// value or a settled promise, or when the promise settles. It runs right
// after the synchronous part, whose end wrote socket.data back: the answers
// given now need not write it again.
func (w *worker) settleValue(c *call, val goja.Value) {
	v := w.vm
	obj, ok := val.(*goja.Object)
	if !ok || obj.ExportType() != typePromise {
		w.reply(c, val, false)
		return
	}
	p := obj.Export().(*goja.Promise)
	switch p.State() {
	case goja.PromiseStateFulfilled:
		w.reply(c, p.Result(), false)
		return
	case goja.PromiseStateRejected:
		w.reject(c, p.Result(), false)
		return
	}
	w.mu.Lock()
	if c.settled.Load() {
		w.mu.Unlock()
		return
	}
	w.pending[c] = struct{}{}
	w.mu.Unlock()
	c.watch()
	then, _ := goja.AssertFunction(obj.Get("then"))
	// Each answers c, then forgets it: if writing the answer runs JS that is
	// interrupted (the run it happens in ends, and the VM is reset), c is
	// still pending then, and the reset answers it.
	onFulfilled := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		w.reply(c, call.Argument(0), true)
		w.unpend(c)
		return goja.Undefined()
	})
	onRejected := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		w.reject(c, call.Argument(0), true)
		w.unpend(c)
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

// reply answers c with a JS value, first writing socket.data back if flush
// is set (JS may have changed it since the synchronous part ended).
func (w *worker) reply(c *call, val goja.Value, flush bool) {
	if c.settled.Load() {
		return
	}
	if flush {
		c.sock.flush()
	}
	res, err := w.vm.exportResult(val)
	if err != nil {
		he := &HandlerError{Code: "handler_error", Message: "the handler's result " + err.Error()}
		w.logHandlerError(c, he)
		c.settle(Result{}, he)
		return
	}
	c.settle(res, nil)
}

// reject answers c with the value its promise rejected with, first writing
// socket.data back if flush is set.
func (w *worker) reject(c *call, reason goja.Value, flush bool) {
	if c.settled.Load() {
		return
	}
	if flush {
		c.sock.flush()
	}
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
	var refused *HandlerError
	switch {
	case errors.As(err, &interrupted) && w.e.closed.Load():
		w.unpend(c)
		c.settle(Result{}, ErrClosed) // interrupted by Close; the VM goes with the engine
	case errors.As(err, &interrupted):
		w.unpend(c)
		w.reset(c, "a call ran past its deadline and was interrupted")
		c.settle(Result{}, c.cause())
	case errors.As(err, &overflow):
		he := &HandlerError{Code: "handler_error", Message: stackOverflowMessage, Stack: overflow.String()}
		w.logHandlerError(c, he)
		w.unpend(c)
		w.reset(c, "a call overflowed the call stack")
		c.settle(Result{}, he)
	case errors.As(err, &refused):
		c.settle(Result{}, refused) // the request's own fault, not the handler's
	case errors.As(err, &ex):
		he := w.vm.handlerError(ex.Value(), w.vm.exceptionStack(ex))
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

// enter marks c as the call whose JS runs now, until deadline (none when
// zero). It reports false, and marks nothing, when c's context has been
// seen to end while it awaited: under mu, either expire sees c running and
// interrupts it, or enter sees it expired.
//
// A run with a deadline is interrupted at it by the worker's timer: a
// call's synchronous part at its context's deadline, a timer callback (and
// the promise continuations it runs) after the timer run limit. A call's
// context without a deadline is not watched while its synchronous part
// runs: its cancellation is noticed when that part ends (start). A call
// that awaits is also watched by its context (watch).
func (w *worker) enter(c *call, deadline time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.timedOut.Load() || w.e.closed.Load() {
		return false
	}
	w.running = c
	w.vm.current = c
	w.runDeadline = deadline
	if !deadline.IsZero() && (w.armedFor.IsZero() || deadline.Before(w.armedFor)) {
		w.armAt(deadline)
	}
	return true
}

// armAt makes the deadline timer fire at d. Under mu.
func (w *worker) armAt(d time.Time) {
	if w.deadline == nil {
		w.deadline = time.AfterFunc(time.Until(d), w.onDeadline)
	} else {
		w.deadline.Reset(time.Until(d))
	}
	w.armedFor = d
}

// leave marks that no JS runs, and clears an interrupt that arrived too late
// to stop anything, so that it cannot hit the next run.
func (w *worker) leave() {
	w.mu.Lock()
	w.running = nil
	w.runDeadline = time.Time{}
	w.vm.rt.ClearInterrupt()
	w.vm.current = nil
	w.mu.Unlock()
}

// onDeadline runs on the timer's own goroutine when the deadline timer
// fires. It may fire for the deadline of a call that has already left:
// then if a bounded run is going on, whose deadline is still ahead, the
// timer is armed for that one, and nothing else happens. A bounded run past
// its deadline is interrupted once its context has ended (its own timer is
// due at the same instant), so that it is answered with the context's
// error.
func (w *worker) onDeadline() {
	w.mu.Lock()
	w.armedFor = time.Time{}
	c := w.running
	if c == nil || w.runDeadline.IsZero() {
		w.mu.Unlock()
		return
	}
	d := w.runDeadline
	if time.Now().Before(d) {
		w.armAt(d) // fired for an earlier call: watch this one
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	// The context's own timer is due at the same instant: wait for it to end
	// the context, so that the answer is its error (context.Cause), but not
	// for long, in case the context does not end at its deadline.
	select {
	case <-c.ctx.Done():
	case <-time.After(deadlineGrace):
	}
	// Under mu, and only if the same run still goes on, so that an interrupt
	// never outlives the run it was meant for (leave clears it under mu).
	w.mu.Lock()
	if w.running == c && w.runDeadline.Equal(d) {
		w.vm.rt.Interrupt(errInterrupted)
	}
	w.mu.Unlock()
}

// interrupt stops the JS running now, if any: the engine is closing, and
// enter lets no run start after it (both under mu).
func (w *worker) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running != nil {
		w.vm.rt.Interrupt(errInterrupted)
	}
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
		c = &call{req: Request{Event: "(timer)", Socket: noSocket{}, Done: func(Result, error) {}}, ctx: context.Background()}
	}
	defer func() {
		if r := recover(); r != nil {
			w.recoverPanicValue(c, r)
			ok = false
		}
	}()
	if !w.enter(c, time.Now().Add(w.e.cfg.TimerRunLimit)) {
		return true
	}
	_, err := t.fn(goja.Undefined(), t.args...)
	var ex *goja.Exception
	if errors.As(err, &ex) {
		// Converting what was thrown runs JS: still within the run's bound.
		text, stack := w.vm.text(ex.Value()), w.vm.exceptionStack(ex)
		w.leave()
		w.e.log.Warn("uncaught exception in a timer callback", "event", c.req.Event, "error", text, "stack", stack)
		return true
	}
	w.leave()
	if err == nil {
		return true
	}
	w.failed(c, err)
	return false
}

// recoverPanicValue replaces the VM after a panic, then answers c with
// ErrInternal: the VM is fresh before anyone can send the next call.
func (w *worker) recoverPanicValue(c *call, r any) {
	w.leave()
	switch err := r.(type) {
	case *goja.InterruptedError, *goja.StackOverflowError:
		// JS run from Go code (a getter, toJSON or toString read while the
		// outcome was written) was interrupted or overflowed: the same
		// outcome as in the handler itself.
		w.failed(c, err.(error))
		return
	}
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
	w.vm.stopIO() // the host work started on it ends; its results are dropped
	vm := newVM(w.e, w)
	w.mu.Lock() // a run may still be marked (start leaves after answering): interrupts read vm under mu
	w.vm = vm
	w.mu.Unlock()
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

func (noSocket) ID() string                 { return "" }
func (noSocket) Emit(string, Payload) error { return errors.New("no socket") }
func (noSocket) Close(int, string) error    { return nil }
func (noSocket) Done() <-chan struct{}      { return nil }
func (noSocket) Data() []byte               { return nil }
func (noSocket) SetData([]byte)             {}
func (noSocket) Handshake() []byte          { return nil }
func (noSocket) Join(string) error          { return errors.New("no socket") }
func (noSocket) Leave(string)               {}
func (noSocket) Rooms() []string            { return nil }
func (noSocket) Namespace() string          { return "/" }

// unknownEventError is ErrUnknownEvent for one event.
type unknownEventError struct{ event string }

func (e *unknownEventError) Error() string        { return fmt.Sprintf("no handler for event %q", e.event) }
func (e *unknownEventError) ErrorCode() string    { return "unknown_event" }
func (e *unknownEventError) Is(target error) bool { return target == ErrUnknownEvent }
