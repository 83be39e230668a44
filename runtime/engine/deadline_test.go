package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// deadlineModule has handlers whose runs are long, endless or observable.
const deadlineModule = `
let ran = 0;
export function mark(socket) { ran++; socket.emit("ran", 1); return "ran" }
export function count() { return ran }
export function busy(socket, ms) { const t = Date.now() + ms; while (Date.now() < t) {} return ms }
export function spin() { for (;;) {} }
export function one() { return 1 }
export function setData(socket) { socket.data = { x: 1 }; return 1 }
export function later(socket) { setTimeout(() => { const t = Date.now() + 300; while (Date.now() < t) {} socket.emit("later", 1) }, 50); return 1 }
export function emit(socket) { socket.emit("e", 1); const t = Date.now() + 20; while (Date.now() < t) {} return "emitted" }
`

// hookSocket is a recordingSocket that runs test code inside the socket
// calls of a handler, on the worker goroutine.
type hookSocket struct {
	*recordingSocket
	onEmit    func()
	onSetData func()
}

func (s *hookSocket) Emit(event string, p Payload) error {
	if s.onEmit != nil {
		s.onEmit()
	}
	return s.recordingSocket.Emit(event, p)
}

func (s *hookSocket) SetData(d []byte) {
	if s.onSetData != nil {
		s.onSetData()
	}
	s.recordingSocket.SetData(d)
}

// waitTaken waits until the only worker of e has taken every queued call.
func waitTaken(t *testing.T, e *Engine) {
	t.Helper()
	for i := 0; e.Stats().Queued != 0; i++ {
		if i > 5000 {
			t.Fatal("the queue was never taken")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestQueuedCallExpiresWithoutRunning: a call whose context ends while it
// waits behind a busy worker gets the context's error (its cause) when the
// worker takes it, and its JS never runs.
func TestQueuedCallExpiresWithoutRunning(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	busy := start(e, context.Background(), newSocket("a"), "m.busy", "400")
	waitTaken(t, e)

	errLate := errors.New("late")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 30*time.Millisecond, errLate)
	defer cancel()
	sock := newSocket("b")
	timedOut := start(e, ctx, sock, "m.mark", "")
	errGone := errors.New("gone")
	cctx, ccancel := context.WithCancelCause(context.Background())
	canceled := start(e, cctx, sock, "m.mark", "")
	ccancel(errGone)

	time.Sleep(100 * time.Millisecond) // both contexts have ended; the worker is still busy
	select {
	case <-busy.finished:
		t.Skip("the busy call ended too early to observe the queue (machine too slow?)")
	default:
	}
	for _, o := range []*outcome{timedOut, canceled} {
		select {
		case <-o.finished:
			t.Fatalf("answered while queued (%v): Done is documented to be called when a worker takes the call", o.err)
		default:
		}
	}
	<-busy.finished
	for _, tc := range []struct {
		o    *outcome
		want error
	}{{timedOut, errLate}, {canceled, errGone}} {
		<-tc.o.finished
		if !errors.Is(tc.o.err, tc.want) {
			t.Errorf("err = %v, want %v", tc.o.err, tc.want)
		}
		eventuallyStarted(t, tc.o)
		if tc.o.dones.Load() != 1 {
			t.Errorf("done %d times", tc.o.dones.Load())
		}
	}
	if len(sock.pushes) != 0 {
		t.Errorf("the expired calls ran: pushes %q", sock.pushes)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("c"), "m.count", ""), "0")
	if s := e.Stats(); s.VMResets != 0 {
		t.Errorf("calls that never ran reset a VM: %+v", s)
	}
}

// TestRunawayInterruptedAtDeadline: endless synchronous JS is interrupted at
// its context's deadline by the worker's timer, answered with the context's
// cause, and the VM is replaced; the worker then serves calls that are not
// interrupted.
func TestRunawayInterruptedAtDeadline(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	errSpin := errors.New("spun too long")
	for i := range 2 { // twice: the timer made by the first is reused
		ctx, cancel := context.WithTimeoutCause(context.Background(), 100*time.Millisecond, errSpin)
		t0 := time.Now()
		o := runCall(t, e, ctx, newSocket("a"), "m.spin", "")
		cancel()
		if !errors.Is(o.err, errSpin) {
			t.Fatalf("spin %d: err = %v, want %v", i, o.err, errSpin)
		}
		if d := time.Since(t0); d < 100*time.Millisecond || d > 10*time.Second {
			t.Errorf("spin %d: answered after %v", i, d)
		}
		if s := e.Stats(); s.VMResets != uint64(i+1) {
			t.Fatalf("spin %d: stats %+v", i, s)
		}
		// The next calls on this worker run to their end.
		ok(t, runCall(t, e, context.Background(), newSocket("b"), "m.busy", "150"), "150")
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		ok(t, runCall(t, e, ctx, newSocket("b"), "m.busy", "150"), "150")
		cancel()
	}
	if s := e.Stats(); s.VMResets != 2 {
		t.Errorf("stats %+v", s)
	}
}

// TestStaleDeadlineTimer: the worker's timer, armed for one call, never
// interrupts another.
func TestStaleDeadlineTimer(t *testing.T) {
	t.Parallel()

	// The timer fires after the handler's JS has returned but before its run
	// has ended (socket.data is being written back): the interrupt lands on
	// an idle VM and must not hit the next call.
	t.Run("fires-before-leave", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		sock := &hookSocket{recordingSocket: newSocket("a"), onSetData: func() { <-ctx.Done(); time.Sleep(20 * time.Millisecond) }}
		o := runCall(t, e, ctx, sock, "m.setData", "")
		if !errors.Is(o.err, context.DeadlineExceeded) {
			t.Errorf("err = %v: the context ended during the synchronous part", o.err)
		}
		ok(t, runCall(t, e, context.Background(), newSocket("b"), "m.busy", "50"), "50")
		if s := e.Stats(); s.VMResets != 0 {
			t.Errorf("stats %+v", s)
		}
	})

	// The timer armed for a call that has left fires late, while the next
	// call runs (simulated: its handler's emit runs the timer's function).
	t.Run("fires-in-next-call", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
		w := e.workers[0]
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		ok(t, runCall(t, e, ctx, newSocket("a"), "m.one", ""), "1")
		<-ctx.Done() // the first call's deadline has passed
		for _, next := range []context.Context{context.Background(), ctxWithTimeout(t, 3*time.Second)} {
			fired := make(chan struct{})
			sock := &hookSocket{recordingSocket: newSocket("b"), onEmit: func() { w.onDeadline(); close(fired) }}
			ok(t, runCall(t, e, next, sock, "m.emit", ""), `"emitted"`)
			<-fired
		}
		if s := e.Stats(); s.VMResets != 0 {
			t.Errorf("stats %+v", s)
		}
	})

	// Calls that end just before their deadline, each followed at once by a
	// call without one: the followers are never interrupted.
	t.Run("race", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
		for i := range 40 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(3000+i*50)*time.Microsecond)
			first := start(e, ctx, newSocket("a"), "m.busy", "3")
			next := start(e, context.Background(), newSocket("b"), "m.busy", "3")
			<-first.finished
			<-next.finished
			cancel()
			if next.err != nil || string(next.res.Data) != "3" {
				t.Fatalf("round %d: the follower got %s %v (first: %v)", i, next.res.Data, next.err, first.err)
			}
		}
	})
}

func ctxWithTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestSyncCallAllocations: a call that returns synchronously costs no
// allocation for watching its context (no context.AfterFunc, no timer per
// call): calls under a context with a deadline allocate no more than calls
// under context.Background, and both stay within a bound that the per-call
// AfterFunc exceeded. The worker's timer is made once.
func TestSyncCallAllocations(t *testing.T) {
	// Not parallel: AllocsPerRun counts every goroutine's allocations.
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	done := make(chan error, 1)
	req := &Request{Event: "m.one", Socket: newSocket("s"), Done: func(_ Result, err error) { done <- err }}
	measure := func(ctx context.Context) float64 {
		return testing.AllocsPerRun(200, func() {
			e.Call(ctx, req)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
	deadlineCtx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	defer cancel()
	e.Call(deadlineCtx, req) // makes the worker's timer
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	timer := e.workers[0].timer()
	bg := measure(context.Background())
	withDeadline := measure(deadlineCtx)
	t.Logf("allocations per sync call: %.1f under Background, %.1f under a deadline", bg, withDeadline)
	if withDeadline > bg {
		t.Errorf("a deadline costs %.1f allocations per call", withDeadline-bg)
	}
	// What remains per call: the call, the socket and its JS object (2),
	// the arguments, and goja's stack, which it drops after each call. With
	// a context.AfterFunc per call and no reused output buffer it was 11.
	const bound = 6
	if withDeadline > bound {
		t.Errorf("%.1f allocations per sync call, want at most %d", withDeadline, bound)
	}
	if now := e.workers[0].timer(); timer == nil || now != timer {
		t.Errorf("the worker's timer was not reused (%p, then %p)", timer, now)
	}
}

func (w *worker) timer() *time.Timer {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.deadline
}

// TestDeadlineTimerRearms: the worker's timer is armed lazily, yet every
// synchronous run is interrupted at its own deadline: one later than the
// deadline the timer is armed for (of a call that has returned), and one
// earlier.
func TestDeadlineTimerRearms(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	errLong, errShort := errors.New("long"), errors.New("short")
	run := func(timeout time.Duration, cause error, event, data string) (*outcome, time.Duration) {
		ctx, cancel := context.WithTimeoutCause(context.Background(), timeout, cause)
		defer cancel()
		t0 := time.Now()
		o := runCall(t, e, ctx, newSocket("a"), event, data)
		return o, time.Since(t0)
	}
	// The timer is armed for a call that returns at once; the next call's
	// deadline is later: the timer fires first for the returned call, then
	// must be armed for this one.
	ok(t, runCall(t, e, ctxWithTimeout(t, 50*time.Millisecond), newSocket("a"), "m.one", ""), "1")
	o, d := run(300*time.Millisecond, errLong, "m.busy", "3000")
	if !errors.Is(o.err, errLong) || d < 300*time.Millisecond || d > 2500*time.Millisecond {
		t.Errorf("later deadline: %s %v after %v", o.res.Data, o.err, d)
	}
	// The timer is armed far ahead; the next call's deadline is earlier.
	ok(t, runCall(t, e, ctxWithTimeout(t, time.Hour), newSocket("a"), "m.one", ""), "1")
	o, d = run(100*time.Millisecond, errShort, "m.busy", "3000")
	if !errors.Is(o.err, errShort) || d < 100*time.Millisecond || d > 2500*time.Millisecond {
		t.Errorf("earlier deadline: %s %v after %v", o.res.Data, o.err, d)
	}
	if s := e.Stats(); s.VMResets != 2 {
		t.Errorf("stats %+v", s)
	}
}

// TestSettledCallTimerNotBounded: a timer callback set by a call that has
// already been answered runs to its end even past that call's deadline: it
// is bounded by the timer run limit (10 s), not by the call.
func TestSettledCallTimerNotBounded(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	sock := newSocket("a")
	ok(t, runCall(t, e, ctxWithTimeout(t, 200*time.Millisecond), sock, "m.later", ""), "1")
	for i := 0; ; i++ {
		sock.mu.Lock()
		n := len(sock.pushes)
		sock.mu.Unlock()
		if n > 0 {
			break
		}
		if i > 5000 {
			t.Fatalf("the timer callback never finished (stats %+v)", e.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	if s := e.Stats(); s.VMResets != 0 {
		t.Errorf("stats %+v", s)
	}
}

// deadlineOnly reports a deadline but never ends, as a careless Context
// implementation might.
type deadlineOnly struct {
	context.Context
	d time.Time
}

func (c deadlineOnly) Deadline() (time.Time, bool) { return c.d, true }

// TestDeadlineOfContextThatNeverEnds: a run past the deadline of a context
// that never ends is still interrupted, shortly after the deadline, and
// answered with context.DeadlineExceeded.
func TestDeadlineOfContextThatNeverEnds(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	ctx := deadlineOnly{Context: context.Background(), d: time.Now().Add(50 * time.Millisecond)}
	t0 := time.Now()
	o := runCall(t, e, ctx, newSocket("a"), "m.busy", "3000")
	if d := time.Since(t0); !errors.Is(o.err, context.DeadlineExceeded) || d > 2*time.Second {
		t.Fatalf("%s %v after %v", o.res.Data, o.err, d)
	}
	if s := e.Stats(); s.VMResets != 1 {
		t.Errorf("stats %+v", s)
	}
	ok(t, runCall(t, e, context.Background(), newSocket("b"), "m.one", ""), "1")
}

// TestCloseInterruptsRunawayJS: Close does not wait for a runaway call's
// deadline: it interrupts the JS, the call gets ErrClosed, and calls that
// reach a worker afterwards do not run.
func TestCloseInterruptsRunawayJS(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": deadlineModule}, Config{PoolSize: 1})
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	spin := start(e, ctx, newSocket("a"), "m.spin", "")
	waitTaken(t, e)
	closed := make(chan struct{})
	go func() {
		e.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second): // a safety bound against a hang, far below the hour
		t.Fatal("Close waited for the runaway call")
	}
	<-spin.finished
	if !errors.Is(spin.err, ErrClosed) {
		t.Fatalf("the runaway call ended with %v, want ErrClosed", spin.err)
	}
	after := start(e, ctx, newSocket("b"), "m.one", "")
	<-after.finished
	if !errors.Is(after.err, ErrClosed) {
		t.Fatalf("a call after Close ended with %v, want ErrClosed", after.err)
	}
}

// TestRunawayWhileReadingOutcome: JS that runs while the outcome is read
// (a getter or toJSON of the result, a getter of what was thrown, a
// promise's settled value) is under the call's deadline too. Found in
// review: it ran after the run had been marked over, so nothing could
// interrupt it and the worker hung for good.
func TestRunawayWhileReadingOutcome(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function getter() { return { get x() { for (;;) {} } } }
export function toJSON() { return { toJSON() { for (;;) {} } } }
export function thrown() { throw { get message() { for (;;) {} } } }
export function settled() { return Promise.resolve({ get x() { for (;;) {} } }) }
export async function asyncGetter() { return { get x() { for (;;) {} } } }
export function echo(socket, data) { return data }
`}, Config{PoolSize: 1})
	errSpin := errors.New("spun too long")
	for i, event := range []string{"m.getter", "m.toJSON", "m.thrown", "m.settled", "m.asyncGetter"} {
		ctx, cancel := context.WithTimeoutCause(context.Background(), 100*time.Millisecond, errSpin)
		o := runCall(t, e, ctx, newSocket("a"), event, "")
		cancel()
		if !errors.Is(o.err, errSpin) {
			t.Fatalf("%s: err = %v, want %v", event, o.err, errSpin)
		}
		if s := e.Stats(); s.VMResets != uint64(i+1) {
			t.Fatalf("%s: stats %+v, want a VM reset", event, s)
		}
		ok(t, runCall(t, e, context.Background(), newSocket("b"), "m.echo", "1"), "1")
	}
}

// TestRunawayTimerInterrupted: a timer callback that never ends, set by a
// call already answered or by a module's top-level code, is interrupted
// after the timer run limit, its VM replaced, and the worker serves again.
// Found in review: such runs had no bound, and held their worker for good.
func TestRunawayTimerInterrupted(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function later() { setTimeout(() => { for (;;) {} }, 10); return 1 }
export function one() { return 1 }
`, "top.js": `
setTimeout(() => { for (;;) {} }, 10)
export function one() { return 1 }
`}, Config{PoolSize: 1, TimerRunLimit: 100 * time.Millisecond})
	for i, event := range []string{"m.later", "top.one"} {
		ok(t, runCall(t, e, context.Background(), newSocket("a"), event, ""), "1")
		for deadline := time.Now().Add(20 * time.Second); e.Stats().VMResets != uint64(i+1); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the runaway timer was not interrupted (stats %+v)", event, e.Stats())
			}
		}
		ok(t, runCall(t, e, ctxWithTimeout(t, 5*time.Second), newSocket("b"), "m.one", ""), "1")
	}
}

// TestContinuationInterruptedInAnotherRun: a call that awaits, whose answer
// is written inside another call's run (which resolves it), is answered
// even when that run is interrupted while writing it: the reset that
// follows answers it. Found in review: it was forgotten before its answer
// was written, and nothing answered it.
func TestContinuationInterruptedInAnotherRun(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function wait() { return new Promise(r => { globalThis.resolveX = r }) }
export function fire() { globalThis.resolveX({ toJSON() { for (;;) {} } }); return 1 }
`}, Config{PoolSize: 1})
	waiting := start(e, context.Background(), newSocket("x"), "m.wait", "")
	waitTaken(t, e)
	for waiting.starts.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	runCall(t, e, ctxWithTimeout(t, 200*time.Millisecond), newSocket("t"), "m.fire", "")
	select {
	case <-waiting.finished:
		if !errors.Is(waiting.err, ErrAborted) {
			t.Fatalf("the awaiting call: %s, %v; want ErrAborted", waiting.res.Data, waiting.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the awaiting call was never answered")
	}
}

// TestTimerThrowNotConvertible: converting what a timer callback threw
// (for the log) runs JS too, within the run's bound: a toString that never
// ends is interrupted, and the worker and Close go on. Found in review.
func TestTimerThrowNotConvertible(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function later() { setTimeout(() => { throw { toString() { for (;;) {} } } }, 10); return 1 }
export function one() { return 1 }
`}, Config{PoolSize: 1, TimerRunLimit: 100 * time.Millisecond})
	ok(t, runCall(t, e, context.Background(), newSocket("a"), "m.later", ""), "1")
	time.Sleep(50 * time.Millisecond) // the timer fires and its callback throws
	ok(t, runCall(t, e, ctxWithTimeout(t, 10*time.Second), newSocket("b"), "m.one", ""), "1")
}

// TestModuleThrowNotConvertible: a module whose top-level code throws a
// value that cannot be converted (a toString that never ends, or throws)
// fails the build, within the module timeout. Found in review: the thrown
// value was described after the bound had been lifted.
func TestModuleThrowNotConvertible(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"endless": "throw { toString() { for (;;) {} } }\nexport function one() { return 1 }\n",
		"throws":  "throw { toString() { throw 1 } }\nexport function one() { return 1 }\n",
	} {
		dir := writeScripts(t, map[string]string{"m.js": src})
		done := make(chan error, 1)
		go func() {
			_, err := New(context.Background(), Config{Dir: dir, ModuleTimeout: 200 * time.Millisecond})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "m.js") {
				t.Errorf("%s: New = %v, want a build error naming m.js", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the build hangs", name)
		}
	}
}
