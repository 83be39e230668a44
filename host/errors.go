package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
)

// ErrRoomName is returned by Conn.Join for an empty room name or one longer
// than MaxRoomName bytes.
var ErrRoomName = fmt.Errorf("host: a room name must have 1 to %d bytes", MaxRoomName)

// coder is implemented by errors that carry their own wire code, such as
// protocol.Error and the runtime's errors.
type coder interface {
	ErrorCode() string
}

// wireError maps an error to the code and message a client sees. It is the
// one place where errors become wire codes. Errors that carry a code were
// written for clients and keep their message; any other error is internal
// and never shows its Go text.
func wireError(err error, timeout time.Duration) (protocol.Code, string) {
	var pe *protocol.Error
	var c coder
	switch {
	case errors.As(err, &pe):
		return pe.Code, pe.Message
	case errors.As(err, &c):
		return protocol.Code(c.ErrorCode()), err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return protocol.CodeTimeout, fmt.Sprintf("call did not finish within %s", timeout)
	default:
		return protocol.CodeInternal, "internal error"
	}
}

// connectRefusal maps an error of Hooks.Connect to the HTTP status and
// plain-text body that refuse the handshake: 403 for the code "forbidden",
// 500 "internal error" for "internal" or an error without a code, 401 for
// any other code. It reports whether the error is internal (to be logged).
func connectRefusal(err error) (status int, body string, internal bool) {
	var pe *protocol.Error
	var c coder
	code, msg := "", ""
	switch {
	case errors.As(err, &pe):
		code, msg = string(pe.Code), pe.Message
	case errors.As(err, &c):
		code, msg = c.ErrorCode(), err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		code, msg = string(protocol.CodeTimeout), "the connect hook did not finish in time"
	}
	switch code {
	case "", string(protocol.CodeInternal):
		return http.StatusInternalServerError, "internal error", true
	case string(protocol.CodeTimeout), string(protocol.CodeOverloaded):
		// The server could not decide: the client may retry with the same
		// credentials (a 401 would tell it they are wrong).
		return http.StatusServiceUnavailable, msg, false
	case "forbidden":
		return http.StatusForbidden, msg, false
	default:
		return http.StatusUnauthorized, msg, false
	}
}

// closeReason maps the error that ended a connection's reads or writes to a
// Reason*: a client's close frame, a deadline, or anything else. gorilla
// hides which side a deadline error comes from, so pongOverdue tells: when
// the last pong (or the opening) is PongWait ago, the read deadline expired
// (no pong in time); otherwise a frame could not be written within the write
// timeout, a client that does not take its frames.
func closeReason(err error, pongOverdue bool) string {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure:
		// 1006 is gorilla's stand-in for an unexpected EOF, never sent.
		return ReasonClientClosed
	case errors.As(err, &ne) && ne.Timeout():
		if pongOverdue {
			return ReasonPingTimeout
		}
		return ReasonSlowConsumer
	default:
		return ReasonConnectionLost
	}
}
