package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// token signs claims with method and key.
func token(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dialStatus dials and returns the HTTP status of the handshake.
func dialStatus(t testing.TB, url string, h http.Header) (*client, int, string) {
	t.Helper()
	c, resp, err := dialHeader(t, url, h)
	if err == nil {
		return c, http.StatusSwitchingProtocols, ""
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	var body strings.Builder
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	return nil, resp.StatusCode, body.String()
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// TestJWTSecret: with -jwt-secret every connection needs a valid token; its
// claims reach socket.auth and the connect hook.
func TestJWTSecret(t *testing.T) {
	t.Parallel()
	secret := []byte("test-secret-of-enough-length-32b")
	srv := startServer(t, "-scripts", "../../testdata/rooms", "-jwt-secret", string(secret))
	valid := jwt.MapClaims{"sub": "u1", "name": "Ada", "exp": time.Now().Add(time.Hour).Unix()}

	c, status, _ := dialStatus(t, srv.url, bearer(token(t, jwt.SigningMethodHS256, secret, valid)))
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("valid header token: status %d", status)
	}
	f := c.call("r.chat.whoami", "")
	var who struct {
		Name string
		Auth map[string]any
	}
	if f.err != nil || json.Unmarshal(f.data, &who) != nil || who.Name != "Ada" || who.Auth["sub"] != "u1" {
		t.Fatalf("whoami: %s", f.raw)
	}
	if _, status, _ = dialStatus(t, srv.url+"?token="+token(t, jwt.SigningMethodHS512, secret, valid), nil); status != http.StatusSwitchingProtocols {
		t.Errorf("valid query token: status %d", status)
	}

	none := token(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)
	for name, h := range map[string]http.Header{
		"missing":      nil,
		"garbage":      bearer("not.a.token"),
		"wrong secret": bearer(token(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-00"), valid)),
		"expired":      bearer(token(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "u1", "exp": time.Now().Add(-time.Hour).Unix()})),
		"not yet":      bearer(token(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "u1", "nbf": time.Now().Add(time.Hour).Unix()})),
		"alg none":     bearer(none),
	} {
		if _, status, body := dialStatus(t, srv.url, h); status != http.StatusUnauthorized || !strings.HasPrefix(body, "unauthorized") {
			t.Errorf("%s: status %d, body %q", name, status, body)
		}
	}
}

// TestJWTPublicKey: -jwt-public-key accepts ES256 tokens of the key, and
// refuses algorithm confusion (an HS256 token keyed with the public key).
func TestJWTPublicKey(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	file := filepath.Join(t.TempDir(), "jwt.pem")
	if err := os.WriteFile(file, pubPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "-scripts", "../../testdata/rooms", "-jwt-public-key", file)
	claims := jwt.MapClaims{"sub": "u2", "exp": time.Now().Add(time.Hour).Unix()}
	if _, status, _ := dialStatus(t, srv.url, bearer(token(t, jwt.SigningMethodES256, key, claims))); status != http.StatusSwitchingProtocols {
		t.Fatalf("ES256: status %d", status)
	}
	confused := token(t, jwt.SigningMethodHS256, pubPEM, claims)
	if _, status, body := dialStatus(t, srv.url, bearer(confused)); status != http.StatusUnauthorized {
		t.Fatalf("algorithm confusion: status %d %q", status, body)
	}
}

// TestConnectHook: the connect hook refuses with 401 or 403 before the
// upgrade, and its object becomes socket.data.
func TestConnectHook(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/rooms", "-mode", mode)
			if _, status, body := dialStatus(t, srv.url+"?deny=403", nil); status != http.StatusForbidden || !strings.Contains(body, "members only") {
				t.Errorf("forbidden: %d %q", status, body)
			}
			if _, status, _ := dialStatus(t, srv.url+"?deny=401", nil); status != http.StatusUnauthorized {
				t.Errorf("false: %d", status)
			}
			c := dial(t, srv.url+"?name=Grace")
			c.ok("r.chat.whoami", "", `{"name":"Grace","auth":null,"query":{"name":"Grace"}}`)
			// socket.data persists across calls, whichever VM serves them.
			c.ok("r.chat.remember", `"x"`, `{"name":"Grace","remembered":"x","calls":1}`)
			for range 4 {
				c.ok("r.chat.recall", "", `{"name":"Grace","remembered":"x","calls":1}`)
			}
			c.ok("r.chat.remember", `"y"`, `{"name":"Grace","remembered":"y","calls":2}`)
		})
	}
}

// TestRoomsAndBroadcast: join, room emits (without the sender), broadcast,
// io.emit and presence counts; the disconnect hook tells the room; rooms
// survive a reload of the scripts.
func TestRoomsAndBroadcast(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"_connection.ts", "r/chat.js"} {
		src, err := os.ReadFile(filepath.Join("../../testdata/rooms", name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, name), string(src))
	}
	srv := startServer(t, "-scripts", dir)
	ada, bob, eve := dial(t, srv.url+"?name=ada"), dial(t, srv.url+"?name=bob"), dial(t, srv.url+"?name=eve")
	ada.ok("r.chat.join", `{"room":"lobby"}`, `{"rooms":["lobby"],"told":0,"members":1}`)
	f, _ := bob.reply(bob.request("r.chat.join", `{"room":"lobby"}`))
	if f.err != nil || !jsonEqual(string(f.data), `{"rooms":["lobby"],"told":1,"members":2}`) {
		t.Fatalf("bob join: %s", f.raw)
	}
	if p := ada.next(); p.event != "joined" || !jsonEqual(string(p.data), `{"name":"bob"}`) {
		t.Fatalf("ada got %s", p.raw)
	}

	// Rooms live in the server: a reload keeps them.
	write(t, filepath.Join(dir, "r/extra.js"), "export function ping() { return 'pong' }\n")
	ada.until("r.extra.ping", "", returns(`"pong"`))

	// The sender is a member too: its copy arrives before its reply.
	n, pushes := ada.reply(ada.request("r.chat.say", `{"room":"lobby","text":"hi"}`))
	if string(n.data) != "2" || len(pushes) != 1 {
		t.Fatalf("say reached %s, pushes %d", n.data, len(pushes))
	}
	for _, p := range []frame{pushes[0], bob.next()} {
		if p.event != "message" || !jsonEqual(string(p.data), `{"from":"ada","text":"hi"}`) {
			t.Errorf("room message: %s", p.raw)
		}
	}
	if got := eve.call("r.chat.shout", `"hey"`); string(got.data) != "2" {
		t.Errorf("broadcast reached %s", got.data)
	}
	for _, c := range []*client{ada, bob} {
		if p := c.next(); p.event != "shout" {
			t.Errorf("broadcast: %s", p.raw)
		}
	}
	got, pushes := eve.reply(eve.request("r.chat.everyone", `"all"`))
	if string(got.data) != "3" || len(pushes) != 1 || pushes[0].event != "all" {
		t.Errorf("io.emit reached %s, pushes %d", got.data, len(pushes))
	}
	for _, c := range []*client{ada, bob} {
		if p := c.next(); p.event != "all" {
			t.Errorf("io.emit: %s", p.raw)
		}
	}

	bob.conn.Close() // the disconnect hook tells the room
	if p := ada.next(); p.event != "left" || !strings.Contains(string(p.data), `"name":"bob"`) {
		t.Fatalf("after bob left: %s", p.raw)
	}
	ada.ok("r.chat.join", `{"room":"lobby"}`, `{"rooms":["lobby"],"told":0,"members":1}`)
	ada.ok("r.chat.leave", `{"room":"lobby"}`, `[]`)
}

// TestShippedChat runs the README's two-terminal chat against scripts/.
func TestShippedChat(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../scripts")
	ada, bob := dial(t, srv.url+"?name=Ada"), dial(t, srv.url+"?name=Bob")
	ada.ok("chat.room.join", `{"room":"lobby"}`, `{"room":"lobby","members":1}`)
	bob.ok("chat.room.join", `{"room":"lobby"}`, `{"room":"lobby","members":2}`)
	if p := ada.next(); p.event != "chat.joined" || !jsonEqual(string(p.data), `{"room":"lobby","name":"Bob"}`) {
		t.Fatalf("ada: %s", p.raw)
	}
	f, pushes := bob.reply(bob.request("chat.room.say", `{"room":"lobby","text":"hi Ada"}`))
	if f.err != nil || !jsonEqual(string(f.data), `{"delivered":2}`) || len(pushes) != 1 {
		t.Fatalf("say: %s, %d pushes", f.raw, len(pushes))
	}
	var msg struct{ Room, From, Text, At string }
	if p := ada.next(); p.event != "chat.message" || json.Unmarshal(p.data, &msg) != nil || msg.From != "Bob" || msg.Text != "hi Ada" || msg.At == "" {
		t.Fatalf("ada got %s", p.raw)
	}
	if code := bob.fails("chat.room.say", `{"room":"elsewhere","text":"x"}`, "forbidden"); code == "" {
		t.Fatal("say outside a joined room")
	}
	bob.conn.Close()
	if p := ada.next(); p.event != "chat.left" || !strings.Contains(string(p.data), `"Bob"`) {
		t.Fatalf("after Bob left: %s", p.raw)
	}
}
