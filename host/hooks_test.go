package host_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/internal/wstest"
)

func TestConnectHook(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		connect func(ctx context.Context, hs *host.Handshake) ([]byte, error)
		status  int    // 0: connects
		body    string // the refusal's body
		data    string // c.Data() of a connection
	}{
		{name: "accept, no data", connect: func(context.Context, *host.Handshake) ([]byte, error) { return nil, nil }, data: `{}`},
		{name: "accept with data", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return []byte(`{"user":"ada","n":1}`), nil
		}, data: `{"user":"ada","n":1}`},
		{name: "coded error", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, &codedError{"unauthorized", "who are you?"}
		}, status: http.StatusUnauthorized, body: "who are you?"},
		{name: "other code", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, &codedError{"bad_request", "no room given"}
		}, status: http.StatusUnauthorized, body: "no room given"},
		{name: "forbidden", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, &codedError{"forbidden", "banned"}
		}, status: http.StatusForbidden, body: "banned"},
		{name: "forbidden, wrapped", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, errors.Join(errors.New("context"), protocol.Errorf("forbidden", "banned until %d", 2030))
		}, status: http.StatusForbidden, body: "banned until 2030"},
		{name: "internal code", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, &codedError{"internal", "database password is hunter2"}
		}, status: http.StatusInternalServerError, body: "internal error"},
		{name: "no code", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, errors.New("dial tcp 10.0.0.7:5432: refused")
		}, status: http.StatusInternalServerError, body: "internal error"},
		{name: "deadline", connect: func(ctx context.Context, _ *host.Handshake) ([]byte, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}, status: http.StatusServiceUnavailable, body: "the connect hook did not finish in time"},
		{name: "overloaded", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			return nil, &codedError{"overloaded", "server is overloaded: the call queue is full"}
		}, status: http.StatusServiceUnavailable, body: "server is overloaded: the call queue is full"},
		{name: "panic", connect: func(context.Context, *host.Handshake) ([]byte, error) {
			panic("boom")
		}, status: http.StatusInternalServerError, body: "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hk, l := newHooks(), newLifecycle()
			hk.connect = tt.connect
			const timeout = 300 * time.Millisecond
			srv := newServer(t, l, host.Config{Hooks: hk, CallTimeout: timeout})
			ws, r := wstest.TryDial(t, srv.wsURL, nil)
			cs := hk.connected()
			if len(cs) != 1 {
				t.Fatalf("Connect ran %d times", len(cs))
			}
			if !cs[0].ok {
				t.Error("Connect's ctx has no deadline")
			} else if d := cs[0].deadline.Sub(cs[0].hs.Time); d <= 0 || d > timeout+time.Second {
				t.Errorf("Connect's deadline %s after the handshake, want about %s", d, timeout)
			}
			if tt.status != 0 {
				wstest.WantRefused(t, ws, r, tt.status, tt.body)
				if got := r.Header.Get("WWW-Authenticate"); (tt.status == http.StatusUnauthorized) != (got == "Bearer") {
					t.Errorf("HTTP %d with WWW-Authenticate %q", tt.status, got)
				}
				// A refused connection was never accepted: no Disconnect.
				// The server lives on.
				hk.setConnect(nil)
				c := wstest.New(t, wstest.DialRaw(t, srv.wsURL, nil), wstest.Options{})
				l.hello(t, c)
				hk.noDisconnect(t)
				return
			}
			if ws == nil {
				t.Fatalf("refused: HTTP %d %q", r.Status, r.Body)
			}
			c := wstest.New(t, ws, wstest.Options{})
			conn := l.hello(t, c)
			if got := string(conn.Data()); got != tt.data {
				t.Errorf("c.Data() = %s, want %s", got, tt.data)
			}
			wstest.WantReply(t, c.CallID(t, "1", "data", ""), "1", tt.data)
		})
	}
}

// TestConnectHookNotReached: a handshake refused for its origin or its token
// never reaches Connect; the origin is checked first.
func TestConnectHookNotReached(t *testing.T) {
	t.Parallel()
	token := sign(t, jwt.SigningMethodHS256, testSecret, claims("ada"))
	tests := []struct {
		name   string
		origin string
		token  string
		status int
		body   string
	}{
		{name: "foreign origin", origin: "https://evil.example", token: token, status: http.StatusForbidden, body: "websocket: request origin not allowed by Upgrader.CheckOrigin"},
		{name: "foreign origin, no token", origin: "https://evil.example", status: http.StatusForbidden, body: "websocket: request origin not allowed by Upgrader.CheckOrigin"},
		{name: "no token", status: http.StatusUnauthorized, body: "unauthorized: missing token"},
		{name: "bad token", token: token + "x", status: http.StatusUnauthorized, body: "unauthorized: invalid signature"},
		{name: "allowed", origin: "https://app.example", token: token, status: http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hk := newHooks()
			srv := newServer(t, echo, host.Config{Hooks: hk, JWTSecret: testSecret, AllowOrigins: []string{"https://app.example"}})
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			if tt.token != "" {
				h.Set("Authorization", "Bearer "+tt.token)
			}
			ws, r := wstest.TryDial(t, srv.wsURL, h)
			if tt.status == http.StatusSwitchingProtocols {
				if ws == nil {
					t.Fatalf("refused: HTTP %d %q", r.Status, r.Body)
				}
				if n := len(hk.connected()); n != 1 {
					t.Errorf("Connect ran %d times, want 1", n)
				}
				return
			}
			wstest.WantRefused(t, ws, r, tt.status, tt.body)
			if n := len(hk.connected()); n != 0 {
				t.Errorf("Connect ran %d times for a refused handshake", n)
			}
		})
	}
}

// TestDisconnectHook: Disconnect runs once per accepted connection, after
// it ended, with the reason, while the connection is still in its rooms;
// once Done is closed it has left them.
func TestDisconnectHook(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    host.Config
		noPong bool // the client does not answer pings
		end    func(t *testing.T, srv *testServer, c *wstest.Client)
		want   string
	}{
		{name: "client close", want: host.ReasonClientClosed, end: func(t *testing.T, _ *testServer, c *wstest.Client) {
			c.Write(t, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
		}},
		{name: "client close, going away", want: host.ReasonClientClosed, end: func(t *testing.T, _ *testServer, c *wstest.Client) {
			c.Write(t, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
		}},
		{name: "connection lost", want: host.ReasonConnectionLost, end: func(t *testing.T, _ *testServer, c *wstest.Client) {
			_ = c.Conn().UnderlyingConn().Close() // no close frame
		}},
		{name: "server shutdown", want: host.ReasonServerShutdown, end: func(t *testing.T, srv *testServer, _ *wstest.Client) {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), safety)
				defer cancel()
				_ = srv.Shutdown(ctx)
			}()
		}},
		{name: "closed by script", want: host.ReasonClosedByScript, end: func(t *testing.T, _ *testServer, c *wstest.Client) {
			c.Send(t, wstest.Request("", "close", ""))
		}},
		{name: "frame too large", cfg: host.Config{MaxMessage: 1024}, want: host.ReasonFrameTooLarge, end: func(t *testing.T, _ *testServer, c *wstest.Client) {
			c.TrySend(padded(t, "1", 2000))
		}},
		{name: "frame far too large", cfg: host.Config{MaxMessage: 1024}, want: host.ReasonFrameTooLarge, end: func(t *testing.T, _ *testServer, c *wstest.Client) {
			c.TrySend(padded(t, "1", 200<<10))
		}},
		{name: "slow consumer", cfg: host.Config{SendBuffer: 8}, want: host.ReasonSlowConsumer, end: func(t *testing.T, srv *testServer, c *wstest.Client) {
			// The client reads into a channel of 64 frames, then no more.
			push := []byte(`"` + strings.Repeat("p", 64<<10) + `"`)
			for range 5000 {
				if srv.Emit("/", "flood", host.Payload{Data: push}) == 0 {
					// Read again: the 4008 close waits behind the frame
					// being written.
					go func() {
						for range c.Frames() {
						}
					}()
					return
				}
			}
			t.Fatal("Emit still reached the client after 5000 pushes of 64 KiB")
		}},
		{name: "ping timeout", cfg: host.Config{PongWait: time.Second}, noPong: true, want: host.ReasonPingTimeout, end: func(*testing.T, *testServer, *wstest.Client) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hk, l := newHooks(), newLifecycle()
			cfg := tt.cfg
			cfg.Hooks = hk
			srv := newServer(t, l, cfg)
			ws := wstest.DialRaw(t, srv.wsURL, nil)
			if tt.noPong {
				ws.SetPingHandler(func(string) error { return nil })
			}
			c := wstest.New(t, ws, wstest.Options{})
			conn := l.hello(t, c)
			conn.SetData([]byte(`{"seen":true}`))
			join(t, c, "lobby")
			join(t, c, "all")
			if n := srv.RoomSize("/", "lobby"); n != 1 {
				t.Fatalf("RoomSize = %d, want 1", n)
			}

			tt.end(t, srv, c)
			d := hk.nextDisconnect(t)
			if d.conn != conn || d.reason != tt.want {
				t.Errorf("Disconnect(%s, %q), want (%s, %q)", d.conn.ID(), d.reason, conn.ID(), tt.want)
			}
			if !slices.Equal(d.rooms, []string{"all", "lobby"}) || d.data != `{"seen":true}` {
				t.Errorf("Disconnect saw rooms %q and data %s", d.rooms, d.data)
			}
			closedWithin(t, conn.Done(), "Conn.Done")
			if n := srv.RoomSize("/", "lobby"); n != 0 {
				t.Errorf("after the end, RoomSize = %d", n)
			}
			if r := conn.Rooms(); len(r) != 0 {
				t.Errorf("after the end, Rooms() = %q", r)
			}
			if err := conn.Join("lobby"); !errors.Is(err, host.ErrConnClosed) {
				t.Errorf("Join after the end = %v, want ErrConnClosed", err)
			}
			if srv.RoomSize("/", "lobby") != 0 {
				t.Error("a late Join entered the room")
			}
			if n := hk.ended(conn); n != 1 {
				t.Errorf("Disconnect ran %d times", n)
			}
			hk.noDisconnect(t)
		})
	}
}

// TestDisconnectAfterFailedUpgrade: a handshake that passed Connect but
// failed the upgrade still gets its Disconnect.
func TestDisconnectAfterFailedUpgrade(t *testing.T) {
	t.Parallel()
	hk := newHooks()
	srv := newServer(t, echo, host.Config{Hooks: hk})
	conn, err := net.Dial("tcp", srv.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(safety))
	// Bytes right behind the handshake fail the upgrader's last check, after
	// the hijack: the connection is dropped without an answer.
	_, _ = conn.Write([]byte("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\ntoo early"))
	if b, err := io.ReadAll(conn); err != nil || len(b) != 0 {
		t.Errorf("read %q, %v; want the connection closed without an answer", b, err)
	}
	d := hk.nextDisconnect(t)
	if d.reason != host.ReasonConnectionLost {
		t.Errorf("reason %q", d.reason)
	}
	if err := d.conn.Emit("x", host.Payload{}); !errors.Is(err, host.ErrConnClosed) {
		t.Errorf("Emit on a connection that never opened: %v", err)
	}
	if err := d.conn.Close(1000, ""); !errors.Is(err, host.ErrConnClosed) {
		t.Errorf("Close on a connection that never opened: %v", err)
	}
	closedWithin(t, d.conn.Done(), "Conn.Done")
	if len(hk.connected()) != 1 {
		t.Errorf("Connect ran %d times", len(hk.connected()))
	}
}

// TestDisconnectHookPanic: a panicking Disconnect is logged, and the
// connection still leaves its rooms.
func TestDisconnectHookPanic(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{Hooks: panicky{}})
	c := wstest.Dial(t, srv.wsURL)
	conn := l.hello(t, c)
	join(t, c, "r")
	c.Write(t, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	closedWithin(t, conn.Done(), "Conn.Done")
	if n := srv.RoomSize("/", "r"); n != 0 {
		t.Errorf("RoomSize = %d", n)
	}
	c2 := wstest.Dial(t, srv.wsURL)
	l.hello(t, c2)
}

type panicky struct{}

func (panicky) Connect(context.Context, *host.Handshake) ([]byte, error) { return nil, nil }
func (panicky) Disconnect(*host.Conn, string)                            { panic("boom") }

func TestHandshake(t *testing.T) {
	t.Parallel()
	token := sign(t, jwt.SigningMethodHS256, testSecret, claims("ada"))
	tests := []struct {
		name   string
		cfg    host.Config
		header http.Header
		query  string
		claims bool
	}{
		{name: "no auth", header: http.Header{"X-Custom": {"a", "b"}, "Cookie": {"session=s3cret"}, "Authorization": {"Basic YWRhOnB3"}, "Proxy-Authorization": {"Basic eA=="}}, query: "?room=lobby&x=1&x=2&token=t0ken"},
		{name: "token in the header", cfg: host.Config{JWTSecret: testSecret}, header: http.Header{"X-Custom": {"a"}, "Authorization": {"Bearer " + token}, "Cookie": {"a=b"}}, query: "?room=lobby&x=1", claims: true},
		{name: "token in the query", cfg: host.Config{JWTSecret: testSecret}, header: http.Header{"X-Custom": {"a"}}, query: "?room=lobby&token=" + token + "&x=1&x=2", claims: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, withHooks := range []bool{true, false} {
				hk, l := newHooks(), newLifecycle()
				cfg := tt.cfg
				if withHooks {
					cfg.Hooks = hk
				}
				srv := newServer(t, l, cfg)
				before := time.Now()
				c := wstest.DialWith(t, srv.wsURL+tt.query, wstest.Options{Header: tt.header})
				conn := l.hello(t, c)
				hs := conn.Handshake()
				if withHooks {
					if cs := hk.connected(); len(cs) != 1 || cs[0].hs != hs {
						t.Fatalf("Connect saw another Handshake than c.Handshake()")
					}
				}
				if hs.Headers["X-Custom"] != "a" || hs.Headers["Host"] == "" || hs.Headers["Sec-Websocket-Version"] != "13" {
					t.Errorf("Headers %q", hs.Headers)
				}
				for _, k := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
					if v, ok := hs.Headers[k]; ok {
						t.Errorf("Headers has %s: %q", k, v)
					}
				}
				if want := map[string]string{"room": "lobby", "x": "1"}; !equalMaps(hs.Query, want) {
					t.Errorf("Query %q, want %q", hs.Query, want)
				}
				if hs.Address == "" || !strings.HasPrefix(hs.Address, "127.0.0.1:") {
					t.Errorf("Address %q", hs.Address)
				}
				if hs.Time.Before(before.Add(-time.Second)) || hs.Time.After(time.Now()) {
					t.Errorf("Time %s, dialled at %s", hs.Time, before)
				}
				if (hs.Claims != nil) != tt.claims || (tt.claims && hs.Claims["sub"] != "ada") {
					t.Errorf("Claims %v", hs.Claims)
				}

				// JSON, computed once, here and through a handler.
				b := hs.JSON()
				if &hs.JSON()[0] != &b[0] {
					t.Error("JSON() is not cached")
				}
				wstest.WantReply(t, c.CallID(t, "1", "handshake", ""), "1", string(b))
				m := wstest.Object(t, b, "headers", "query", "address", "time", "namespace", "auth", "claims")
				var headers, query map[string]string
				if json.Unmarshal(m["headers"], &headers) != nil || !equalMaps(headers, hs.Headers) {
					t.Errorf("headers %s", m["headers"])
				}
				if json.Unmarshal(m["query"], &query) != nil || !equalMaps(query, hs.Query) {
					t.Errorf("query %s", m["query"])
				}
				if wstest.Str(t, m["address"]) != hs.Address {
					t.Errorf("address %s", m["address"])
				}
				if at, err := time.Parse(time.RFC3339Nano, wstest.Str(t, m["time"])); err != nil || !at.Equal(hs.Time) {
					t.Errorf("time %s (%v), want %s", m["time"], err, hs.Time)
				}
				if !tt.claims && string(m["auth"]) != "null" {
					t.Errorf("auth %s, want null", m["auth"])
				}
				if tt.claims && !strings.Contains(string(m["auth"]), `"sub":"ada"`) {
					t.Errorf("auth %s", m["auth"])
				}
				if strings.Contains(string(b), "s3cret") || strings.Contains(string(b), "t0ken") || (tt.claims && strings.Contains(string(b), token)) {
					t.Errorf("a secret leaked into %s", b)
				}
			}
		})
	}
}

func TestHandshakeJSONZero(t *testing.T) {
	t.Parallel()
	hs := &host.Handshake{Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Claims: map[string]any{"bad": func() {}}}
	if got, want := string(hs.JSON()), `{"headers":{},"query":{},"address":"","time":"2026-01-02T03:04:05.000000006Z","namespace":"/","auth":null,"claims":null}`; got != want {
		t.Errorf("JSON() = %s, want %s", got, want)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
