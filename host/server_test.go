package host_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

// padded returns an echo request of exactly size bytes.
func padded(t testing.TB, id string, size int) string {
	t.Helper()
	head := wstest.Request(id, "echo", `"`)
	n := size - (len(head) - 1) - len(`"}`)
	if n < 0 {
		t.Fatalf("a request of %d bytes is too small", size)
	}
	s := head[:len(head)-1] + strings.Repeat("x", n) + `"}`
	if len(s) != size {
		t.Fatalf("built %d bytes, want %d", len(s), size)
	}
	return s
}

func TestMaxMessage(t *testing.T) {
	t.Parallel()
	const limit = 1024
	tests := []struct {
		name     string
		size     int
		wantPush bool // payload_too_large before the 1009 close
	}{
		{name: "over the limit", size: 2000, wantPush: true},
		{name: "one over the limit", size: limit + 1, wantPush: true},
		{name: "past the slack", size: 200 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := make(chan *host.Call, 8)
			h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
				calls <- call
				return host.Reply{Data: call.Data}, nil
			})
			c := wstest.Dial(t, newServer(t, h, host.Config{MaxMessage: limit}).wsURL)
			// A frame of exactly the limit is accepted.
			exact := padded(t, "1", limit)
			c.Send(t, exact)
			wstest.WantReply(t, c.Next(t), `1`, exact[len(`{"event":"echo","id":1,"data":`):limit-1])
			conn := (<-calls).Conn

			// The server may stop reading a frame past the slack before its
			// end, so the writes may fail: what counts is the close.
			c.TrySend(padded(t, "2", tt.size))
			// A request right behind the oversized frame is not served.
			c.TrySend(wstest.Request("3", "echo", "3"))
			if tt.wantPush {
				msg := wstest.WantErrorPush(t, c.Next(t), "payload_too_large", "")
				if !strings.Contains(msg, "1024") {
					t.Errorf("message %q, want it to name the limit", msg)
				}
			}
			c.WantClose(t, websocket.CloseMessageTooBig, "*")
			// Done closes after the read goroutine, the one that serves
			// frames, has stopped.
			closedWithin(t, conn.Done(), "Conn.Done")
			select {
			case call := <-calls:
				t.Errorf("served %s after the oversized frame", call.Data)
			default:
			}
		})
	}
}

// TestSlowConsumer: a client that does not read while the server pushes is
// disconnected with 4008 once its SendBuffer fills, and Emit reports it;
// with a send buffer shorter and longer than the part handed to melody.
func TestSlowConsumer(t *testing.T) {
	t.Parallel()
	for _, buffer := range []int{8, 64} {
		t.Run(fmt.Sprint("buffer ", buffer), func(t *testing.T) {
			t.Parallel()
			testSlowConsumer(t, buffer)
		})
	}
}

func testSlowConsumer(t *testing.T, buffer int) {
	h := newHolder(true, "flood")
	srv := newServer(t, h, host.Config{SendBuffer: buffer})
	ws := wstest.DialRaw(t, srv.wsURL, nil)
	if err := ws.WriteMessage(websocket.TextMessage, []byte(wstest.Request("", "flood", ""))); err != nil {
		t.Fatal(err)
	}
	call := h.next(t)

	type result struct {
		sent      int
		err, then error
	}
	res := make(chan result, 1)
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	wg.Go(func() {
		push := []byte(`"` + strings.Repeat("p", 16<<10) + `"`)
		var r result
		for r.sent = 0; r.sent < 4000; r.sent++ {
			if r.err = call.Conn.Emit("flood", host.Payload{Data: push}); r.err != nil {
				break
			}
		}
		if r.err != nil {
			r.then = call.Conn.Emit("flood", host.Payload{Data: push})
		}
		call.Done(host.Reply{}, nil)
		res <- r
	})
	var r result
	select {
	case r = <-res:
	case <-time.After(safety):
		t.Fatal("the emitter did not finish")
	}
	if !errors.Is(r.err, host.ErrConnClosed) || !errors.Is(r.then, host.ErrConnClosed) {
		t.Fatalf("after %d pushes Emit returned %v, then %v; want host.ErrConnClosed", r.sent, r.err, r.then)
	}
	t.Logf("Emit failed after %d pushes of 16 KiB", r.sent)

	// Now read: data frames, then the 4008 close.
	_ = ws.SetReadDeadline(time.Now().Add(safety))
	frames := 0
	var err error
	for {
		if _, _, err = ws.ReadMessage(); err != nil {
			break
		}
		frames++
	}
	t.Logf("%d frames before the end", frames)
	wstest.WantCloseError(t, err, host.CloseSlowConsumer, "*")
	closedWithin(t, call.Conn.Done(), "Conn.Done")
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		allow  []string
		origin string // "self" stands for the server's own origin
		want   int
	}{
		{name: "no origin", want: http.StatusSwitchingProtocols},
		{name: "own host", origin: "self", want: http.StatusSwitchingProtocols},
		{name: "foreign", origin: "https://evil.example", want: http.StatusForbidden},
		{name: "own host as a prefix", origin: "self.evil.example", want: http.StatusForbidden},
		{name: "null origin", origin: "null", want: http.StatusForbidden},
		{name: "foreign allowed", allow: []string{"https://app.example", "https://evil.example"}, origin: "https://evil.example", want: http.StatusSwitchingProtocols},
		{name: "foreign not in the list", allow: []string{"https://app.example"}, origin: "https://evil.example", want: http.StatusForbidden},
		{name: "star", allow: []string{"*"}, origin: "https://anything.example", want: http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, echo, host.Config{AllowOrigins: tt.allow})
			h := http.Header{}
			switch {
			case strings.HasPrefix(tt.origin, "self"):
				h.Set("Origin", strings.Replace(tt.origin, "self", srv.http.URL, 1))
			case tt.origin != "":
				h.Set("Origin", tt.origin)
			}
			d := websocket.Dialer{HandshakeTimeout: safety}
			ws, resp, err := d.Dial(srv.wsURL, h)
			if ws != nil {
				t.Cleanup(func() { _ = ws.Close() })
			}
			if resp == nil {
				t.Fatalf("dial: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("origin %q: HTTP %d (%v), want %d", h.Get("Origin"), resp.StatusCode, err, tt.want)
			}
			if tt.want != http.StatusSwitchingProtocols {
				if !errors.Is(err, websocket.ErrBadHandshake) {
					t.Errorf("dial error %v, want ErrBadHandshake", err)
				}
				return
			}
			if err := ws.WriteMessage(websocket.TextMessage, []byte(wstest.Request("1", "echo", "1"))); err != nil {
				t.Fatal(err)
			}
			_ = ws.SetReadDeadline(time.Now().Add(safety))
			_, b, err := ws.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			wstest.WantReply(t, wstest.Frame{Raw: b}, `1`, `1`)
		})
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	srv := newServer(t, echo, host.Config{Status: func() any {
		return map[string]any{"pool": 3, "mode": "isolated"}
	}})
	code, body := srv.health(t)
	if code != http.StatusOK || string(body["ok"]) != "true" || string(body["connections"]) != "0" {
		t.Errorf("idle: HTTP %d %v", code, body)
	}
	if string(body["status"]) != `{"mode":"isolated","pool":3}` {
		t.Errorf("status %s", body["status"])
	}
	if _, ok := body["uptime"]; !ok {
		t.Error("no uptime")
	}
	for range 2 {
		c := wstest.Dial(t, srv.wsURL)
		c.Sync(t) // registered with melody by now
	}
	if code, body := srv.health(t); code != http.StatusOK || string(body["connections"]) != "2" {
		t.Errorf("two clients: HTTP %d connections %s", code, body["connections"])
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections() = %d, want 2", n)
	}

	bare := newServer(t, echo, host.Config{})
	if _, body := bare.health(t); body["status"] != nil {
		t.Errorf("status without Config.Status: %s", body["status"])
	}
}

func TestShutdownDrains(t *testing.T) {
	t.Parallel()
	h := newHolder(true, "hold")
	srv := newServer(t, h, host.Config{})
	busy, idle := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)
	idle.Sync(t) // both registered
	busy.Send(t, wstest.Request(`"held"`, "hold", ""))
	held := h.next(t)

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	srv.waitDraining(t)
	if _, body := srv.health(t); string(body["ok"]) != "false" {
		t.Errorf("draining: /healthz ok %s, want false", body["ok"])
	}

	for _, c := range []*wstest.Client{idle, busy} {
		msg := wstest.WantErrorReply(t, c.CallID(t, `"late"`, "echo", "1"), `"late"`, "overloaded")
		if !strings.Contains(msg, "shutting down") {
			t.Errorf("draining message %q", msg)
		}
	}
	idle.Send(t, wstest.Request("", "echo", "1"))
	wstest.WantErrorPush(t, idle.Next(t), "overloaded", "echo")
	// New connections are refused while draining.
	d := websocket.Dialer{HandshakeTimeout: safety}
	if ws, resp, err := d.Dial(srv.wsURL, nil); err == nil {
		ws.Close()
		t.Error("a new connection was accepted while draining")
	} else if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial while draining: %v", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a call in flight", err)
	default:
	}

	held.Done(host.Reply{Data: []byte(`"finished"`)}, nil)
	wstest.WantReply(t, busy.Next(t), `"held"`, `"finished"`)
	busy.WantClose(t, websocket.CloseGoingAway, "server shutting down")
	idle.WantClose(t, websocket.CloseGoingAway, "server shutting down")
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(safety):
		t.Fatal("Shutdown did not return")
	}
	closedWithin(t, held.Conn.Done(), "Conn.Done")
}

func TestShutdownDeadline(t *testing.T) {
	t.Parallel()
	h := newHolder(true, "hold")
	srv := newServer(t, h, host.Config{})
	busy, idle := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)
	idle.Sync(t)
	busy.Send(t, wstest.Request("1", "hold", ""))
	held := h.next(t)
	t.Cleanup(func() { held.Done(host.Reply{}, nil) })

	shutdownPastGrace(t, srv, 200*time.Millisecond)
	// The call still open when the grace period ended is answered, then
	// both connections are closed with 1001.
	wstest.WantErrorReply(t, busy.Next(t), `1`, "overloaded")
	busy.WantClose(t, websocket.CloseGoingAway, "server shutting down")
	idle.WantClose(t, websocket.CloseGoingAway, "server shutting down")
	closedWithin(t, held.Conn.Done(), "Conn.Done")
}

func TestConnClose(t *testing.T) {
	t.Parallel()
	calls := make(chan *host.Call, 8)
	h := handlerFunc(func(_ context.Context, call *host.Call) {
		calls <- call
		call.Started()
		call.Done(host.Reply{Data: []byte(`"bye"`)}, nil)
		_ = call.Conn.Close(4001, "go away")
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	c.Send(t, wstest.Request("1", "bye", ""))
	c.TrySend(wstest.Request("2", "behind", "")) // not served: a close is queued
	wstest.WantReply(t, c.Next(t), `1`, `"bye"`)
	c.WantClose(t, 4001, "go away")
	conn := (<-calls).Conn
	closedWithin(t, conn.Done(), "Conn.Done")
	select {
	case call := <-calls:
		t.Errorf("served %q after Conn.Close", call.Event)
	default:
	}
	if err := conn.Emit("late", host.Payload{}); !errors.Is(err, host.ErrConnClosed) {
		t.Errorf("Emit after the end = %v, want host.ErrConnClosed", err)
	}
}

func TestConnIdentity(t *testing.T) {
	t.Parallel()
	conns := make(chan *host.Conn, 8)
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		conns <- call.Conn
		id, _ := json.Marshal(call.Conn.ID())
		return host.Reply{Data: id}, nil
	})
	srv := newServer(t, h, host.Config{})
	ids := map[string]bool{}
	for range 3 {
		c := wstest.Dial(t, srv.wsURL)
		f1, f2 := c.CallID(t, "1", "who", ""), c.CallID(t, "2", "who", "")
		a, b := wstest.Str(t, wstest.Object(t, f1.Raw, "id", "data")["data"]), wstest.Str(t, wstest.Object(t, f2.Raw, "id", "data")["data"])
		if a == "" || a != b {
			t.Fatalf("one connection, ids %q and %q", a, b)
		}
		if ids[a] {
			t.Fatalf("id %q given twice", a)
		}
		ids[a] = true
		if c1, c2 := <-conns, <-conns; c1 != c2 {
			t.Error("one connection, two *Conn")
		}
	}

	// Done closes when the client goes away.
	c := wstest.Dial(t, srv.wsURL)
	c.CallID(t, "1", "who", "")
	conn := <-conns
	select {
	case <-conn.Done():
		t.Fatal("Done closed on an open connection")
	default:
	}
	c.Write(t, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	closedWithin(t, conn.Done(), "Conn.Done")
}

func TestZeroConfig(t *testing.T) {
	t.Parallel()
	srv := mount(t, host.New(echo, host.Config{})) // Logger nil too
	c := wstest.Dial(t, srv.wsURL)
	tests := []struct {
		name string
		size int
	}{
		{name: "over melody's 512", size: 600},
		{name: "10 KiB", size: 10 << 10},
		{name: "DefaultMaxMessage", size: host.DefaultMaxMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := padded(t, `"big"`, tt.size)
			c.Send(t, req)
			f := c.Next(t)
			m := wstest.Object(t, f.Raw, "id", "data")
			if string(m["id"]) != `"big"` || !bytes.Equal(m["data"], []byte(req[len(`{"event":"echo","id":"big","data":`):len(req)-1])) {
				t.Fatalf("reply to a %d-byte request: %.80s...", tt.size, f.Raw)
			}
		})
	}

	// The default limit is DefaultMaxMessage. (A discarding Logger here only
	// keeps the warning out of the test output.)
	srv = newServer(t, echo, host.Config{})
	c = wstest.Dial(t, srv.wsURL)
	c.Send(t, padded(t, `"over"`, host.DefaultMaxMessage+1))
	wstest.WantErrorPush(t, c.Next(t), "payload_too_large", "")
	c.WantClose(t, websocket.CloseMessageTooBig, "*")
}

// TestClientCloseIsAnswered: a client's close frame gets the server's close
// frame back (the closing handshake), not a dropped connection.
func TestClientCloseIsAnswered(t *testing.T) {
	t.Parallel()
	srv := newServer(t, newHolder(false), host.Config{})
	conn, _, err := websocket.DefaultDialer.Dial(srv.wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")
	if err := conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(safety)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(safety))
	_, _, err = conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("after the client's close: %v, want the server's close 1000", err)
	}
}
