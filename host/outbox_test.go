package host_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
	"github.com/gorilla/websocket"
)

// TestBurstKeepsOrder: a burst of pushes far longer than the part of the
// send buffer handed to melody arrives whole and in order, followed by the
// reply.
func TestBurstKeepsOrder(t *testing.T) {
	t.Parallel()
	const n = 2000
	c, _ := burst(t, n)
	wantBurst(t, c, n)
	c.Sync(t)
}

// burst connects to a server with room for 2n frames per connection, and
// has a handler emit n numbered pushes and answer "end". It returns the
// client and the call.
func burst(t *testing.T, n int) (*wstest.Client, held) {
	t.Helper()
	h := newHolder(true, "burst")
	srv := newServer(t, h, host.Config{SendBuffer: 2 * n})
	c := wstest.Dial(t, srv.wsURL)
	c.Send(t, wstest.Request("1", "burst", ""))
	call := h.next(t)
	for i := range n {
		if err := call.Conn.Emit("n", host.Payload{Data: fmt.Appendf(nil, "%d", i)}); err != nil {
			t.Fatalf("Emit %d: %v", i, err)
		}
	}
	call.Done(host.Reply{Data: []byte(`"end"`)}, nil)
	return c, call
}

// wantBurst reads what burst sent: the n pushes in order, then the reply.
func wantBurst(t *testing.T, c *wstest.Client, n int) {
	t.Helper()
	for i := range n {
		if got := wstest.WantPush(t, c.Next(t), "n"); string(got) != fmt.Sprint(i) {
			t.Fatalf("push %d carries %s", i, got)
		}
	}
	wstest.WantReply(t, c.Next(t), "1", `"end"`)
}

// TestHandshakeHandlerReturns: once a connection is upgraded, the net/http
// handler that upgraded it has returned (so net/http's per-connection
// buffers are let go), and the connection is served on.
func TestHandshakeHandlerReturns(t *testing.T) {
	t.Parallel()
	var running atomic.Int32
	srv := host.New(newHolder(true), host.Config{Logger: discard})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		running.Add(1)
		defer running.Add(-1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
	c := wstest.Dial(t, url)
	wstest.WantReply(t, c.CallID(t, "1", "echo", `{"a":1}`), "1", `{"a":1}`)
	if n := running.Load(); n != 0 {
		t.Fatalf("%d handshake handlers still running with the connection open", n)
	}
	wstest.WantReply(t, c.CallID(t, "2", "echo", `[2]`), "2", `[2]`)
	if srv.Connections() != 1 {
		t.Fatalf("Connections() = %d, want 1", srv.Connections())
	}
}

// TestCloseAfterBurst: a close goes out after every frame queued before it,
// however many wait behind melody's part of the queue, and nothing written
// after it goes out.
func TestCloseAfterBurst(t *testing.T) {
	t.Parallel()
	const n = 200
	c, call := burst(t, n)
	if err := call.Conn.Close(4001, "bye"); err != nil {
		t.Fatal(err)
	}
	if err := call.Conn.Emit("late", host.Payload{}); !errors.Is(err, host.ErrConnClosed) {
		t.Fatalf("Emit after Close = %v, want ErrConnClosed", err)
	}
	wantBurst(t, c, n)
	c.WantClose(t, 4001, "bye")
}

// TestShutdownAnswersEveryCallBeforeClosing: the answers Shutdown gives the
// calls still open when its grace period ends all reach the client before
// the 1001 close, far more of them than melody's part of the queue holds.
func TestShutdownAnswersEveryCallBeforeClosing(t *testing.T) {
	t.Parallel()
	const n = 50
	h := newHolder(true, "hold")
	srv := newServer(t, h, host.Config{MaxInflight: 2 * n})
	c := wstest.Dial(t, srv.wsURL)
	for i := range n {
		c.Send(t, wstest.Request(fmt.Sprint(i), "hold", ""))
	}
	for range n {
		h.next(t)
	}
	shutdownPastGrace(t, srv, 10*time.Millisecond)
	answered := map[string]bool{}
	for range n {
		f := c.Next(t)
		answered[string(wstest.Object(t, f.Raw, "id", "error")["id"])] = true
		wstest.WantErrorReply(t, f, string(wstest.Object(t, f.Raw, "id", "error")["id"]), "overloaded")
	}
	if len(answered) != n {
		t.Fatalf("%d distinct calls answered, want %d", len(answered), n)
	}
	c.WantClose(t, websocket.CloseGoingAway, "server shutting down")
}

// TestWriteAfterEnd: once a connection has ended, every write fails and
// nothing is kept for it.
func TestWriteAfterEnd(t *testing.T) {
	t.Parallel()
	h := newHolder(true, "hold")
	srv := newServer(t, h, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	c.Send(t, wstest.Request("1", "hold", ""))
	call := h.next(t)
	_ = c.Conn().Close()
	closedWithin(t, call.Conn.Done(), "Conn.Done")
	for i := range 300 {
		if err := call.Conn.Emit("late", host.Payload{}); !errors.Is(err, host.ErrConnClosed) {
			t.Fatalf("Emit %d after the end = %v, want ErrConnClosed", i, err)
		}
	}
	call.Done(host.Reply{}, nil)
}
