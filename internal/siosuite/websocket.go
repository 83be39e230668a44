package siosuite

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The kinds of event a test WebSocket buffers, as in the suite's
// createWebSocket.
const (
	evOpen    = "open"
	evMessage = "message"
	evClose   = "close"
)

// wsEvent is one event of a test WebSocket.
type wsEvent struct {
	kind   string
	binary bool   // a message in a binary frame
	data   []byte // a message's payload
	err    error  // why a close happened (a failed dial, a close frame, a read error)
}

// String renders the event for failure messages.
func (e wsEvent) String() string {
	switch {
	case e.kind == evMessage && e.binary:
		return fmt.Sprintf("message(binary %v)", e.data)
	case e.kind == evMessage:
		return fmt.Sprintf("message(%q)", e.data)
	case e.kind == evClose && e.err != nil:
		return fmt.Sprintf("close(%v)", e.err)
	}
	return e.kind
}

// testSocket is the suite's createWebSocket: a WebSocket client that
// buffers every event from the moment it is dialled, so that a wait never
// misses one. It is used by its test's goroutine; its reader goroutine
// only appends to the buffers.
type testSocket struct {
	c    *tc
	url  string
	conn *websocket.Conn // nil when the dial failed

	mu      sync.Mutex
	buffer  map[string][]wsEvent
	history []wsEvent     // everything received, for failure messages
	changed chan struct{} // closed and replaced at every new event
	closed  bool          // the close event has happened

	done chan struct{} // closed when the reader goroutine has returned
}

// createWebSocket dials url. A failed dial (an HTTP error answer to the
// upgrade, a refused connection) is the close event, as in a browser; a
// successful one is the open event. The socket is closed when the test
// ends.
func (c *tc) createWebSocket(url string) *testSocket {
	c.Helper()
	s := &testSocket{
		c:       c,
		url:     url,
		buffer:  make(map[string][]wsEvent),
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	dialer := websocket.Dialer{HandshakeTimeout: testTimeout}
	conn, res, err := dialer.DialContext(c.ctx, url, nil)
	if res != nil && res.Body != nil {
		res.Body.Close()
	}
	if err != nil {
		if res != nil {
			err = fmt.Errorf("dial: %w (HTTP %s)", err, res.Status)
		} else {
			err = fmt.Errorf("dial: %w", err)
		}
		s.push(wsEvent{kind: evClose, err: err})
		close(s.done)
		return s
	}
	s.conn = conn
	s.push(wsEvent{kind: evOpen})
	go s.read()
	c.Cleanup(func() {
		conn.Close()
		<-s.done
	})
	return s
}

// read buffers every message until the connection ends, then the close.
func (s *testSocket) read() {
	defer close(s.done)
	for {
		typ, data, err := s.conn.ReadMessage()
		if err != nil {
			s.push(wsEvent{kind: evClose, err: err})
			return
		}
		s.push(wsEvent{kind: evMessage, binary: typ == websocket.BinaryMessage, data: data})
	}
}

// push buffers ev and wakes the waiters.
func (s *testSocket) push(ev wsEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buffer[ev.kind] = append(s.buffer[ev.kind], ev)
	s.history = append(s.history, ev)
	if ev.kind == evClose {
		s.closed = true
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// received renders everything the socket has received.
func (s *testSocket) received() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.history) == 0 {
		return "nothing"
	}
	parts := make([]string, len(s.history))
	for i, ev := range s.history {
		parts[i] = ev.String()
	}
	return strings.Join(parts, ", ")
}

// next takes the oldest buffered event of kind, waiting for one until the
// test's deadline. ok is false if none can come any more (the socket has
// closed) or the deadline passed; why says which.
func (s *testSocket) next(kind string) (ev wsEvent, ok bool, why string) {
	for {
		s.mu.Lock()
		if q := s.buffer[kind]; len(q) > 0 {
			ev = q[0]
			s.buffer[kind] = q[1:]
			s.mu.Unlock()
			return ev, true, ""
		}
		if s.closed {
			s.mu.Unlock()
			return wsEvent{}, false, "the socket closed"
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-s.c.ctx.Done():
			return wsEvent{}, false, fmt.Sprintf("timed out (%v)", s.c.ctx.Err())
		}
	}
}

// waitFor is the suite's waitFor(socket, kind).
func (s *testSocket) waitFor(kind string) wsEvent {
	s.c.Helper()
	ev, ok, why := s.next(kind)
	if !ok {
		s.c.Fatalf("%s: waiting for %s: %s; received: %s", s.url, kind, why, s.received())
	}
	return ev
}

// waitForPackets is the suite's waitForPackets(socket, count): the next
// count messages, leaving out PING packets ("2").
func (s *testSocket) waitForPackets(count int) []wsEvent {
	s.c.Helper()
	var packets []wsEvent
	for len(packets) < count {
		ev, ok, why := s.next(evMessage)
		if !ok {
			s.c.Fatalf("%s: waiting for %d packets (have %d): %s; received: %s", s.url, count, len(packets), why, s.received())
		}
		if !ev.binary && string(ev.data) == "2" {
			continue
		}
		packets = append(packets, ev)
	}
	return packets
}

// send sends a text message, socket.send(string).
func (s *testSocket) send(text string) {
	s.c.Helper()
	s.write(websocket.TextMessage, []byte(text))
}

// sendBinary sends a binary message, socket.send(Uint8Array).
func (s *testSocket) sendBinary(data []byte) {
	s.c.Helper()
	s.write(websocket.BinaryMessage, data)
}

func (s *testSocket) write(typ int, data []byte) {
	s.c.Helper()
	if s.conn == nil {
		s.c.Fatalf("%s: send %q: the socket never opened; received: %s", s.url, data, s.received())
	}
	if dl, ok := s.c.ctx.Deadline(); ok {
		s.conn.SetWriteDeadline(dl)
	}
	if err := s.conn.WriteMessage(typ, data); err != nil {
		s.c.Fatalf("%s: send %q: %v; received: %s", s.url, data, err, s.received())
	}
}

// close is socket.close(): a normal closure frame, then the connection
// goes. Further events are not read.
func (s *testSocket) close() {
	if s.conn == nil {
		return
	}
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	s.conn.Close()
}

// expectText fails the test unless ev is a text message equal to want.
func (c *tc) expectText(what string, ev wsEvent, want string) {
	c.Helper()
	if ev.kind != evMessage || ev.binary || string(ev.data) != want {
		c.Fatalf("%s: got %v, want message(%q)", what, ev, want)
	}
}

// expectTextPrefix fails the test unless ev is a text message starting
// with prefix (chai-string's startsWith).
func (c *tc) expectTextPrefix(what string, ev wsEvent, prefix string) string {
	c.Helper()
	if ev.kind != evMessage || ev.binary || !strings.HasPrefix(string(ev.data), prefix) {
		c.Fatalf("%s: got %v, want a text message starting with %q", what, ev, prefix)
	}
	return string(ev.data)
}

// expectBinary fails the test unless ev is a binary message holding want
// (an ArrayBuffer eql to Uint8Array.from(want).buffer).
func (c *tc) expectBinary(what string, ev wsEvent, want []byte) {
	c.Helper()
	if ev.kind != evMessage || !ev.binary || string(ev.data) != string(want) {
		c.Fatalf("%s: got %v, want message(binary %v)", what, ev, want)
	}
}
