package wstest_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/internal/wstest"
)

// handler serves the events of these tests:
//
//	echo    replies its data, text or binary
//	fail    fails with bad_request "no"
//	push    pushes "tick" with its data, then replies null
//	bye     closes the connection with 4001 "bye"
var handler = host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
	switch call.Event {
	case "echo":
		return host.Reply{Data: call.Data, Binary: call.Binary}, nil
	case "fail":
		return host.Reply{}, protocol.Errorf(protocol.CodeBadRequest, "no")
	case "push":
		return host.Reply{}, call.Conn.Emit("tick", host.Payload{Data: call.Data})
	case "bye":
		return host.Reply{}, call.Conn.Close(4001, "bye")
	}
	return host.Reply{}, protocol.Errorf(protocol.CodeUnknownEvent, "%s", call.Event)
})

// serve starts handler behind host on loopback and returns the /ws URL.
func serve(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer(host.New(handler, host.Config{Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(ts.Close)
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
}

func TestClient(t *testing.T) {
	t.Parallel()
	url := serve(t)
	c := wstest.Dial(t, url)

	c.OK(t, "echo", `{"a": [1, 2]}`, `{"a":[1,2]}`)
	if msg := c.Fails(t, "fail", "", "bad_request"); msg != "no" {
		t.Errorf("Fails message %q, want no", msg)
	}
	wstest.WantReply(t, c.CallID(t, `"x"`, "echo", `[1]`), `"x"`, `[1]`)
	wstest.WantErrorReply(t, c.CallID(t, "9", "nope", ""), "9", "unknown_event")
	c.Send(t, wstest.Request("", "nope", ""))
	wstest.WantErrorPush(t, c.Next(t), "unknown_event", "nope")

	id := c.Request(t, "push", `"p"`)
	f, pushes := c.Reply(t, id)
	if f.ID != id || f.Error != nil || string(f.Data) != "null" {
		t.Errorf("reply %v, want %s with data null", f, id)
	}
	if len(pushes) != 1 || string(wstest.WantPush(t, pushes[0], "tick")) != `"p"` {
		t.Errorf("pushes %v, want one tick", pushes)
	}

	c.SendBinary(t, wstest.BinaryFrame(`{"event":"echo","id":5}`, []byte{1, 2, 3}))
	env, payload := wstest.WantBinary(t, c.Next(t))
	if string(env) != `{"id":5}` || string(payload) != "\x01\x02\x03" {
		t.Errorf("binary reply %s %q", env, payload)
	}
	c.Sync(t)

	c.Send(t, wstest.Request(`"b"`, "bye", ""))
	n, err := c.Closed(t)
	if n > 1 || !wstest.IsClose(err, 4001, "bye") { // the reply may not make it
		t.Errorf("Closed = %d, %v; want at most the reply, then close 4001 bye", n, err)
	}
	if _, ok := <-c.Frames(); ok {
		t.Error("Frames still open after the end")
	}
}

func TestWantClose(t *testing.T) {
	t.Parallel()
	c := wstest.Dial(t, serve(t))
	c.Write(t, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	c.WantClose(t, websocket.CloseNormalClosure, "*")
}

// TestCleanupStopsAFullReader: a client that stopped reading (its queue is
// full) is stopped by the test's Cleanup, which closes the connection and
// waits for the reader.
func TestCleanupStopsAFullReader(t *testing.T) {
	t.Parallel()
	url := serve(t)
	t.Run("full", func(t *testing.T) {
		c := wstest.DialWith(t, url, wstest.Options{Buffer: 1})
		for range 3 {
			c.Send(t, wstest.Request("1", "echo", ""))
		}
		// The first reply is queued; the reader holds the second, so the
		// third waits in the socket.
		if f := c.Next(t); f.ID != "1" {
			t.Fatalf("got %v", f)
		}
		if f := c.Next(t); f.ID != "1" {
			t.Fatalf("got %v", f)
		}
	})
	// Reaching here means the subtest's Cleanup returned.
}

func TestRefused(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "members only", http.StatusForbidden)
	}))
	t.Cleanup(ts.Close)
	ws, r := wstest.TryDial(t, "ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	wstest.WantRefused(t, ws, r, http.StatusForbidden, "members only")

	ws, r = wstest.TryDial(t, serve(t), nil)
	if ws == nil || r.Status != http.StatusSwitchingProtocols {
		t.Fatalf("TryDial = %v, %+v; want a connection", ws, r)
	}
	wstest.New(t, ws, wstest.Options{}).OK(t, "echo", "1", "1")
}

func TestJSONEqual(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[2]}`, `{ "b": [2], "a": 1 }`, true},
		{`1`, `1.0`, true},
		{`"x"`, `"y"`, false},
		{`not json`, `not json`, true},
		{`not json`, `"not json"`, false},
	} {
		if got := wstest.JSONEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("JSONEqual(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	m := wstest.Object(t, json.RawMessage(`{"k":"v"}`), "k")
	if wstest.Str(t, m["k"]) != "v" {
		t.Error("Object/Str")
	}
}
