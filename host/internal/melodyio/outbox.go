package melodyio

import (
	"errors"
	"sync/atomic"

	"github.com/olahol/melody"
)

// Queue is how many data frames an Outbox hands to melody's outbound
// channel at a time. melody allocates that channel in full for every
// session, busy or idle (at 256 frames it was 10 KiB, half of an idle
// connection's memory), so it is kept short; frames beyond it wait in the
// Outbox, which holds memory only while frames wait.
const Queue = 16

// ChannelSize is the capacity to give melody's channel
// (melody.Config.MessageBufferSize) for an Outbox of limit frames: the data
// frames handed over, plus a slot for the close frame, which also goes
// through the Outbox and so always finds that slot.
func ChannelSize(limit int) int { return min(limit, Queue) + 1 }

// Errors of Outbox.Write.
var (
	// ErrClosed: a close frame was queued or written, a write failed, or
	// the session ended.
	ErrClosed = errors.New("melodyio: outbox closed")
	// ErrFull: the frame would exceed the limit; the Outbox is closed, and
	// the caller disconnects the client as a slow consumer.
	ErrFull = errors.New("melodyio: outbox full")
)

// Frame is one outbound WebSocket frame.
type Frame struct {
	B      []byte
	Binary bool
	Close  bool // B is a close message (melody.FormatCloseMessage)
}

// Outbox feeds one melody session's frames to melody in order: a frame goes
// to melody's channel while it has room, else waits here; each frame melody
// has written (Sent, from melody's sent-message handler) lets the oldest
// waiting one in. A close frame waits its turn like the others, so that the
// frames queued before it are written before it, and nothing is queued
// after it. The zero value is ready; the owner guards it with its own lock,
// except for behind, which the connection's cork (see NewHandoffWriter)
// calls from melody's write goroutine.
type Outbox struct {
	handed  atomic.Int32 // data frames in melody's channel or being written
	waiting []Frame      // frames waiting for room, oldest first; nil when none
	closed  bool         // a close frame went to melody, or the session ended
	closing atomic.Bool  // a close frame went to melody
}

// Write queues f on s. A data frame beyond limit frames queued in all
// (handed and waiting) closes the Outbox and fails with ErrFull; a close
// frame is never refused for room. melody never blocks here: its channel,
// of ChannelSize(limit), has room for every data frame handed and for one
// close.
func (o *Outbox) Write(s *melody.Session, f Frame, limit int) error {
	switch {
	case o.closed || o.Closing():
		return ErrClosed
	case !f.Close && int(o.handed.Load())+len(o.waiting) >= limit:
		o.closed, o.waiting = true, nil
		return ErrFull
	case len(o.waiting) == 0 && (f.Close || o.handed.Load() < Queue):
		return o.hand(s, f)
	default:
		o.waiting = append(o.waiting, f)
		return nil
	}
}

// Closing reports whether a close frame waits its turn.
func (o *Outbox) Closing() bool {
	return len(o.waiting) > 0 && o.waiting[len(o.waiting)-1].Close
}

// Sent takes melody's report that a data frame of s has been written: the
// oldest waiting frame takes its place.
func (o *Outbox) Sent(s *melody.Session) {
	o.handed.Add(-1)
	if len(o.waiting) == 0 || o.closed {
		return
	}
	f := o.waiting[0]
	o.waiting[0] = Frame{}
	o.waiting = o.waiting[1:]
	if len(o.waiting) == 0 {
		o.waiting = nil // an idle session holds no queue
	}
	_ = o.hand(s, f) // on failure the Outbox is closed
}

// Shut closes the Outbox of a session that has ended: frames written from
// now on are refused, and those waiting are dropped.
func (o *Outbox) Shut() {
	o.closed, o.waiting = true, nil
}

// hand gives a frame to melody. A close, or a failed write, closes the
// Outbox.
func (o *Outbox) hand(s *melody.Session, f Frame) error {
	var err error
	switch {
	case f.Close:
		err = s.CloseWithMsg(f.B)
		o.closed = true
		o.closing.Store(err == nil)
	case f.Binary:
		err = s.WriteBinary(f.B)
	default:
		err = s.Write(f.B)
	}
	if err != nil || o.closed {
		o.closed, o.waiting = true, nil
		if err == nil {
			return nil
		}
		return ErrClosed
	}
	o.handed.Add(1)
	return nil
}

// behind reports, while melody writes a data frame the Outbox handed it,
// whether more frames are queued behind that one: another data frame, or
// the close. Safe from any goroutine without the owner's lock.
func (o *Outbox) behind() bool {
	n := o.handed.Load()
	return n > 1 || n == 1 && o.closing.Load()
}
