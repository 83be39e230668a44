package host_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

// TestCallContext: the context a handler gets carries the deadline (arrival
// plus the call timeout), ends with DeadlineExceeded when it passes (running
// what the handler registered with context.AfterFunc, but not what it
// stopped), and ends with Canceled once the call is answered.
func TestCallContext(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	h := newHolder(true, "hold")
	srv := newServer(t, h, host.Config{CallTimeout: timeout})
	c := wstest.Dial(t, srv.wsURL)

	sent := time.Now()
	c.Send(t, wstest.Request("1", "hold", ""))
	expiring := h.next(t)
	deadline, ok := expiring.ctx.Deadline()
	if !ok || deadline.Before(sent) || deadline.After(time.Now().Add(timeout)) {
		t.Fatalf("Deadline() = %v, %v; want about %v", deadline, ok, sent.Add(timeout))
	}
	if err := expiring.ctx.Err(); err != nil {
		t.Fatalf("Err() before the deadline = %v", err)
	}
	ran := make(chan struct{})
	context.AfterFunc(expiring.ctx, func() { close(ran) })
	stop := context.AfterFunc(expiring.ctx, func() { t.Error("a stopped AfterFunc ran") })
	if !stop() {
		t.Fatal("stop() = false before the context ended")
	}
	wstest.WantErrorReply(t, c.Next(t), `1`, "timeout")
	closedWithin(t, expiring.ctx.Done(), "ctx.Done at the deadline")
	closedWithin(t, ran, "the AfterFunc at the deadline")
	if err := expiring.ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Err() after the deadline = %v, want DeadlineExceeded", err)
	}
	expiring.Done(host.Reply{}, nil) // too late: no second reply

	c.Send(t, wstest.Request("2", "hold", ""))
	answered := h.next(t)
	done := answered.ctx.Done()
	answered.Done(host.Reply{Data: []byte(`"ok"`)}, nil)
	wstest.WantReply(t, c.Next(t), `2`, `"ok"`)
	closedWithin(t, done, "ctx.Done once answered")
	if err := answered.ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Err() once answered = %v, want Canceled", err)
	}
	late := make(chan struct{})
	context.AfterFunc(answered.ctx, func() { close(late) })
	closedWithin(t, late, "an AfterFunc registered after the end")
	c.Sync(t)
}

// TestShutdownAbortsEveryCall: when the grace period ends, Shutdown answers
// the calls of open connections (a running one, and one waiting its turn
// behind it because the first has not started) and the calls of a
// connection that already ended, and ends their contexts.
func TestShutdownAbortsEveryCall(t *testing.T) {
	t.Parallel()
	h := newHolder(false, "hold") // held calls do not let the next one start
	srv := newServer(t, h, host.Config{CallTimeout: time.Minute})
	open, gone := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)
	open.Send(t, wstest.Request("1", "hold", ""))
	running := h.next(t)
	open.Send(t, wstest.Request("2", "echo", `"behind"`))
	gone.Send(t, wstest.Request("3", "hold", ""))
	orphan := h.next(t)
	_ = gone.Conn().Close()
	closedWithin(t, orphan.Conn.Done(), "the ended connection's Done")

	shutdownPastGrace(t, srv, 100*time.Millisecond)
	for name, call := range map[string]held{"running": running, "orphaned": orphan} {
		closedWithin(t, call.ctx.Done(), name+" call's ctx.Done")
		if err := call.ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s call: Err() = %v, want Canceled", name, err)
		}
	}
	replies := map[string]wstest.Frame{}
	for range 2 {
		f := open.Next(t)
		replies[string(wstest.Object(t, f.Raw, "id", "error")["id"])] = f
	}
	wstest.WantErrorReply(t, replies["1"], `1`, "overloaded")
	wstest.WantErrorReply(t, replies["2"], `2`, "overloaded")
	h.none(t) // the waiting call never reached the handler
}

// TestExpiryFollowsEachDeadline: the calls of one connection time out each
// at its own deadline, whichever order they were answered in. The
// connection's one expiry timer is first armed for the first call's
// deadline; the first call is answered in time, so when the timer fires it
// finds nothing due and must arm itself again for the later calls, which are
// held and must each get their timeout no earlier than their deadline.
func TestExpiryFollowsEachDeadline(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	h := newHolder(true, "hold")
	srv := newServer(t, h, host.Config{CallTimeout: timeout})
	c := wstest.Dial(t, srv.wsURL)

	c.Send(t, wstest.Request("1", "hold", ""))
	first := h.next(t)
	time.Sleep(timeout / 3)
	c.Send(t, wstest.Request("2", "hold", ""))
	second := h.next(t)
	time.Sleep(timeout / 3)
	c.Send(t, wstest.Request("3", "hold", ""))
	third := h.next(t)
	first.Done(host.Reply{Data: []byte(`"in time"`)}, nil)
	wstest.WantReply(t, c.Next(t), `1`, `"in time"`)

	for _, want := range []struct {
		id   string
		call held
	}{{"2", second}, {"3", third}} {
		f := c.Next(t)
		deadline, _ := want.call.ctx.Deadline()
		if now := time.Now(); now.Before(deadline) {
			t.Fatalf("call %s: its timeout came %v before its deadline", want.id, deadline.Sub(now))
		}
		wstest.WantErrorReply(t, f, want.id, "timeout")
		closedWithin(t, want.call.ctx.Done(), "ctx.Done at the deadline") // the reply goes first
		if err := want.call.ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("call %s: Err() after the timeout = %v, want DeadlineExceeded", want.id, err)
		}
	}
	if err := first.ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("the answered call: Err() = %v, want Canceled", err)
	}
	c.Sync(t)
}

// turnHolder starts "a" calls and never answers them, never starts nor
// answers "b" calls (the connection's next request waits behind them), and
// runs "slow" calls until release is closed.
type turnHolder struct{ release chan struct{} }

func (h turnHolder) Call(_ context.Context, call *host.Call) {
	switch call.Event {
	case "a":
		call.Started()
	case "slow":
		<-h.release
		call.Done(host.Reply{Data: []byte(`"slow"`)}, nil)
		call.Started()
	}
}

// TestTimeoutsNotHeldByNextHandler: when several calls of a connection are
// due at once, each gets its timeout even while the handler of the request
// that one of them let go (it runs on the expiry's goroutine) is still
// running. Found in review: call 2's timeout let call 3 go, whose slow
// handler held back call 1's timeout. Calls 1 and 2 arrive back to back, so
// their deadlines almost always pass in one firing of the expiry; when they
// do not, the test passes without exercising that case.
func TestTimeoutsNotHeldByNextHandler(t *testing.T) {
	t.Parallel()
	h := turnHolder{release: make(chan struct{})}
	srv := newServer(t, h, host.Config{CallTimeout: 300 * time.Millisecond})
	c := wstest.Dial(t, srv.wsURL)
	c.Send(t, wstest.Request("1", "a", ""))
	c.Send(t, wstest.Request("2", "b", ""))
	time.Sleep(100 * time.Millisecond) // call 3's deadline comes later
	c.Send(t, wstest.Request("3", "slow", ""))

	timedOut := map[string]bool{}
	for range 2 {
		f := c.Next(t) // with the bug: no frame for call 1 until release
		id := string(wstest.Object(t, f.Raw, "id", "error")["id"])
		wstest.WantErrorReply(t, f, id, "timeout")
		timedOut[id] = true
	}
	if !timedOut["1"] || !timedOut["2"] {
		t.Fatalf("timeouts for %v, want calls 1 and 2", timedOut)
	}
	close(h.release)
	wstest.WantReply(t, c.Next(t), `3`, `"slow"`)
}
