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
