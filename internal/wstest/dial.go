package wstest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// DialRaw connects to url, sending header h, without a reader: the caller
// reads, or not. A failed handshake fails the test; the test's Cleanup
// closes the connection.
func DialRaw(t testing.TB, url string, h http.Header) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: Timeout}
	ws, resp, err := d.Dial(url, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws
}

// Refusal is how the server answered a handshake it did not upgrade, or,
// when it did, the status and header of the upgrade.
type Refusal struct {
	Status int
	Body   string // trimmed of surrounding white space
	Header http.Header
}

// TryDial dials url with header h. It returns the connection when the
// upgrade succeeded, else nil and the server's refusal; a failure without
// an HTTP answer fails the test. The test's Cleanup closes a connection.
func TryDial(t testing.TB, url string, h http.Header) (*websocket.Conn, Refusal) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: Timeout}
	ws, resp, err := d.Dial(url, h)
	if err == nil {
		t.Cleanup(func() { _ = ws.Close() })
		return ws, Refusal{Status: resp.StatusCode, Header: resp.Header}
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return nil, Refusal{Status: resp.StatusCode, Body: strings.TrimSpace(string(b)), Header: resp.Header}
}

// WantRefused checks that a handshake was refused with status and body.
func WantRefused(t testing.TB, ws *websocket.Conn, r Refusal, status int, body string) {
	t.Helper()
	if ws != nil {
		t.Fatalf("connected, want HTTP %d %q", status, body)
	}
	if r.Status != status || r.Body != body {
		t.Fatalf("HTTP %d %q, want %d %q", r.Status, r.Body, status, body)
	}
}
