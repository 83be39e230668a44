package wstest

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/internal/wsframe"
)

// Timeout bounds every wait of this package's helpers.
const Timeout = 20 * time.Second

// DefaultBuffer is how many received frames a Client queues when
// Options.Buffer is zero.
const DefaultBuffer = 64

// Frame is one frame a Client received, decoded; see wsframe.Frame.
type Frame = wsframe.Frame

// Error is the error member of an error reply.
type Error = wsframe.Error

// Options configures a Client. The zero value is ready to use.
type Options struct {
	// Header is sent with the handshake by DialWith. Nil sends none.
	Header http.Header
	// Buffer is how many received frames the Client queues before its
	// reader stops reading from the connection (the server then sees a
	// slow consumer). Zero means DefaultBuffer.
	Buffer int
}

// Client is a real WebSocket client of the native protocol.
type Client struct {
	ws     *websocket.Conn
	frames chan Frame
	ended  chan struct{} // closed when the reader has stopped
	err    error         // why the reader stopped; set before frames closes
	stop   chan struct{} // closed by the Cleanup
	wmu    sync.Mutex    // one writer at a time
	seq    atomic.Int64  // ids of Request and Sync
}

// errStopped is why a reader stopped when the test's Cleanup stopped it.
var errStopped = errors.New("wstest: client stopped")

// Dial connects to url and starts reading; a failed handshake fails the
// test.
func Dial(t testing.TB, url string) *Client {
	t.Helper()
	return DialWith(t, url, Options{})
}

// DialWith is Dial with options.
func DialWith(t testing.TB, url string, opts Options) *Client {
	t.Helper()
	return New(t, DialRaw(t, url, opts.Header), opts)
}

// New starts reading ws, a connection the caller set up (DialRaw, TryDial).
// opts.Header is not used. The test's Cleanup closes ws and waits for the
// reader.
func New(t testing.TB, ws *websocket.Conn, opts Options) *Client {
	t.Helper()
	n := opts.Buffer
	if n <= 0 {
		n = DefaultBuffer
	}
	c := &Client{ws: ws, frames: make(chan Frame, n), ended: make(chan struct{}), stop: make(chan struct{})}
	go c.read()
	t.Cleanup(func() {
		close(c.stop)
		_ = ws.Close()
		<-c.ended
	})
	return c
}

// read queues what arrives until the connection ends or the test's Cleanup
// stops it. A frame that does not decode is queued with what could be read
// of it (Binary and Raw); the waits that expect a protocol frame reject it.
func (c *Client) read() {
	defer close(c.ended)
	defer close(c.frames)
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		f, _ := wsframe.Decode(kind == websocket.BinaryMessage, data)
		select {
		case c.frames <- f:
		case <-c.stop:
			c.err = errStopped
			return
		}
	}
}

// Conn returns the underlying connection, to close it or to reach below
// the protocol. Write through the Client (Write, WriteControl): gorilla
// allows one writer at a time.
func (c *Client) Conn() *websocket.Conn { return c.ws }

// Frames returns the queue of received frames. It is closed once the
// connection has ended and every frame before the end has been taken.
func (c *Client) Frames() <-chan Frame { return c.frames }

// Next returns the next frame, failing the test when the connection ends or
// nothing comes within Timeout.
func (c *Client) Next(t testing.TB) Frame {
	t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			t.Fatalf("connection ended while waiting for a frame: %v", c.err)
		}
		return f
	case <-time.After(Timeout):
		t.Fatalf("no frame within %s", Timeout)
	}
	panic("unreachable")
}

// Send writes a text frame.
func (c *Client) Send(t testing.TB, text string) {
	t.Helper()
	c.Write(t, websocket.TextMessage, []byte(text))
}

// SendBinary writes a binary frame.
func (c *Client) SendBinary(t testing.TB, b []byte) {
	t.Helper()
	c.Write(t, websocket.BinaryMessage, b)
}

// TrySend writes a text frame and ignores a failure: for frames the server
// may already have stopped reading.
func (c *Client) TrySend(text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(Timeout))
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(text))
}

// Write writes a message of kind (websocket.TextMessage, BinaryMessage,
// CloseMessage...).
func (c *Client) Write(t testing.TB, kind int, b []byte) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(Timeout))
	if err := c.ws.WriteMessage(kind, b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// WriteControl writes a control frame (websocket.PingMessage, PongMessage,
// CloseMessage).
func (c *Client) WriteControl(t testing.TB, kind int, data []byte) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteControl(kind, data, time.Now().Add(Timeout)); err != nil {
		t.Fatalf("write control frame %d: %v", kind, err)
	}
}
