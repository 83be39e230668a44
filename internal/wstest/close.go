package wstest

import (
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Closed waits for the connection to end and returns how many data frames
// came before the end, and why it ended (a *websocket.CloseError when the
// server sent a close frame).
func (c *Client) Closed(t testing.TB) (int, error) {
	t.Helper()
	timeout := time.After(Timeout)
	n := 0
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				return n, c.err
			}
			n++
		case <-timeout:
			t.Fatalf("the connection did not end within %s (%d frames read)", Timeout, n)
		}
	}
}

// WantClose waits for the connection to end with a close frame of code and,
// unless reason is "*", that reason. No data frame may come first.
func (c *Client) WantClose(t testing.TB, code int, reason string) {
	t.Helper()
	n, err := c.Closed(t)
	if n != 0 {
		t.Errorf("%d unexpected frames before the close", n)
	}
	WantCloseError(t, err, code, reason)
}

// WantCloseError checks that err is a close frame of code and, unless
// reason is "*", that reason.
func WantCloseError(t testing.TB, err error, code int, reason string) {
	t.Helper()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("connection ended with %v (%T), want a close frame %d", err, err, code)
	}
	if ce.Code != code || (reason != "*" && ce.Text != reason) {
		t.Fatalf("close %d %q, want %d %q", ce.Code, ce.Text, code, reason)
	}
}

// IsClose reports whether err is a close frame with code and reason.
func IsClose(err error, code int, reason string) bool {
	var ce *websocket.CloseError
	return errors.As(err, &ce) && ce.Code == code && ce.Text == reason
}
