package socketio_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio"
)

// echo answers every event with its arguments.
var echo = host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
	return host.Reply{Data: c.Data, Rest: c.Rest, Attachments: c.Attachments}, nil
})

// newServer serves h over Socket.IO on a loopback port, with cfg (its
// zero fields the test's short defaults).
func newServer(t testing.TB, h host.Handler, hcfg host.Config, cfg socketio.Config) (*httptest.Server, *socketio.Server) {
	t.Helper()
	ts, sio, _ := newHostServer(t, h, hcfg, cfg)
	return ts, sio
}

// newHostServer is newServer that also returns the host server.
func newHostServer(t testing.TB, h host.Handler, hcfg host.Config, cfg socketio.Config) (*httptest.Server, *socketio.Server, *host.Server) {
	t.Helper()
	if hcfg.Logger == nil {
		hcfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := host.New(h, hcfg)
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 300 * time.Millisecond
		cfg.PingTimeout = 200 * time.Millisecond
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = time.Second
	}
	cfg.Logger = hcfg.Logger
	sio := socketio.New(srv, cfg)
	srv.Handle("/socket.io/", sio)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		ts.Close()
	})
	return ts, sio, srv
}

type wsClient struct {
	t  testing.TB
	ws *websocket.Conn
}

func dialWS(t testing.TB, ts *httptest.Server, query string) *wsClient {
	t.Helper()
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=4&transport=websocket" + query
	ws, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return &wsClient{t, ws}
}

// next returns the next text frame that is not a ping (pings are answered).
func (c *wsClient) next() string {
	c.t.Helper()
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(3 * time.Second))
		typ, b, err := c.ws.ReadMessage()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if typ == websocket.TextMessage && string(b) == "2" {
			c.send("3")
			continue
		}
		if typ == websocket.BinaryMessage {
			return "bin:" + string(b)
		}
		return string(b)
	}
}

func (c *wsClient) send(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func TestWebSocketEventAndAck(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t, echo, host.Config{}, socketio.Config{})
	c := dialWS(t, ts, "")
	if open := c.next(); !strings.HasPrefix(open, `0{"sid":`) || !strings.Contains(open, `"upgrades":[]`) {
		t.Fatalf("open packet %q", open)
	}
	c.send("40")
	if got := c.next(); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("connect answer %q", got)
	}
	c.send(`421["api.echo",{"a":1},"x",2]`)
	if got, want := c.next(), `431[{"a":1},"x",2]`; got != want {
		t.Fatalf("ack %q, want %q", got, want)
	}
	c.send(`40/nope,`)
	if got, want := c.next(), `44/nope,{"message":"Invalid namespace"}`; got != want {
		t.Fatalf("unknown namespace: %q, want %q", got, want)
	}
}

func TestPollingHandshakeAndUpgrade(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t, echo, host.Config{}, socketio.Config{})
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	body := get(t, base, http.StatusOK)
	if !strings.HasPrefix(body, `0{"sid":"`) {
		t.Fatalf("open %q", body)
	}
	sid := body[len(`0{"sid":"`):]
	sid = sid[:strings.IndexByte(sid, '"')]
	post(t, base+"&sid="+sid, "40", http.StatusOK)
	if got := get(t, base+"&sid="+sid, http.StatusOK); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("connect %q", got)
	}
	post(t, base+"&sid="+sid, "42[\"e\",1]\x1e427[\"e\",2]", http.StatusOK)
	if got := get(t, base+"&sid="+sid, http.StatusOK); got != "437[2]" {
		t.Fatalf("ack %q", got)
	}
	c := dialWS(t, ts, "&sid="+sid)
	c.send("2probe")
	if got := c.next(); got != "3probe" {
		t.Fatalf("probe answer %q", got)
	}
	c.send("5")
	c.send(`429["e","after"]`)
	if got := c.next(); got != `439["after"]` {
		t.Fatalf("ack after upgrade %q", got)
	}
	get(t, base+"&sid="+sid, http.StatusBadRequest)
}

func get(t testing.TB, url string, status int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, b, status)
	}
	return string(b)
}

func post(t testing.TB, url, body string, status int) {
	t.Helper()
	resp, err := http.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("POST %s: %d %s, want %d", url, resp.StatusCode, b, status)
	}
}

// TestOrigins: polling from an allowed origin gets CORS headers (and its
// preflight an answer); any other origin is refused with 403.
func TestOrigins(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t, echo, host.Config{AllowOrigins: []string{"https://app.test"}}, socketio.Config{})
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	do := func(method, origin string) *http.Response {
		req, _ := http.NewRequest(method, base, nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if r := do(http.MethodGet, "https://app.test"); r.StatusCode != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "https://app.test" {
		t.Errorf("allowed origin: %d %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	if r := do(http.MethodOptions, "https://app.test"); r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", r.StatusCode, r.Header)
	}
	if r := do(http.MethodGet, "https://evil.test"); r.StatusCode != http.StatusForbidden {
		t.Errorf("other origin: %d, want 403", r.StatusCode)
	}
}
