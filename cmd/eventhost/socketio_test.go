package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/eventhost/eventhost/internal/sioclient"
	"github.com/eventhost/eventhost/internal/siosuite"
)

// startSocketIO starts eventhost on testdata/socketio/scripts with the
// Socket.IO heartbeat given, and returns its http:// base URL.
func startSocketIO(t *testing.T, pingInterval, pingTimeout string) string {
	t.Helper()
	s := startServer(t, "-scripts", filepath.Join("..", "..", "testdata", "socketio", "scripts"),
		"-sio-ping-interval", pingInterval, "-sio-ping-timeout", pingTimeout, "-sio-connect-timeout", "1s",
		"-max-message", "1000000")
	return "http://" + s.addr
}

// TestSocketIOOfficialSuite runs the official Socket.IO v5 protocol suite
// (ported to Go in internal/siosuite) against eventhost and its JS handlers.
func TestSocketIOOfficialSuite(t *testing.T) {
	t.Parallel()
	siosuite.Run(t, startSocketIO(t, "300ms", "200ms"))
}

// TestSocketIOClient drives the npm socket.io-client against eventhost:
// default transports and the upgrade, websocket only, acks, binary both
// ways, a namespace folder, refusals, reconnection.
func TestSocketIOClient(t *testing.T) {
	t.Parallel()
	sioclient.RunBehaviours(t, startSocketIO(t, "2s", "2s"))
}

// TestSocketIOShippedScripts: socket.io-client code of the project eventhost
// grew from, error acks, and a room that holds a /ws client and two
// Socket.IO clients, on the shipped scripts.
func TestSocketIOShippedScripts(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", filepath.Join("..", "..", "scripts"))
	base := "http://" + srv.addr
	c := sioclient.Start(t)
	ada := c.Connect("ada", base, "/", sioclient.Options{"auth": map[string]any{"name": "Ada"}})
	bob := c.Connect("bob", base, "/", sioclient.Options{"auth": map[string]any{"name": "Bob"}, "transports": []string{"websocket"}})
	ada.WaitConnect()
	bob.WaitConnect()

	// client.emit('event', {event, data}, ack), as the original clients do.
	expectArgs(t, ada.EmitAck("event", map[string]any{"event": "api.services.status", "data": "You're welcome"}), `["online"]`)
	expectArgs(t, ada.EmitAck("api.hello.greeting", map[string]any{"name": "Ada"}), `["You're welcome Ada"]`)
	unknown := ada.EmitAck("api.nope")
	if len(unknown) != 1 || !strings.Contains(string(unknown[0]), `"code":"unknown_event"`) {
		t.Fatalf("unknown event ack: %s", unknown)
	}

	// One room: a /ws client and the two Socket.IO clients.
	ws := dial(t, srv.url+"?name=Cy")
	ws.ok("chat.room.join", `{"room":"lobby"}`, `{"room":"lobby","members":1}`)
	ada.EmitAck("chat.room.join", map[string]any{"room": "lobby"})
	bob.EmitAck("chat.room.join", map[string]any{"room": "lobby"})
	ws.call("chat.room.say", `{"room":"lobby","text":"hi from ws"}`)
	for _, s := range []*sioclient.Socket{ada, bob} {
		ev := s.WaitEvent("chat.message")
		if len(ev.Args) != 1 || !strings.Contains(string(ev.Args[0]), `"text":"hi from ws"`) || !strings.Contains(string(ev.Args[0]), `"from":"Cy"`) {
			t.Fatalf("%s got %s", s.Name(), ev.Args)
		}
	}
	bob.EmitAck("chat.room.say", map[string]any{"room": "lobby", "text": "hi from bob"})
	for {
		f := ws.next()
		if f.event == "chat.message" {
			if !strings.Contains(string(f.data), `"from":"Bob"`) {
				t.Fatalf("ws got %s", f.raw)
			}
			break
		}
	}
	if ev := ada.WaitEvent("chat.message"); !strings.Contains(string(ev.Args[0]), `"hi from bob"`) {
		t.Fatalf("ada got %s", ev.Args)
	}
}

// TestSocketIOJWT: with -jwt-secret a Socket.IO client presents its token
// as auth.token; a missing or bad one is a connect_error with code
// unauthorized.
func TestSocketIOJWT(t *testing.T) {
	t.Parallel()
	secret := []byte("test-secret-of-enough-length-32b")
	srv := startServer(t, "-scripts", filepath.Join("..", "..", "scripts"), "-jwt-secret", string(secret))
	base := "http://" + srv.addr
	c := sioclient.Start(t)
	for name, auth := range map[string]map[string]any{"none": nil, "bad": {"token": "not-a-jwt"}} {
		ev := c.Connect(name, base, "/", sioclient.Options{"auth": auth, "reconnection": false}).WaitConnectError()
		if !strings.Contains(string(ev.Data), `"code":"unauthorized"`) {
			t.Errorf("%s token: connect_error %s %s, want code unauthorized", name, ev.Message, ev.Data)
		}
	}
	valid := token(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "u1", "name": "Ada", "exp": time.Now().Add(time.Hour).Unix()})
	ok := c.Connect("ok", base, "/", sioclient.Options{"auth": map[string]any{"token": valid}})
	ok.WaitConnect()
	ok.EmitAck("chat.room.join", map[string]any{"room": "r"})
	ok.EmitAck("chat.room.say", map[string]any{"room": "r", "text": "x"})
	if ev := ok.WaitEvent("chat.message"); !strings.Contains(string(ev.Args[0]), `"from":"Ada"`) {
		t.Fatalf("the token's name claim: %s", ev.Args)
	}
}

// expectArgs compares an event's or ack's arguments with want (JSON).
func expectArgs(t *testing.T, got []json.RawMessage, want string) {
	t.Helper()
	b, _ := json.Marshal(got)
	if !jsonEqual(string(b), want) {
		t.Fatalf("arguments %s, want %s", b, want)
	}
}
