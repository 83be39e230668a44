package host

import (
	"sync"

	"github.com/eventhost/eventhost/host/internal/melodyio"
)

// melodyQueueSize is the capacity of melody's channel for a send buffer of
// sendBuffer frames (melodyio.ChannelSize). melody itself queues closes of
// its own when its hub shuts down; those may find the channel full (see
// Server.onError).
func melodyQueueSize(sendBuffer int) int { return melodyio.ChannelSize(sendBuffer) }

// outbox feeds a connection's outbound frames to melody in order, through a
// melodyio.Outbox (melody's channel stays short; frames beyond it wait there
// and hold memory only while they wait). Config.SendBuffer bounds the two
// together. Conn.sent, melody's sent-message handler, lets the next one in.
type outbox struct {
	mu sync.Mutex
	q  melodyio.Outbox
}

// write queues a frame. A full send buffer disconnects the client.
func (c *Conn) write(frame []byte, binary bool) error {
	if c.sess == nil || c.slow.Load() {
		return ErrConnClosed
	}
	o := &c.out
	o.mu.Lock()
	err := o.q.Write(c.sess, melodyio.Frame{B: frame, Binary: binary}, c.srv.cfg.SendBuffer)
	o.mu.Unlock()
	switch {
	case err == melodyio.ErrFull:
		c.slowConsumer()
		return ErrConnClosed
	case err != nil || c.slow.Load():
		return ErrConnClosed
	}
	return nil
}

// closeWith queues a close frame behind the frames already queued; frames
// written after it are refused.
func (c *Conn) closeWith(msg []byte) error {
	if c.sess == nil {
		return ErrConnClosed // never opened
	}
	c.closing.Store(true)
	o := &c.out
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.q.Write(c.sess, melodyio.Frame{B: msg, Close: true}, c.srv.cfg.SendBuffer) != nil {
		return ErrConnClosed
	}
	return nil
}

// sent is melody's sent-message handler: a data frame has left melody's
// channel, so the oldest waiting frame takes its place.
func (c *Conn) sent() {
	c.out.mu.Lock()
	c.out.q.Sent(c.sess)
	c.out.mu.Unlock()
}

// shut closes the outbox of a connection that has ended: frames written
// from now on are refused, and those waiting are dropped.
func (c *Conn) shut() {
	c.out.mu.Lock()
	c.out.q.Shut()
	c.out.mu.Unlock()
}
