package host_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/eventhost/eventhost/host"
)

// TestBurstKeepsOrder: a burst of pushes far longer than the part of the
// send buffer handed to melody arrives whole and in order, followed by the
// reply, from a handler and from concurrent Emits of another goroutine.
func TestBurstKeepsOrder(t *testing.T) {
	t.Parallel()
	const n = 2000
	h := newHolder(true, "burst")
	srv := newServer(t, h, host.Config{SendBuffer: 2 * n})
	c := dial(t, srv.wsURL)
	c.send(t, request("1", "burst", ""))
	call := h.next(t)
	for i := range n {
		if err := call.Conn.Emit("n", fmt.Appendf(nil, "%d", i), false); err != nil {
			t.Fatalf("Emit %d: %v", i, err)
		}
	}
	call.Done(host.Reply{Data: []byte(`"end"`)}, nil)
	for i := range n {
		if got := wantPush(t, c.next(t), "n"); string(got) != fmt.Sprint(i) {
			t.Fatalf("push %d carries %s", i, got)
		}
	}
	wantReply(t, c.next(t), "1", `"end"`)
	c.sync(t)
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
	c := dial(t, url)
	wantReply(t, c.call(t, "1", "echo", `{"a":1}`), "1", `{"a":1}`)
	if n := running.Load(); n != 0 {
		t.Fatalf("%d handshake handlers still running with the connection open", n)
	}
	wantReply(t, c.call(t, "2", "echo", `[2]`), "2", `[2]`)
	if srv.Connections() != 1 {
		t.Fatalf("Connections() = %d, want 1", srv.Connections())
	}
}
