package melodyio

import (
	"bufio"
	"net"
	"net/http"
)

// melody serves a connection inside the call that upgrades it, for as long
// as the connection lives. Made from a net/http handler, that call would pin
// net/http's per-connection state for the whole life of the WebSocket: the
// server's conn goroutine with its deep stack, its 4 KiB read and write
// buffers, the response and its context, which melody never uses after the
// upgrade. So the handler runs the upgrade, through a HandoffWriter, on a
// goroutine of the server's and returns as soon as HandedOff is closed (or
// the upgrade has failed and answered); net/http then drops all of it.

// HandoffWriter is the http.ResponseWriter melody upgrades through on the
// server's goroutine. Until the hijack it writes to the handler's
// ResponseWriter, whose handler is still waiting; after it, writes fail with
// http.ErrHijacked, since the handler may have returned.
type HandoffWriter struct {
	w         http.ResponseWriter // nil once hijacked
	handedOff chan struct{}       // closed once hijacked: the handler may return
	hijacked  bool                // only touched by the upgrading goroutine
	// cork is the hijacked connection when cork.out is set: part of the
	// writer, which lives as long, to save an allocation per connection.
	cork cork
}

// NewHandoffWriter returns the writer to upgrade through instead of w. When
// out is not nil, it is the Outbox that will feed the connection's frames
// to melody, and the hijacked connection is corked (cork.go): frames that
// others are queued behind in out leave with them, in one write.
func NewHandoffWriter(w http.ResponseWriter, out *Outbox) *HandoffWriter {
	return &HandoffWriter{w: w, handedOff: make(chan struct{}), cork: cork{out: out}}
}

// HandedOff is closed once the connection is hijacked: the handler may
// return.
func (u *HandoffWriter) HandedOff() <-chan struct{} { return u.handedOff }

// Header returns the handler's header map until the hijack. melody takes it
// before the upgrade and gorilla writes it after the hijack, when net/http
// no longer touches it.
func (u *HandoffWriter) Header() http.Header {
	if u.hijacked {
		return http.Header{}
	}
	return u.w.Header()
}

func (u *HandoffWriter) Write(b []byte) (int, error) {
	if u.hijacked {
		return 0, http.ErrHijacked
	}
	return u.w.Write(b)
}

func (u *HandoffWriter) WriteHeader(status int) {
	if !u.hijacked {
		u.w.WriteHeader(status)
	}
}

// Hijack takes the connection over from net/http, corked if an Outbox was
// given, and lets the handler return.
func (u *HandoffWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(u.w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if u.cork.out != nil {
		u.cork.Conn = conn
		conn = &u.cork
	}
	// Let go of net/http's response: the goroutine serving the connection
	// keeps this writer for the connection's life.
	u.w = nil
	u.hijacked = true
	close(u.handedOff)
	return conn, rw, nil
}
