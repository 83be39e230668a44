package melodyio

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// melody serves a connection inside the call that upgrades it, for as long
// as the connection lives. Made from a net/http handler, that call would pin
// net/http's per-connection state for the whole life of the WebSocket: the
// server's conn goroutine with its deep stack, its 4 KiB read and write
// buffers, the response and its context, which melody never uses after the
// upgrade. So the handler runs the upgrade, through a HandoffWriter, on a
// goroutine of the server's and returns as soon as HandedOff is closed: at
// the hijack, or at Finish once a failed upgrade has answered; net/http
// then drops all of it. The writer lets go of that channel once it is
// closed (an idle connection holds no channel for a handler long gone).

// HandoffWriter is the http.ResponseWriter melody upgrades through on the
// server's goroutine. Until the hijack it writes to the handler's
// ResponseWriter, whose handler is still waiting; after it, writes fail with
// http.ErrHijacked, since the handler may have returned.
type HandoffWriter struct {
	w        http.ResponseWriter // nil once hijacked
	hijacked bool                // only touched by the upgrading goroutine
	mu       sync.Mutex          // guards handedOff, which HandedOff reads from the handler
	// handedOff is closed at the hijack or at Finish, whichever comes
	// first: the handler may return. nil once closed.
	handedOff chan struct{}
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

// HandedOff is closed once the connection is hijacked, or once Finish is
// called: the handler may return. Safe from any goroutine.
func (u *HandoffWriter) HandedOff() <-chan struct{} {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.handedOff == nil {
		return closedChan
	}
	return u.handedOff
}

// Finish closes HandedOff if the hijack has not: the upgrading goroutine
// calls it once the upgrade has returned and, when it failed, its answer is
// written through the writer. A handler that waits on HandedOff alone then
// needs no second channel for a failed upgrade.
func (u *HandoffWriter) Finish() { u.handOff() }

// handOff closes handedOff, once, and lets go of it.
func (u *HandoffWriter) handOff() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.handedOff != nil {
		close(u.handedOff)
		u.handedOff = nil
	}
}

// closedChan is what HandedOff returns once its channel is closed and dropped.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

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
	u.handOff()
	return conn, rw, nil
}
