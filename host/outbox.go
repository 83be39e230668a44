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
// sendBuffer frames: the frames handed over, plus a slot for a close frame,
// which melody queues in the same channel without telling when it is sent.
func melodyQueueSize(sendBuffer int) int { return min(sendBuffer, melodyQueue) + 1 }

// outbox feeds a connection's outbound frames to melody in order. A frame
// goes to melody's channel while it has room, else waits here; each frame
// melody has written (Conn.sent, on melody's write goroutine) lets the
// oldest waiting one in.
type outbox struct {
	mu      sync.Mutex
	handed  int        // frames in melody's channel or being written
	waiting []outFrame // frames waiting for room, oldest first; nil when none
}

type outFrame struct {
	b      []byte
	binary bool
}

// write queues a frame. A full send buffer disconnects the client.
func (c *Conn) write(frame []byte, binary bool) error {
	if c.sess == nil || c.slow.Load() {
		return ErrConnClosed
	}
	o := &c.out
	o.mu.Lock()
	var err error
	switch {
	case o.handed+len(o.waiting) >= c.srv.cfg.SendBuffer:
		o.mu.Unlock()
		c.slowConsumer()
		return ErrConnClosed
	case len(o.waiting) == 0 && o.handed < melodyQueue:
		o.handed++
		err = c.hand(frame, binary)
	default:
		o.waiting = append(o.waiting, outFrame{frame, binary})
	}
	o.mu.Unlock()
	if err != nil || c.slow.Load() {
		return ErrConnClosed
	}
	return nil
}

// sent is melody's sent-message handler: a frame has left melody's channel,
// so the oldest waiting frame takes its place.
func (c *Conn) sent() {
	o := &c.out
	o.mu.Lock()
	o.handed--
	if len(o.waiting) > 0 {
		f := o.waiting[0]
		o.waiting[0] = outFrame{}
		o.waiting = o.waiting[1:]
		if len(o.waiting) == 0 {
			o.waiting = nil // an idle connection holds no queue
		}
		o.handed++
		_ = c.hand(f.b, f.binary) // fails only once the session has closed
	}
	o.mu.Unlock()
}

// hand gives a frame to melody, under o.mu so that frames keep their order.
// melody never blocks here: its channel has room for every frame handed.
func (c *Conn) hand(frame []byte, binary bool) error {
	if binary {
		return c.sess.WriteBinary(frame)
	}
	return c.sess.Write(frame)
}
