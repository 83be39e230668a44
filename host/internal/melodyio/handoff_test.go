package melodyio

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"
)

// handoffServer serves every request as host's /ws does: the upgrade runs
// through a HandoffWriter on a goroutine of its own, which calls Finish
// when the upgrade returns, and the handler waits on HandedOff alone.
// Each upgrading goroutine sends its writer on writers once the upgrade has
// returned (at the end of a successful one's session).
func handoffServer(t *testing.T) (url string, writers <-chan *HandoffWriter, m *melody.Melody) {
	t.Helper()
	m = melody.New()
	m.Upgrader.WriteBufferPool = &sync.Pool{}
	ws := make(chan *HandoffWriter, 4)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := NewHandoffWriter(w, &Outbox{})
		ready := u.HandedOff()
		go func() {
			defer func() { ws <- u }()
			defer u.Finish()
			if err := m.HandleRequest(u, r); err != nil {
				// A failed upgrade has answered; this is written after it,
				// which the handler, still waiting, lets through.
				_, _ = u.Write([]byte("finished"))
			}
		}()
		<-ready
	}))
	t.Cleanup(func() {
		_ = m.Close()
		ts.Close()
	})
	return ts.URL, ws, m
}

// TestHandoffFailedUpgradeFinishes: a failed upgrade's answer, and what
// the upgrading goroutine writes after it, reach the client before the
// handler returns; Finish is what lets it return.
func TestHandoffFailedUpgradeFinishes(t *testing.T) {
	url, writers, _ := handoffServer(t)
	c := http.Client{Timeout: timeout}
	resp, err := c.Get(url) // not a WebSocket handshake: the upgrader answers 400
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.HasSuffix(body.String(), "finished") {
		t.Fatalf("got %d %q: want 400 ending with what was written before Finish", resp.StatusCode, body.String())
	}
	select {
	case u := <-writers:
		if u.handedOff != nil {
			t.Error("the writer kept its channel after Finish")
		}
		select {
		case <-u.HandedOff():
		default:
			t.Error("HandedOff is not closed after Finish")
		}
	case <-time.After(timeout):
		t.Fatal("the upgrading goroutine did not end")
	}
}

// TestHandoffHijackLetsGo: the handler returns at the hijack, while the
// connection is served; the writer, which lives as long as the connection,
// no longer holds the channel; HandedOff stays closed.
func TestHandoffHijackLetsGo(t *testing.T) {
	url, writers, m := handoffServer(t)
	var u *HandoffWriter
	connected := make(chan *melody.Session, 1)
	m.HandleConnect(func(s *melody.Session) { connected <- s })
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	defer func() { _ = ws.Close() }()
	var sess *melody.Session
	select {
	case sess = <-connected:
	case <-time.After(timeout):
		t.Fatal("no session connected")
	}
	k, ok := sess.WebsocketConnection().UnderlyingConn().(*cork)
	if !ok {
		t.Fatalf("the connection is a %T, not corked", sess.WebsocketConnection().UnderlyingConn())
	}
	if err := sess.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(timeout))
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != "hello" {
		t.Fatalf("read %q, %v: want hello", b, err)
	}
	_ = ws.Close()
	select {
	case u = <-writers:
	case <-time.After(timeout):
		t.Fatal("the session did not end")
	}
	if &u.cork != k {
		t.Fatal("the session's cork is not its writer's")
	}
	if u.handedOff != nil || !u.hijacked || u.w != nil {
		t.Errorf("after the hijack: handedOff %v, hijacked %v, w %v: want nil, true, nil", u.handedOff, u.hijacked, u.w)
	}
	select {
	case <-u.HandedOff():
	default:
		t.Error("HandedOff is not closed after the hijack")
	}
}
