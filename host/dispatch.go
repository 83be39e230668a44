package host

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host/protocol"
)

// onMessage runs on the connection's read goroutine: it decodes the frame and
// queues the request, and never waits for JS.
func (s *Server) onMessage(sess *melody.Session, msg []byte, binary bool) {
	c := connOf(sess)
	if s.obs != nil {
		s.obs.FrameIn(ProtocolNative, len(msg))
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic handling a frame", "socket", c.id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.sendError(nil, "", protocol.Errorf(protocol.CodeInternal, "internal error"))
		}
	}()
	if c.closing.Load() {
		return // a close frame is on its way: nothing more is served
	}
	if int64(len(msg)) > s.cfg.MaxMessage {
		c.closing.Store(true)
		c.setCloseReason(ReasonFrameTooLarge)
		s.log.Warn("frame over the size limit: connection closed with 1009", "socket", c.id, "size", len(msg), "limit", s.cfg.MaxMessage)
		c.refuseRequest(nil, "", protocol.Errorf(protocol.CodePayloadTooLarge, "frame of %d bytes exceeds the limit of %d bytes", len(msg), s.cfg.MaxMessage))
		_ = c.closeWith(melody.FormatCloseMessage(websocket.CloseMessageTooBig, "message too big"))
		return
	}
	var req protocol.Request
	var err error
	if binary {
		req, err = protocol.DecodeBinary(msg)
	} else {
		req, err = protocol.DecodeText(msg)
	}
	if err != nil {
		c.refuseRequest(req.ID, req.Event, err)
		return
	}
	s.receive(c, req, nil, nil)
}

// receive admits a decoded request: while draining, or beyond the
// connection's MaxInflight, it is answered with overloaded; else it is
// queued for its turn.
func (s *Server) receive(c *Conn, req protocol.Request, rest []byte, attachments [][]byte) {
	if s.draining.Load() {
		c.refuseRequest(req.ID, req.Event, protocol.Errorf(protocol.CodeOverloaded, "server is shutting down"))
		return
	}
	if c.inflight.Add(1) > int32(s.cfg.MaxInflight) {
		c.inflight.Add(-1)
		c.refuseRequest(req.ID, req.Event, protocol.Errorf(protocol.CodeOverloaded, "too many requests in flight on this connection (limit %d)", s.cfg.MaxInflight))
		return
	}
	s.calls.Add(1)
	r := &request{Request: req, conn: c}
	r.call.Rest, r.call.Attachments = rest, attachments // kept in the call: dispatch fills in the rest of it
	r.ctx.deadline = time.Now().Add(s.cfg.CallTimeout)
	c.enqueue(r)
}

// dispatch hands r to the handler with its deadline, which counts from the
// request's arrival. The host enforces the deadline itself, so a handler
// that never answers still gets its request a timeout, and a handler that
// panics gets it an internal error; either way the connection's next request
// goes.
func (s *Server) dispatch(r *request) {
	if r.settled.Load() || s.aborted.Load() {
		r.abort() // answered by Shutdown's abort while it waited its turn, or now
		return
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in a handler", "socket", r.conn.id, "event", r.Event, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r.done(Reply{}, protocol.Errorf(protocol.CodeInternal, "internal error"))
			r.started()
		}
	}()
	r.call.Event, r.call.Data, r.call.Binary, r.call.Conn, r.call.req = r.Event, r.data(), r.Binary, r.conn, r
	s.handler.Call(&r.ctx, &r.call)
}
