package melodyio

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"
)

// timeout bounds every wait of these tests.
const timeout = 10 * time.Second

// tap is the server's side of a real TCP connection, below the cork: it
// counts the writes that reach the socket (one write(2) each), and can hold
// the next write back (gate) or fail it (fail).
type tap struct {
	net.Conn
	mu      sync.Mutex
	writes  int
	gated   chan struct{} // closed when a gated write has started; nil when not gated
	release chan struct{} // a gated write waits for it
	failing error         // the next write fails with it
}

func (c *tap) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	gated, release, err := c.gated, c.release, c.failing
	c.gated, c.failing = nil, nil
	c.mu.Unlock()
	if gated != nil {
		close(gated)
		<-release
	}
	if err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// count is how many writes reached the socket so far.
func (c *tap) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// gate makes the next write wait until the returned release is called;
// started is closed once that write has begun.
func (c *tap) gate() (started <-chan struct{}, release func()) {
	g, r := make(chan struct{}), make(chan struct{})
	c.mu.Lock()
	c.gated, c.release = g, r
	c.mu.Unlock()
	return g, sync.OnceFunc(func() { close(r) })
}

// fail makes the next write fail with err.
func (c *tap) fail(err error) {
	c.mu.Lock()
	c.failing = err
	c.mu.Unlock()
}

// tapListener hands out every accepted connection as a tap.
type tapListener struct {
	net.Listener
	taps chan *tap
}

func (l tapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	t := &tap{Conn: c}
	l.taps <- t
	return t, nil
}

// server is a melody server as host and host/socketio run one: frames go
// through an Outbox guarded by the server's lock, melody's sent handlers let
// the next ones in, and the connection is upgraded through a HandoffWriter
// that corks it.
type server struct {
	m    *melody.Melody
	url  string
	taps chan *tap

	mu    sync.Mutex
	out   Outbox
	sess  chan *melody.Session
	errs  chan error
	ended chan struct{}
}

// limit is the servers' send buffer, in frames.
const limit = 10000

func newTestServer(t testing.TB, configure func(*melody.Config)) *server {
	t.Helper()
	s := &server{m: melody.New(), taps: make(chan *tap, 1), sess: make(chan *melody.Session, 1),
		errs: make(chan error, 16), ended: make(chan struct{})}
	m := s.m
	m.Config.MaxMessageSize = 1 << 20
	m.Config.MessageBufferSize = ChannelSize(limit)
	m.Upgrader.WriteBufferPool = &sync.Pool{}
	if configure != nil {
		configure(m.Config)
	}
	m.HandleConnect(func(ms *melody.Session) { s.sess <- ms })
	m.HandleSentMessage(func(ms *melody.Session, _ []byte) { s.sent(ms) })
	m.HandleSentMessageBinary(func(ms *melody.Session, _ []byte) { s.sent(ms) })
	m.HandleError(func(_ *melody.Session, err error) {
		select {
		case s.errs <- err:
		default:
		}
	})
	m.HandleDisconnect(func(*melody.Session) {
		s.mu.Lock()
		s.out.Shut()
		s.mu.Unlock()
		close(s.ended)
	})
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = m.HandleRequest(NewHandoffWriter(w, &s.out), r)
	}))
	ts.Listener = tapListener{Listener: ts.Listener, taps: s.taps}
	ts.Start()
	t.Cleanup(func() {
		_ = m.Close()
		ts.Close()
	})
	s.url = "ws" + strings.TrimPrefix(ts.URL, "http")
	return s
}

func (s *server) sent(ms *melody.Session) {
	s.mu.Lock()
	s.out.Sent(ms)
	s.mu.Unlock()
}

// conn is one connection to a server: the client, and the server's session
// and tap.
type conn struct {
	srv  *server
	ws   *websocket.Conn
	sess *melody.Session
	tap  *tap
}

// dial connects a client. It reads nothing until the test does.
func (s *server) dial(t testing.TB) *conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(s.url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = resp.Body.Close()
	t.Cleanup(func() { _ = ws.Close() })
	c := &conn{srv: s, ws: ws}
	select {
	case c.tap = <-s.taps:
	case <-time.After(timeout):
		t.Fatal("no connection accepted")
	}
	select {
	case c.sess = <-s.sess:
	case <-time.After(timeout):
		t.Fatal("no session connected")
	}
	return c
}

// write queues frames through the Outbox, as host and host/socketio do.
func (c *conn) write(t testing.TB, frames ...Frame) {
	t.Helper()
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	for _, f := range frames {
		if err := c.srv.out.Write(c.sess, f, limit); err != nil {
			t.Fatalf("Outbox.Write: %v", err)
		}
	}
}

// next reads the next message.
func (c *conn) next(t testing.TB) (int, []byte) {
	t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
	kind, b, err := c.ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return kind, b
}

// idle waits until the server has written everything queued (melody's
// sent handler has run for each frame) and checks that the cork holds no
// buffer.
func (c *conn) idle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c.srv.mu.Lock()
		n := c.srv.out.handed.Load()
		c.srv.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d frames still queued", n)
		}
		time.Sleep(time.Millisecond)
	}
	k, ok := c.sess.WebsocketConnection().UnderlyingConn().(*cork)
	if !ok {
		t.Fatalf("the connection is a %T, not corked", c.sess.WebsocketConnection().UnderlyingConn())
	}
	k.mu.Lock()
	held := k.held
	k.mu.Unlock()
	if held != nil {
		t.Fatalf("an idle connection holds a buffer of %d bytes (%d used)", cap(*held), len(*held))
	}
}

// ended waits for the session to end and returns the first error melody
// reported.
func (s *server) endedWith(t testing.TB) error {
	t.Helper()
	select {
	case <-s.ended:
	case <-time.After(timeout):
		t.Fatal("the session did not end")
	}
	select {
	case err := <-s.errs:
		return err
	default:
		return errors.New("no error reported")
	}
}
