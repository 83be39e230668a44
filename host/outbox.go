package host

import "sync"

// melodyQueue is how many frames a connection hands to melody's outbound
// channel at a time. melody allocates that channel in full for every
// connection, busy or idle (at 256 frames it was 10 KiB, half of an idle
// connection's memory), so it is kept short. Frames beyond it wait in the
// connection's outbox, which holds memory only while frames wait, and
// Config.SendBuffer bounds the two together.
const melodyQueue = 16

// melodyQueueSize is the capacity of melody's channel for a send buffer of
// sendBuffer frames: the data frames handed over, plus a slot for the close
// frame, which also goes through the outbox and so always finds that slot.
// melody itself queues closes of its own when its hub shuts down; those may
// find the channel full (see Server.onError).
func melodyQueueSize(sendBuffer int) int { return min(sendBuffer, melodyQueue) + 1 }

// outbox feeds a connection's outbound frames to melody in order. A frame
// goes to melody's channel while it has room, else waits here; each frame
// melody has written (Conn.sent, on melody's write goroutine) lets the
// oldest waiting one in. A close frame waits its turn like the others, so
// that the frames queued before it are written before it.
type outbox struct {
	mu      sync.Mutex
	handed  int        // data frames in melody's channel or being written
	waiting []outFrame // frames waiting for room, oldest first; nil when none
	closed  bool       // a close frame went to melody, or the session ended: nothing more is sent
	// A close frame waiting its turn is the last of waiting: frames written
	// after it are refused too.
}

type outFrame struct {
	b      []byte
	binary bool
	close  bool // b is a close message (melody.FormatCloseMessage)
}

// write queues a frame. A full send buffer disconnects the client.
func (c *Conn) write(frame []byte, binary bool) error {
	if c.sess == nil || c.slow.Load() {
		return ErrConnClosed
	}
	o := &c.out
	o.mu.Lock()
	switch {
	case o.closed || o.waitingClose():
		o.mu.Unlock()
		return ErrConnClosed
	case o.handed+len(o.waiting) >= c.srv.cfg.SendBuffer:
		o.mu.Unlock()
		c.slowConsumer()
		return ErrConnClosed
	case len(o.waiting) == 0 && o.handed < melodyQueue:
		if err := c.hand(outFrame{b: frame, binary: binary}); err != nil {
			o.mu.Unlock()
			return ErrConnClosed
		}
	default:
		o.waiting = append(o.waiting, outFrame{b: frame, binary: binary})
	}
	o.mu.Unlock()
	if c.slow.Load() {
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
	switch {
	case o.closed || o.waitingClose():
		return ErrConnClosed
	case len(o.waiting) == 0:
		return c.hand(outFrame{b: msg, close: true})
	default:
		o.waiting = append(o.waiting, outFrame{b: msg, close: true})
		return nil
	}
}

// waitingClose reports whether a close frame waits its turn. Under o.mu.
func (o *outbox) waitingClose() bool {
	return len(o.waiting) > 0 && o.waiting[len(o.waiting)-1].close
}

// sent is melody's sent-message handler: a data frame has left melody's
// channel, so the oldest waiting frame takes its place.
func (c *Conn) sent() {
	o := &c.out
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handed--
	if len(o.waiting) == 0 || o.closed {
		return
	}
	f := o.waiting[0]
	o.waiting[0] = outFrame{}
	o.waiting = o.waiting[1:]
	if len(o.waiting) == 0 {
		o.waiting = nil // an idle connection holds no queue
	}
	_ = c.hand(f) // on failure the outbox is closed
}

// hand gives a frame to melody; under o.mu, so that frames keep their
// order. melody never blocks here: its channel has room for every data
// frame handed and for one close. A close, or a session that has ended,
// closes the outbox.
func (c *Conn) hand(f outFrame) error {
	o := &c.out
	var err error
	switch {
	case f.close:
		err = c.sess.CloseWithMsg(f.b)
		o.closed = true
	case f.binary:
		err = c.sess.WriteBinary(f.b)
	default:
		err = c.sess.Write(f.b)
	}
	if err != nil {
		o.closed = true
	}
	if o.closed {
		o.waiting = nil
		return err
	}
	o.handed++
	return nil
}

// shut closes the outbox of a connection that has ended: frames written
// from now on are refused, and those waiting are dropped.
func (c *Conn) shut() {
	c.out.mu.Lock()
	c.out.closed = true
	c.out.waiting = nil
	c.out.mu.Unlock()
}
