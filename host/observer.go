package host

import (
	"time"

	"github.com/eventhost/eventhost/host/protocol"
)

// Protocol names, as Observer methods and Conn.Protocol report them.
const (
	// ProtocolNative is /ws, the native protocol (docs/protocol.md).
	ProtocolNative = "native"
	// ProtocolSocketIO is Socket.IO (host/socketio).
	ProtocolSocketIO = "socketio"
)

// Reasons a handshake was refused, passed to Observer.ConnRefused.
const (
	// RefusedOrigin: the Origin is not allowed (403).
	RefusedOrigin = "origin"
	// RefusedAuth: the JWT is missing or invalid (401).
	RefusedAuth = "auth"
	// RefusedHook: Hooks.Connect refused the connection or failed.
	RefusedHook = "hook"
	// RefusedShutdown: the server is draining (503).
	RefusedShutdown = "shutdown"
)

// CodeOK is the outcome code Observer.Answered reports for a successful
// call (protocol.Code has no success code on the wire).
const CodeOK protocol.Code = "ok"

// Answer is one answer the server gave to a request, whoever decided it:
// the handler's reply or error, or the host's own (timeout, overloaded,
// bad_request, payload_too_large, the shutdown's abort).
type Answer struct {
	// Protocol is the connection's protocol: ProtocolNative or
	// ProtocolSocketIO.
	Protocol string
	// Event is the event the request named, as the client sent it: it may
	// be empty or name no route. It is only valid during the call: an
	// Observer that keeps it must copy it.
	Event string
	// Code is CodeOK or the wire code of the error.
	Code protocol.Code
	// Duration runs from the request's arrival to its answer; zero for a
	// request the host refused before queueing it (a frame that does not
	// decode, overloaded).
	Duration time.Duration
}

// Observer learns what the server does, for metrics. Config.Observer nil
// means none, and costs one nil check where it would be called. Its
// methods are called from any goroutine, on the paths that serve calls and
// connections: they must be quick and must not block or call back into the
// Server. protocol is ProtocolNative or ProtocolSocketIO.
type Observer interface {
	// Answered is called once for every request answered (or settled
	// without an answer, as a successful request without an id).
	Answered(a Answer)
	// ConnOpened is called when a connection has been accepted.
	ConnOpened(protocol string)
	// ConnRefused is called when a handshake is refused, with a Refused*
	// reason.
	ConnRefused(protocol, reason string)
	// ConnClosed is called once for every connection ConnOpened counted,
	// when it has ended, with its Reason* (ReasonSlowConsumer counts the
	// slow-consumer disconnects).
	ConnClosed(protocol, reason string)
	// FrameIn counts a frame received from a client, of n bytes.
	FrameIn(protocol string, n int)
	// FrameOut counts a frame queued for a client, of n bytes.
	FrameOut(protocol string, n int)
}

// Observer returns Config.Observer (nil when none), for the protocols
// mounted beside /ws to report their own frames.
func (s *Server) Observer() Observer { return s.obs }

// Protocol returns the connection's protocol: ProtocolNative for /ws, else
// what Admission.Protocol said.
func (c *Conn) Protocol() string { return c.proto }

// refused reports a refused handshake to the observer, if any.
func (s *Server) refused(proto, reason string) {
	if s.obs != nil {
		s.obs.ConnRefused(proto, reason)
	}
}

// observeOut reports m's frames to the observer, if any.
func (c *Conn) observeOut(m Message) {
	if o := c.srv.obs; o != nil {
		o.FrameOut(c.proto, len(m.Frame))
		for _, a := range m.Attachments {
			o.FrameOut(c.proto, len(a))
		}
	}
}

// answered reports an answer to the observer, if any; arrived is zero for a
// request refused before it was queued.
func (c *Conn) answered(event string, code protocol.Code, arrived time.Time) {
	o := c.srv.obs
	if o == nil {
		return
	}
	var d time.Duration
	if !arrived.IsZero() {
		d = time.Since(arrived)
	}
	o.Answered(Answer{Protocol: c.proto, Event: event, Code: code, Duration: d})
}

// observeOpened reports an open connection to the observer, if any, and
// marks it for the ConnClosed that follows.
func (s *Server) observeOpened(c *Conn) {
	if s.obs != nil {
		c.observed.Store(true)
		s.obs.ConnOpened(c.proto)
	}
}
