package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

// TestSequencing: a connection's second request is not handed to the handler
// before the first's Started; two connections' calls overlap; replies
// complete in the order of Done and correlate by id.
func TestSequencing(t *testing.T) {
	t.Parallel()
	h := newHolder(false, "a", "b", "c")
	srv := newServer(t, h, host.Config{})
	c1, c2 := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)

	c1.Send(t, wstest.Request("1", "a", `"A"`))
	a := h.next(t)
	if a.Event != "a" || string(a.Data) != `"A"` {
		t.Fatalf("first call %s %s", a.Event, a.Data)
	}
	c1.Send(t, wstest.Request("2", "b", `"B"`))
	// sync's answer is written after the read goroutine has taken in "b":
	// had "b" been handed over, it would be in h.calls by now.
	c1.Sync(t)
	h.none(t)

	// Another connection is not held back by c1's unstarted call.
	c2.Send(t, wstest.Request("10", "c", `"C"`))
	cc := h.next(t)
	if cc.Event != "c" || cc.Conn == a.Conn {
		t.Fatalf("second connection's call: %s on the same Conn %v", cc.Event, cc.Conn == a.Conn)
	}

	a.Started()
	b := h.next(t)
	if b.Event != "b" || string(b.Data) != `"B"` || b.Conn != a.Conn {
		t.Fatalf("after Started: call %s %s", b.Event, b.Data)
	}
	b.Started()
	cc.Started()

	// Complete out of order: b, then a.
	b.Done(host.Reply{Data: []byte(`"done B"`)}, nil)
	a.Done(host.Reply{Data: []byte(`"done A"`)}, nil)
	cc.Done(host.Reply{Data: []byte(`"done C"`)}, nil)
	wstest.WantReply(t, c1.Next(t), `2`, `"done B"`)
	wstest.WantReply(t, c1.Next(t), `1`, `"done A"`)
	wstest.WantReply(t, c2.Next(t), `10`, `"done C"`)
	c1.Sync(t)
	c2.Sync(t)
}

// TestSequencingKeepsArrivalOrder: many requests on one connection reach the
// handler in arrival order, each only after the previous one started.
func TestSequencingKeepsArrivalOrder(t *testing.T) {
	t.Parallel()
	h := newHolder(false, "q")
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	const n = 20
	for i := range n {
		c.Send(t, wstest.Request(fmt.Sprint(i), "q", fmt.Sprint(i)))
	}
	c.Sync(t)
	var calls []held
	for i := range n {
		call := h.next(t)
		if string(call.Data) != fmt.Sprint(i) {
			t.Fatalf("call %d has data %s", i, call.Data)
		}
		h.none(t) // the next waits for this one's Started
		calls = append(calls, call)
		call.Started()
	}
	for i := n - 1; i >= 0; i-- {
		calls[i].Done(host.Reply{Data: calls[i].Data}, nil)
	}
	for i := n - 1; i >= 0; i-- {
		wstest.WantReply(t, c.Next(t), fmt.Sprint(i), fmt.Sprint(i))
	}
}

func TestMaxInflight(t *testing.T) {
	t.Parallel()
	h := newHolder(true, "hold")
	c := wstest.Dial(t, newServer(t, h, host.Config{MaxInflight: 3}).wsURL)
	for i := 1; i <= 6; i++ {
		c.Send(t, wstest.Request(fmt.Sprint(i), "hold", fmt.Sprint(i)))
	}
	c.Send(t, wstest.Request("", "hold", `"no id"`))
	// Requests 4..6 and the one without id are refused at once, while 1..3
	// are still held.
	answered := map[string]int{}
	for i := 4; i <= 6; i++ {
		id := fmt.Sprint(i)
		msg := wstest.WantErrorReply(t, c.Next(t), id, "overloaded")
		if !strings.Contains(msg, "limit 3") {
			t.Errorf("overloaded message %q, want it to name the limit", msg)
		}
		answered[id]++
	}
	wstest.WantErrorPush(t, c.Next(t), "overloaded", "hold")
	c.Sync(t)

	var calls []held
	for range 3 {
		calls = append(calls, h.next(t))
	}
	h.none(t)
	for _, call := range calls {
		call.Done(host.Reply{Data: call.Data}, nil)
	}
	for range 3 {
		f := c.Next(t)
		m := wstest.Object(t, f.Raw, "id", "data")
		if string(m["id"]) != string(m["data"]) {
			t.Errorf("reply %s does not match its request", f.Raw)
		}
		answered[string(m["id"])]++
	}
	c.Sync(t) // nothing else is owed
	for i := 1; i <= 6; i++ {
		if n := answered[fmt.Sprint(i)]; n != 1 {
			t.Errorf("id %d answered %d times, want once", i, n)
		}
	}

	// The slots are free again.
	c.Send(t, wstest.Request("7", "hold", "7"))
	call := h.next(t)
	call.Done(host.Reply{Data: call.Data}, nil)
	wstest.WantReply(t, c.Next(t), `7`, `7`)
}

// TestTimeoutUnfinishedCall: a call whose handler never calls Done is
// answered with timeout once Config.CallTimeout has passed.
func TestTimeoutUnfinishedCall(t *testing.T) {
	t.Parallel()
	h := newHolder(true, "stuck")
	c := wstest.Dial(t, newServer(t, h, host.Config{CallTimeout: 200 * time.Millisecond}).wsURL)
	c.Send(t, wstest.Request(`"t1"`, "stuck", ""))
	h.next(t) // never Done
	if msg := wstest.WantErrorReply(t, c.Next(t), `"t1"`, "timeout"); msg != "call did not finish within 200ms" {
		t.Errorf("timeout message %q", msg)
	}
}

// TestTimeoutFromContext: a handler that gives up when its ctx ends and
// reports ctx.Err() gets a timeout reply, and the ctx carries CallTimeout.
func TestTimeoutFromContext(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	deadlines := make(chan time.Duration, 1)
	h := handlerFunc(func(ctx context.Context, call *host.Call) {
		call.Started()
		d, _ := ctx.Deadline()
		deadlines <- time.Until(d)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ctx.Done()
			call.Done(host.Reply{}, ctx.Err())
		}()
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{CallTimeout: 200 * time.Millisecond}).wsURL)
	c.Send(t, wstest.Request(`"t1"`, "slow", ""))
	if msg := wstest.WantErrorReply(t, c.Next(t), `"t1"`, "timeout"); msg != "call did not finish within 200ms" {
		t.Errorf("timeout message %q", msg)
	}
	if d := <-deadlines; d <= 0 || d > 200*time.Millisecond {
		t.Errorf("ctx deadline %s away, want within the 200ms call timeout", d)
	}
}

// TestDeadlineFromArrival: a request queued behind an unstarted one gets a
// deadline counted from its arrival, not from when it reaches the handler.
func TestDeadlineFromArrival(t *testing.T) {
	t.Parallel()
	const timeout = time.Minute
	h := newHolder(false, "q")
	c := wstest.Dial(t, newServer(t, h, host.Config{CallTimeout: timeout}).wsURL)
	c.Send(t, wstest.Request("1", "q", ""))
	first := h.next(t)
	c.Send(t, wstest.Request("2", "q", ""))
	c.Sync(t) // "2" has arrived and waits
	release := time.Now()
	first.Started()
	second := h.next(t)
	second.Started()
	d, ok := second.ctx.Deadline()
	if !ok {
		t.Fatal("the call's ctx has no deadline")
	}
	// "2" arrived before release, so a deadline counted from its arrival is
	// before release+timeout; one counted from its dispatch is not.
	if !d.Before(release.Add(timeout)) {
		t.Errorf("deadline %s after release+timeout %s: counted from dispatch", d, release.Add(timeout))
	}
	first.Done(host.Reply{}, nil)
	second.Done(host.Reply{}, nil)
	wstest.WantReply(t, c.Next(t), `1`, `null`)
	wstest.WantReply(t, c.Next(t), `2`, `null`)
}

// handlerFunc adapts a function to host.Handler as it is, unlike
// host.HandlerFunc which calls Done and Started itself.
type handlerFunc func(ctx context.Context, call *host.Call)

func (f handlerFunc) Call(ctx context.Context, call *host.Call) { f(ctx, call) }

// TestDoneTwice: only a call's first Done counts; Started likewise.
func TestDoneTwice(t *testing.T) {
	t.Parallel()
	h := handlerFunc(func(_ context.Context, call *host.Call) {
		call.Started()
		call.Started()
		call.Done(host.Reply{Data: []byte(`"first"`)}, nil)
		call.Done(host.Reply{Data: []byte(`"second"`)}, nil)
		call.Done(host.Reply{}, fmt.Errorf("third"))
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{MaxInflight: 1}).wsURL)
	for i := range 3 { // MaxInflight 1: a leaked slot would refuse the next
		wstest.WantReply(t, c.CallID(t, fmt.Sprint(i), "x", ""), fmt.Sprint(i), `"first"`)
		c.Sync(t)
	}
}

// TestPanicKeepsServing: a panicking handler neither kills the server nor
// shows its panic text; the client is told internal.
func TestPanicKeepsServing(t *testing.T) {
	t.Parallel()
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		if call.Event == "boom" {
			panic("secret panic text")
		}
		return host.Reply{Data: call.Data}, nil
	})
	srv := newServer(t, h, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	c.Send(t, wstest.Request("1", "boom", ""))
	f := c.Next(t)
	// The host answers with a push today and a reply would be better (see
	// TestPanicRepliesAndConnectionServes); either must say internal and
	// nothing more.
	var m map[string]json.RawMessage
	if err := json.Unmarshal(f.Raw, &m); err != nil {
		t.Fatalf("after a panic the client got %v", f)
	}
	var msg string
	if _, ok := m["id"]; ok {
		msg = wstest.WantErrorReply(t, f, `1`, "internal")
	} else {
		e := wstest.Object(t, wstest.WantPush(t, f, "error"), "code", "message", "event")
		if code := wstest.Str(t, e["code"]); code != "internal" {
			t.Errorf("after a panic the client got %s", f.Raw)
		}
		msg = wstest.Str(t, e["message"])
	}
	if msg != "internal error" {
		t.Errorf("panic message %q, want %q", msg, "internal error")
	}
	// The server keeps serving other connections.
	c2 := wstest.Dial(t, srv.wsURL)
	wstest.WantReply(t, c2.CallID(t, "2", "echo", `"still here"`), `2`, `"still here"`)
	// The panicking connection stays open and its frames are still read.
	c.Sync(t)
}

func TestPanicRepliesAndConnectionServes(t *testing.T) {
	t.Parallel()
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		if call.Event == "boom" {
			panic("secret panic text")
		}
		return host.Reply{Data: call.Data}, nil
	})
	srv := newServer(t, h, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	if f := c.CallID(t, "1", "boom", ""); string(f.Raw) != `{"id":1,"error":{"code":"internal","message":"internal error"}}` {
		t.Errorf("the panicking request was answered with %v, want an internal reply to id 1", f)
	}
	wstest.WantReply(t, c.CallID(t, "2", "echo", `"next"`), `2`, `"next"`)
}
