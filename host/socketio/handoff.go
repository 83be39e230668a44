package socketio

import (
	"bufio"
	"net"
	"net/http"
)

// melody serves a WebSocket inside the call that upgrades it, for the
// connection's whole life. Made from net/http's handler, that call would
// keep net/http's per-connection state alive as long: its goroutine with a
// deep stack, its read and write buffers, the request and response. So
// serveWebSocket upgrades on a goroutine of its own and returns once the
// connection is hijacked (or the upgrade has failed and answered); net/http
// then lets all of it go. host/handoff.go does the same for /ws.

// handoffWriter is the http.ResponseWriter melody upgrades through. Until
// the hijack it writes to the handler's ResponseWriter, the handler waiting;
// after it, it writes nothing, the handler having returned.
type handoffWriter struct {
	w         http.ResponseWriter // nil once hijacked
	handedOff chan struct{}       // closed at the hijack: the handler may return
}

func newHandoffWriter(w http.ResponseWriter) *handoffWriter {
	return &handoffWriter{w: w, handedOff: make(chan struct{})}
}

// Header is the handler's header map until the hijack: melody takes it
// before the upgrade, and gorilla reads it after the hijack, when net/http
// no longer does.
func (h *handoffWriter) Header() http.Header {
	if h.w == nil {
		return http.Header{}
	}
	return h.w.Header()
}

func (h *handoffWriter) Write(b []byte) (int, error) {
	if h.w == nil {
		return 0, http.ErrHijacked
	}
	return h.w.Write(b)
}

func (h *handoffWriter) WriteHeader(status int) {
	if h.w != nil {
		h.w.WriteHeader(status)
	}
}

// Hijack takes the connection from net/http and lets the handler return.
func (h *handoffWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(h.w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.w = nil // the goroutine serving the connection keeps this writer
	close(h.handedOff)
	return conn, rw, nil
}
