package fetch

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// The outcomes of a fetch, as Outcome names them: a bounded set, fit for a
// metric's label.
const (
	OutcomeOK           = "ok"             // a response, whatever its status
	OutcomeTimeout      = "timeout"        // Options.Timeout or the call's deadline
	OutcomeAborted      = "aborted"        // AbortController, or the call ended
	OutcomeNotAllowed   = "not_allowed"    // refused by the allow-list
	OutcomeBodyTooLarge = "body_too_large" // more than Options.MaxBody
	OutcomeNetwork      = "network"        // refused, reset, not resolved, or another network error
	OutcomeOther        = "other"          // a bad URL or scheme, a refused redirect, ...
)

// Outcome returns the outcome of a fetch that ended with err (nil: a
// response): one of the Outcome constants.
func Outcome(err error) string {
	var dns *net.DNSError
	var nerr net.Error
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, ErrNotAllowed):
		return OutcomeNotAllowed
	case errors.Is(err, ErrBodyTooLarge):
		return OutcomeBodyTooLarge
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	case errors.Is(err, context.Canceled):
		return OutcomeAborted
	case errors.Is(err, ErrRedirect), errors.Is(err, ErrScheme):
		return OutcomeOther
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.As(err, &dns), errors.As(err, &nerr):
		return OutcomeNetwork
	}
	return OutcomeOther
}
