package socketio

import (
	"errors"

	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host"
)

// melodyQueue is how many data frames a WebSocket hands to melody's outbound
// channel at a time. melody allocates that channel in full for every
// WebSocket, busy or idle (at SendBuffer+1 = 257 frames it was 10 KiB, the
// largest part of an idle session), so it is kept short; frames beyond it
// wait in the WebSocket's outbox, which holds memory only while they wait.
// SendBuffer+1 frames in all may be queued, the two together, as when the
// channel held them alone. host/outbox.go does the same for /ws.
const melodyQueue = 16

// melodyQueueSize is the capacity of melody's channel: the data frames
// handed over, and a slot for the close frame.
func melodyQueueSize(sendBuffer int) int { return min(sendBuffer+1, melodyQueue) + 1 }

// outboxKey is the melody session key that holds the WebSocket's *outbox.
const outboxKey = "socketio.outbox"

// errOutboxClosed is what writing to a WebSocket that is closing or cut
// returns.
var errOutboxClosed = errors.New("socketio: websocket closed")

// outbox feeds one WebSocket's frames to melody in order. It is guarded by
// the mu of the session the WebSocket belongs to.
type outbox struct {
	handed  int        // data frames in melody's channel or being written
	waiting []outFrame // frames waiting for room, oldest first; nil when none
	closed  bool       // a close frame went to melody, or a write failed
}

type outFrame struct {
	b      []byte
	binary bool
	close  bool // b is a close message
}

func outboxOf(ms *melody.Session) *outbox { return ms.Keys[outboxKey].(*outbox) }

// write queues a frame on ms, a WebSocket of ss. Under ss.mu. A close frame
// waits behind the frames queued before it, and nothing is queued after it.
// A frame beyond SendBuffer+1 waiting cuts the WebSocket as a slow consumer.
func (ss *session) write(ms *melody.Session, f outFrame) error {
	o := outboxOf(ms)
	switch {
	case o.closed || (len(o.waiting) > 0 && o.waiting[len(o.waiting)-1].close):
		return errOutboxClosed
	case !f.close && o.handed+len(o.waiting) >= ss.srv.cfg.SendBuffer+1:
		o.closed, o.waiting = true, nil
		ss.slowConsumer(ms)
		return errOutboxClosed
	case len(o.waiting) == 0 && (f.close || o.handed < melodyQueue):
		return o.hand(ms, f)
	default:
		o.waiting = append(o.waiting, f)
		return nil
	}
}

// sent is melody's sent-message handler: a data frame of ms has been
// written, so the oldest waiting one takes its place.
func (ss *session) sent(ms *melody.Session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	o := outboxOf(ms)
	o.handed--
	if len(o.waiting) == 0 || o.closed {
		return
	}
	f := o.waiting[0]
	o.waiting[0] = outFrame{}
	o.waiting = o.waiting[1:]
	if len(o.waiting) == 0 {
		o.waiting = nil // an idle WebSocket holds no queue
	}
	_ = o.hand(ms, f) // on failure the outbox is closed
}

// hand gives a frame to melody, which never blocks: its channel has room for
// every data frame handed and for one close.
func (o *outbox) hand(ms *melody.Session, f outFrame) error {
	var err error
	switch {
	case f.close:
		err = ms.CloseWithMsg(f.b)
		o.closed = true
	case f.binary:
		err = ms.WriteBinary(f.b)
	default:
		err = ms.Write(f.b)
	}
	if err != nil || o.closed {
		o.closed, o.waiting = true, nil
		return err
	}
	o.handed++
	return nil
}

// slowConsumer cuts a WebSocket whose client does not keep up.
func (ss *session) slowConsumer(ms *melody.Session) {
	reason := host.ReasonSlowConsumer
	ss.wsReason.CompareAndSwap(nil, &reason)
	if !ss.slow.Swap(true) {
		ss.srv.log.Warn("socket.io: slow consumer: send buffer full, disconnecting", "sid", ss.sid, "buffer", ss.srv.cfg.SendBuffer)
	}
	_ = ms.WebsocketConnection().Close() // melody holds no lock of ours when it reacts
}
