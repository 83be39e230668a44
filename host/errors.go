package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/eventhost/eventhost/host/protocol"
)

// coder is implemented by errors that carry their own wire code, such as
// protocol.Error and the runtime's errors.
type coder interface {
	ErrorCode() string
}

// wireError maps an error to the code and message a client sees. It is the
// one place where errors become wire codes. Internal errors never show their
// Go text to clients.
func wireError(err error, timeout time.Duration) (protocol.Code, string) {
	var pe *protocol.Error
	var c coder
	switch {
	case errors.As(err, &pe):
		if pe.Code == protocol.CodeInternal {
			return pe.Code, "internal error"
		}
		return pe.Code, pe.Message
	case errors.As(err, &c):
		code := protocol.Code(c.ErrorCode())
		if code == protocol.CodeInternal {
			return code, "internal error"
		}
		return code, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return protocol.CodeTimeout, fmt.Sprintf("call did not finish within %s", timeout)
	default:
		return protocol.CodeInternal, "internal error"
	}
}
