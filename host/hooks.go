package host

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// Reasons a connection ended, passed to Hooks.Disconnect and logged.
const (
	// ReasonClientClosed: the client sent a close frame.
	ReasonClientClosed = "client closed"
	// ReasonServerShutdown: Shutdown closed the connection (or refused a
	// handshake whose Connect had already succeeded).
	ReasonServerShutdown = "server shutdown"
	// ReasonPingTimeout: no pong within Config.PongWait (the read deadline
	// expired).
	ReasonPingTimeout = "ping timeout"
	// ReasonSlowConsumer: the outbound buffer filled up (close 4008), or a
	// frame could not be written within the write timeout.
	ReasonSlowConsumer = "slow consumer"
	// ReasonClosedByScript: Conn.Close.
	ReasonClosedByScript = "closed by script"
	// ReasonDisconnectedByAPI: Server.DisconnectSocket, such as the HTTP
	// API's POST /api/disconnect, from this node or another.
	ReasonDisconnectedByAPI = "disconnected by api"
	// ReasonFrameTooLarge: the client sent a frame over Config.MaxMessage
	// (close 1009).
	ReasonFrameTooLarge = "frame too large"
	// ReasonProtocolError: the client broke its protocol (a Socket.IO
	// packet that does not decode, a packet before its CONNECT, no CONNECT
	// in time); the reference Socket.IO server closes such connections too.
	ReasonProtocolError = "protocol error"
	// ReasonConnectionLost: anything else: a network error, EOF, a
	// connection cut without a close frame.
	ReasonConnectionLost = "connection lost"
)

// Hooks lets the JS side take part in connection lifecycles. Config.Hooks nil
// means none.
type Hooks interface {
	// Connect runs before the WebSocket upgrade, on the HTTP handler's
	// goroutine, after the origin and token checks, with a context bounded by
	// Config.CallTimeout. It returns the connection's initial data as JSON
	// text (nil: none, the data starts as {}), or an error that refuses the
	// connection: HTTP 403 when the error's ErrorCode() string method returns
	// "forbidden", 401 for any other code, with the error's message as the
	// plain-text body; an error whose code is "internal", or without
	// ErrorCode, or a panic, gives 500 "internal error" (and is logged).
	Connect(ctx context.Context, hs *Handshake) ([]byte, error)
	// Disconnect runs exactly once for each connection whose Connect
	// succeeded, after it has ended, with one of the Reason* strings. It runs
	// on the goroutine that served the connection before it leaves
	// its rooms (c.Rooms() is as it was) and before c.Done is closed, so it
	// must not block for long (it may start asynchronous work). A connection
	// whose upgrade failed after Connect gets it too, with
	// ReasonConnectionLost (or ReasonServerShutdown): such a Conn never
	// opened, and writes to it fail with ErrConnClosed.
	Disconnect(c *Conn, reason string)
}

// ConnectedHook is implemented by Hooks that want to know when a connection
// is open, on any protocol.
type ConnectedHook interface {
	// Connected runs once a connection is open and before any of its
	// requests is handed to the Handler: they wait until started is called,
	// which it must do exactly once, from any goroutine, when the hook's
	// synchronous part has run (so that what it emits arrives first). It
	// must not block.
	Connected(c *Conn, started func())
}

// errHookPanic stands for a panic in Connect: an internal error.
var errHookPanic = errors.New("host: Connect hook panicked")

// runConnect calls Hooks.Connect with the call timeout; a panic becomes an
// internal error.
func (s *Server) runConnect(ctx context.Context, hs *Handshake) (data []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in the Connect hook", "remote", hs.Address, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			data, err = nil, errHookPanic
		}
	}()
	return s.cfg.Hooks.Connect(ctx, hs)
}

// connectedHook returns the Hooks' ConnectedHook, or nil.
func (s *Server) connectedHook() ConnectedHook {
	h, _ := s.cfg.Hooks.(ConnectedHook)
	return h
}

// runConnected runs the ConnectedHook for a connection that has opened; its
// requests go once the hook has started. A panic is logged and lets them go.
func (s *Server) runConnected(c *Conn) {
	h := s.connectedHook()
	if h == nil {
		return
	}
	var once sync.Once
	started := func() { once.Do(c.next) }
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in the Connected hook", "socket", c.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			started()
		}
	}()
	h.Connected(c, started)
}

// runDisconnect calls Hooks.Disconnect; a panic is logged.
func (s *Server) runDisconnect(c *Conn, reason string) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in the Disconnect hook", "socket", c.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	s.cfg.Hooks.Disconnect(c, reason)
}
