package host_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu       sync.Mutex
	answers  []host.Answer
	opened   map[string]int
	refused  map[string]int // protocol + " " + reason
	closed   map[string]int // protocol + " " + reason
	in, out  map[string]int // frames by protocol
	inBytes  int
	outBytes int
	closedCh chan struct{}
}

func newRecorder() *recorder {
	return &recorder{opened: map[string]int{}, refused: map[string]int{}, closed: map[string]int{},
		in: map[string]int{}, out: map[string]int{}, closedCh: make(chan struct{}, 16)}
}

func (r *recorder) Answered(a host.Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a.Event = string([]byte(a.Event)) // valid only during the call
	r.answers = append(r.answers, a)
}

func (r *recorder) ConnOpened(p string) { r.mu.Lock(); r.opened[p]++; r.mu.Unlock() }

func (r *recorder) ConnRefused(p, reason string) {
	r.mu.Lock()
	r.refused[p+" "+reason]++
	r.mu.Unlock()
}

func (r *recorder) ConnClosed(p, reason string) {
	r.mu.Lock()
	r.closed[p+" "+reason]++
	r.mu.Unlock()
	r.closedCh <- struct{}{}
}

func (r *recorder) FrameIn(p string, n int) {
	r.mu.Lock()
	r.in[p]++
	r.inBytes += n
	r.mu.Unlock()
}

func (r *recorder) FrameOut(p string, n int) {
	r.mu.Lock()
	r.out[p]++
	r.outBytes += n
	r.mu.Unlock()
}

// codes returns the answers' codes by event.
func (r *recorder) codes() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string][]string{}
	for _, a := range r.answers {
		m[a.Event] = append(m[a.Event], string(a.Code))
	}
	return m
}

func TestObserver(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	slowGate := make(chan struct{})
	h := host.HandlerFunc(func(ctx context.Context, call *host.Call) (host.Reply, error) {
		switch call.Event {
		case "echo":
			return host.Reply{Data: call.Data}, nil
		case "slow":
			select {
			case <-slowGate:
			case <-ctx.Done():
			}
			return host.Reply{}, ctx.Err()
		}
		return host.Reply{}, &codedError{"unknown_event", call.Event}
	})
	// slow blocks the dispatching goroutine: a Go handler that never
	// returns before its deadline; the host's own timeout answers it.
	srv := newServer(t, asyncHandler{h}, host.Config{Observer: rec, CallTimeout: 200 * time.Millisecond, MaxInflight: 2, SendBuffer: 8})

	c := wstest.Dial(t, srv.wsURL)
	wstest.WantReply(t, c.CallID(t, "1", "echo", `{"a":1}`), "1", `{"a":1}`)
	wstest.WantErrorReply(t, c.CallID(t, "2", "nope", ``), "2", "unknown_event")
	c.Send(t, `{"event":`)
	wstest.WantErrorPush(t, c.Next(t), "bad_request", "")
	wstest.WantErrorReply(t, c.CallID(t, "3", "slow", ``), "3", "timeout")
	close(slowGate)

	// Refusals: origin, then shutdown.
	hdr := http.Header{"Origin": {"http://elsewhere.example"}}
	if ws, r := wstest.TryDial(t, srv.wsURL, hdr); ws != nil || r.Status != http.StatusForbidden {
		t.Fatalf("foreign origin: %d", r.Status)
	}
	_ = c.Conn().Close()
	select {
	case <-rec.closedCh:
	case <-time.After(safety):
		t.Fatal("no ConnClosed")
	}

	got := rec.codes()
	for event, want := range map[string]string{"echo": "ok", "nope": "unknown_event", "": "bad_request", "slow": "timeout"} {
		if len(got[event]) != 1 || got[event][0] != want {
			t.Errorf("answers of %q: %v, want [%s]", event, got[event], want)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, a := range rec.answers {
		if a.Protocol != host.ProtocolNative {
			t.Errorf("answer protocol %q", a.Protocol)
		}
		if a.Event == "slow" && a.Duration < 200*time.Millisecond {
			t.Errorf("timeout answered after %s, before the call timeout", a.Duration)
		}
		if a.Event == "" && a.Duration != 0 {
			t.Errorf("bad_request duration %s, want 0", a.Duration)
		}
	}
	if rec.opened[host.ProtocolNative] != 1 || rec.closed["native "+host.ReasonConnectionLost] != 1 {
		t.Errorf("opened %v closed %v", rec.opened, rec.closed)
	}
	if rec.refused["native "+host.RefusedOrigin] != 1 {
		t.Errorf("refused %v", rec.refused)
	}
	if rec.in[host.ProtocolNative] != 4 || rec.out[host.ProtocolNative] != 4 || rec.inBytes == 0 || rec.outBytes == 0 {
		t.Errorf("frames in %v (%d B) out %v (%d B), want 4 each way", rec.in, rec.inBytes, rec.out, rec.outBytes)
	}
}

// asyncHandler runs a HandlerFunc on a goroutine of its own, as the engine
// runs calls off the dispatching goroutine.
type asyncHandler struct{ h host.HandlerFunc }

func (a asyncHandler) Call(ctx context.Context, call *host.Call) {
	call.Started()
	go func() { call.Done(a.h(ctx, call)) }()
}

func TestObserverOverloadedAndShutdown(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	hold := newHolder(true, "held")
	srv := newServer(t, hold, host.Config{Observer: rec, MaxInflight: 1, SendBuffer: 8})
	c := wstest.Dial(t, srv.wsURL)
	c.Send(t, wstest.Request("1", "held", ""))
	hold.next(t)
	wstest.WantErrorReply(t, c.CallID(t, "2", "more", ""), "2", "overloaded")
	shutdownPastGrace(t, srv, 50*time.Millisecond)
	if ws, r := wstest.TryDial(t, srv.wsURL, nil); ws != nil || r.Status != http.StatusServiceUnavailable {
		t.Fatalf("dial while draining: %d", r.Status)
	}
	got := rec.codes()
	if len(got["more"]) != 1 || got["more"][0] != "overloaded" {
		t.Errorf("answers of more: %v", got["more"])
	}
	if len(got["held"]) != 1 || got["held"][0] != "overloaded" {
		t.Errorf("answers of held (aborted by shutdown): %v", got["held"])
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.refused["native "+host.RefusedShutdown] != 1 || rec.closed["native "+host.ReasonServerShutdown] != 1 {
		t.Errorf("refused %v closed %v", rec.refused, rec.closed)
	}
}
