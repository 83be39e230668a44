package socketio

import (
	"errors"

	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/internal/melodyio"
)

// A WebSocket's frames go to melody through a melodyio.Outbox, as /ws's do,
// so that melody's channel, allocated in full for every session, stays short
// (at SendBuffer+1 = 257 frames it was 10 KiB, the largest part of an idle
// session). SendBuffer+1 frames in all may be queued: a message, and its
// close or attachment.

// outboxKey is the melody session key that holds the WebSocket's outbox.
const outboxKey = "socketio.outbox"

// errOutboxClosed is what writing to a WebSocket that is closing or cut
// returns.
var errOutboxClosed = errors.New("socketio: websocket closed")

// outFrame is one outbound WebSocket frame.
type outFrame = melodyio.Frame

func outboxOf(ms *melody.Session) *melodyio.Outbox { return ms.Keys[outboxKey].(*melodyio.Outbox) }

// outboxLimit is how many frames a WebSocket may have queued.
func (s *Server) outboxLimit() int { return s.cfg.SendBuffer + 1 }

// write queues a frame on ms, a WebSocket of ss. Under ss.mu. A frame
// beyond the limit cuts the WebSocket as a slow consumer.
func (ss *session) write(ms *melody.Session, f outFrame) error {
	switch err := outboxOf(ms).Write(ms, f, ss.srv.outboxLimit()); err {
	case nil:
		return nil
	case melodyio.ErrFull:
		ss.slowConsumer(ms)
	}
	return errOutboxClosed
}

// sent is melody's sent-message handler: a data frame of ms has been
// written, so the oldest waiting one takes its place.
func (ss *session) sent(ms *melody.Session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	outboxOf(ms).Sent(ms)
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
