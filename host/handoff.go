package host

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
// upgrade. So serveWS runs the upgrade on a goroutine of the server's and
// returns as soon as the connection is hijacked; net/http then drops all of
// it.

// upgradeWriter is the http.ResponseWriter melody upgrades through on the
// server's goroutine. Until the hijack it writes to the handler's
// ResponseWriter, whose handler is still waiting; after it, writes fail with
// http.ErrHijacked, since the handler may have returned.
type upgradeWriter struct {
	w         http.ResponseWriter // nil once hijacked
	hijacked  bool                // only touched by the upgrading goroutine
	handedOff chan struct{}       // closed once hijacked: the handler may return
}

func newUpgradeWriter(w http.ResponseWriter) *upgradeWriter {
	return &upgradeWriter{w: w, handedOff: make(chan struct{})}
}

// Header returns the handler's header map until the hijack. melody takes it
// before the upgrade and gorilla writes it after the hijack, when net/http
// no longer touches it.
func (u *upgradeWriter) Header() http.Header {
	if u.hijacked {
		return http.Header{}
	}
	return u.w.Header()
}

func (u *upgradeWriter) Write(b []byte) (int, error) {
	if u.hijacked {
		return 0, http.ErrHijacked
	}
	return u.w.Write(b)
}

func (u *upgradeWriter) WriteHeader(status int) {
	if !u.hijacked {
		u.w.WriteHeader(status)
	}
}

// Hijack takes the connection over from net/http and lets the handler
// return.
func (u *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(u.w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Let go of net/http's response: the goroutine serving the connection
	// keeps this writer for the connection's life.
	u.w = nil
	u.hijacked = true
	close(u.handedOff)
	return conn, rw, nil
}

// keptRequest returns the part of a handshake request that a connection
// keeps for its life: what the upgrader reads and what Handshake reports.
// net/http's request also holds a context and parsing state that outlive
// their use; and the credentials (the Authorization, Proxy-Authorization
// and Cookie headers, the token query parameter) are checked before the
// upgrade and not kept.
func keptRequest(r *http.Request) *http.Request {
	header := make(http.Header, len(r.Header))
	for k, v := range r.Header {
		if !secretHeaders[http.CanonicalHeaderKey(k)] {
			header[k] = v
		}
	}
	u := *r.URL
	if q := u.Query(); q.Has(tokenParam) {
		q.Del(tokenParam)
		u.RawQuery = q.Encode()
	}
	return &http.Request{
		Method:     r.Method,
		URL:        &u,
		Proto:      r.Proto,
		ProtoMajor: r.ProtoMajor,
		ProtoMinor: r.ProtoMinor,
		Header:     header,
		Host:       r.Host,
		RemoteAddr: r.RemoteAddr,
		RequestURI: u.RequestURI(),
	}
}
