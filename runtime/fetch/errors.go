package fetch

import (
	"errors"
	"fmt"
	"time"
)

// Errors a fetch fails with besides the network's own. In JS each becomes
// the cause of TypeError("fetch failed").
var (
	// ErrNotAllowed: the URL's host is not on the allow-list (-fetch-allow).
	ErrNotAllowed = errors.New("fetch: not allowed by -fetch-allow")
	// ErrBodyTooLarge: the response body is larger than Options.MaxBody.
	ErrBodyTooLarge = errors.New("fetch: response body too large")
	// ErrRedirect: a redirect met redirect "error", or too many redirects.
	ErrRedirect = errors.New("fetch: redirect refused")
	// ErrScheme: the URL is not http or https.
	ErrScheme = errors.New("fetch: unsupported URL scheme")
	// ErrTimeout: the fetch ran longer than Options.Timeout.
	ErrTimeout = errors.New("fetch: timed out")
)

// notAllowedError is ErrNotAllowed for one destination.
type notAllowedError struct{ dest string }

func (e *notAllowedError) Error() string {
	return fmt.Sprintf("fetch: %s is not allowed by -fetch-allow", e.dest)
}
func (e *notAllowedError) Is(target error) bool { return target == ErrNotAllowed }

// timeoutError is ErrTimeout with its bound, the cause of the context of a
// fetch that ran too long.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("fetch: timed out after %s (-fetch-timeout)", e.d)
}
func (e *timeoutError) Is(target error) bool { return target == ErrTimeout }
