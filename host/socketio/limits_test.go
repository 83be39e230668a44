package socketio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio"
)

type hold struct{}

func (hold) Call(_ context.Context, c *host.Call) { c.Started() }

// connected opens a WebSocket session connected to "/".
func connected(t *testing.T, ts interface{ Close() }, url string) *wsClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	c := &wsClient{t, ws}
	c.next() // the open packet
	c.send("40")
	if got := c.next(); !strings.HasPrefix(got, `40{"sid":`) {
		t.Fatalf("connect answer %q", got)
	}
	return c
}

func wsURL(base string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/socket.io/?EIO=4&transport=websocket"
}

// TestErrorsAreAcks: every event with an ack id gets one ack, the server's
// own errors included (unknown event, -max-inflight, shutdown's abort), and
// a failed event without one gets the event "error".
func TestErrorsAreAcks(t *testing.T) {
	t.Parallel()
	h := host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
		return host.Reply{}, &codedError{"unknown_event", "no handler for " + c.Event}
	})
	ts, _ := newServer(t, h, host.Config{}, socketio.Config{})
	c := connected(t, ts, wsURL(ts.URL))
	c.send(`425["api.nope",1]`)
	if got, want := c.next(), `435[{"error":{"code":"unknown_event","message":"no handler for api.nope"}}]`; got != want {
		t.Fatalf("ack %q, want %q", got, want)
	}
	c.send(`42["api.nope"]`)
	if got, want := c.next(), `42["error",{"code":"unknown_event","message":"no handler for api.nope","event":"api.nope"}]`; got != want {
		t.Fatalf("error event %q, want %q", got, want)
	}
}

func TestMaxInflightAndShutdownAbort(t *testing.T) {
	t.Parallel()
	ts, _, srv := newHostServer(t, hold{}, host.Config{MaxInflight: 2, SendBuffer: 8}, socketio.Config{})
	c := connected(t, ts, wsURL(ts.URL))
	c.send(`421["a"]`)
	c.send(`422["b"]`)
	c.send(`423["c"]`) // over -max-inflight
	if got := c.next(); !strings.HasPrefix(got, `433[{"error":{"code":"overloaded"`) {
		t.Fatalf("third call: %q, want an overloaded ack", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	go func() { _ = srv.Shutdown(ctx) }()
	acks := map[string]bool{}
	for len(acks) < 2 {
		got := c.next()
		if !strings.Contains(got, `"code":"overloaded"`) || !strings.Contains(got, "shutting down") {
			t.Fatalf("at shutdown: %q, want the calls in flight acked with overloaded", got)
		}
		acks[got[:3]] = true
	}
	if !acks["431"] || !acks["432"] {
		t.Fatalf("acks %v, want 431 and 432", acks)
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, _, err := c.ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("after the acks: %v, want close 1001", err)
	}
}

// TestMaxPayload: a frame over maxPayload (-max-message) closes the session.
func TestMaxPayload(t *testing.T) {
	t.Parallel()
	ts, sio := newServer(t, echo, host.Config{}, socketio.Config{MaxPayload: 1000})
	c := connected(t, ts, wsURL(ts.URL))
	c.send(`42["e","` + strings.Repeat("x", 2000) + `"]`)
	_ = c.ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			break
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for sio.Sessions() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := sio.Sessions(); n != 0 {
		t.Fatalf("%d sessions left after a frame over maxPayload", n)
	}
}

type codedError struct{ code, msg string }

func (e *codedError) Error() string     { return e.msg }
func (e *codedError) ErrorCode() string { return e.code }
