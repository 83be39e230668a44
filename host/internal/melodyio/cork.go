package melodyio

import (
	"net"
	"sync"
	"sync/atomic"
)

// gorilla ends every frame it writes with a write to the connection, and
// melody's write goroutine writes one message at a time, so every frame was
// a write(2): under load the largest single part of the server's CPU per
// message. A cork sits between gorilla and the hijacked connection and
// holds a data frame back while the connection's Outbox has more frames
// queued behind it (Outbox.behind); the frame that drains the queue, any
// control frame (ping, pong, close), or a full buffer sends everything held
// in one write. A single frame on a quiet connection, with nothing queued
// behind it, goes out at once as before.
//
// The cork reads gorilla's writes as WebSocket frames (a server's are never
// masked): the first write is the handshake's answer, then each write is a
// whole frame, or the head of one whose rest (a message longer than
// gorilla's write buffer) comes in the next write, which gorilla used to
// send with the head in one writev(2); the cork holds the head, so they
// still leave together.

// corkSize is a cork's buffer: what it may hold before it writes. Buffers
// are pooled and taken only while frames are held: an idle connection
// holds none.
const corkSize = 16 << 10

// corkBuffers are every connection's cork buffers.
var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, corkSize); return &b }}

// A cork wraps a hijacked connection for gorilla; see above. Writes come
// from gorilla, which serializes them; Close may come from any goroutine.
type cork struct {
	net.Conn
	out *Outbox

	mu     sync.Mutex
	held   *[]byte     // bytes held back; nil while none are
	rest   int32       // bytes of the frame being written that later writes bring
	data   bool        // the frame being written is a data frame
	fin    bool        // and the last of its message
	framed bool        // the handshake's answer is written: writes are frames
	off    bool        // a write was not a frame as gorilla writes them: hold nothing
	closed atomic.Bool // Close was called
}

// Write holds p back, or writes it with what is held before it.
func (c *cork) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.framed || c.off {
		c.framed = true // the first write is the handshake's answer
		return c.flush(p)
	}
	if c.closed.Load() {
		c.drop()
		return 0, net.ErrClosed
	}
	hold := c.hold(p)
	if c.held != nil && len(*c.held)+len(p) > cap(*c.held) && hold && len(p) <= corkSize {
		// Full: what is held goes, p starts the next batch.
		if _, err := c.flush(nil); err != nil {
			return 0, err
		}
	}
	if hold && c.room(len(p)) {
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	return c.flush(p)
}

// room reports whether n more bytes can be held, taking a buffer if none is.
func (c *cork) room(n int) bool {
	if c.held == nil {
		if n > corkSize {
			return false
		}
		c.held = corkBuffers.Get().(*[]byte)
	}
	return len(*c.held)+n <= cap(*c.held)
}

// hold reads p as the next part of the frame stream and reports whether it
// may be held back: the head of a frame whose rest follows, or a data frame
// that more frames follow. From a write it cannot read as one frame or part
// of one on, the cork holds nothing.
func (c *cork) hold(p []byte) bool {
	if c.rest > 0 {
		if len(p) > int(c.rest) {
			c.off = true
			return false
		}
		c.rest -= int32(len(p))
	} else {
		size, fin, op, ok := frameHead(p)
		if !ok || len(p) > size {
			c.off = true
			return false
		}
		c.rest = int32(size - len(p))
		// Continuation (0), text (1), binary (2): a message, whose
		// fragment that is not the last is followed by the next.
		c.data, c.fin = op <= 2, fin
	}
	return c.rest > 0 || c.data && (!c.fin || c.out.behind())
}

// flush writes what is held, then p, in one write where the connection
// allows it (net.Buffers is one writev(2) on a TCP connection), and lets
// the buffer go.
func (c *cork) flush(p []byte) (int, error) {
	if c.held == nil {
		return c.Conn.Write(p)
	}
	b := *c.held
	var err error
	if len(b)+len(p) <= cap(b) {
		b = append(b, p...)
		_, err = c.Conn.Write(b)
	} else {
		bufs := net.Buffers{b, p}
		_, err = bufs.WriteTo(c.Conn)
	}
	*c.held = b
	c.drop()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// drop returns the buffer to the pool, with whatever it held.
func (c *cork) drop() {
	if c.held != nil {
		*c.held = (*c.held)[:0]
		corkBuffers.Put(c.held)
		c.held = nil
	}
}

// Close closes the connection. Frames still held had more queued behind
// them, which melody drops with its channel when a session ends; they are
// dropped with them. Close never waits for a write in progress (closing
// the connection is what ends a blocked write).
func (c *cork) Close() error {
	c.closed.Store(true)
	err := c.Conn.Close()
	if c.mu.TryLock() {
		c.drop()
		c.mu.Unlock()
	}
	return err
}

// frameHead reads the header of the WebSocket frame that p starts with: the
// frame's whole size (header and payload), whether it is final, its opcode.
// ok is false when p is too short to hold the header, or the frame is
// longer than 1 GiB (a cork's count of what follows is an int32).
func frameHead(p []byte) (size int, fin bool, op byte, ok bool) {
	if len(p) < 2 {
		return 0, false, 0, false
	}
	fin, op = p[0]&0x80 != 0, p[0]&0x0f
	n, head := uint64(p[1]&0x7f), 2
	switch n {
	case 126:
		if len(p) < 4 {
			return 0, false, 0, false
		}
		n, head = uint64(p[2])<<8|uint64(p[3]), 4
	case 127:
		if len(p) < 10 {
			return 0, false, 0, false
		}
		n, head = 0, 10
		for _, b := range p[2:10] {
			n = n<<8 | uint64(b)
		}
	}
	if p[1]&0x80 != 0 {
		head += 4 // masked: a client's frame
	}
	if n > 1<<30 {
		return 0, false, 0, false
	}
	return head + int(n), fin, op, true
}
