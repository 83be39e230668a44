package socketio

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/internal/melodyio"
	"github.com/eventhost/eventhost/host/socketio/wire"
)

// Engine.IO's error bodies, as the reference server answers them.
const (
	errTransportUnknown = `{"code":0,"message":"Transport unknown"}`
	errUnknownSID       = `{"code":1,"message":"Session ID unknown"}`
	errBadMethod        = `{"code":2,"message":"Bad handshake method"}`
	errBadRequest       = `{"code":3,"message":"Bad request"}`
	errForbidden        = `{"code":4,"message":"Forbidden"}`
	errBadVersion       = `{"code":5,"message":"Unsupported protocol version"}`
)

// ServeHTTP serves Engine.IO requests: a handshake (no sid), a poll (GET) or
// a push (POST) of a polling session, or a WebSocket, new or upgrading a
// polling session.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	transport := q.Get("transport")
	switch {
	case q.Get("EIO") != "4":
		refuse(w, http.StatusBadRequest, errBadVersion)
		return
	case transport != "polling" && transport != "websocket":
		refuse(w, http.StatusBadRequest, errTransportUnknown)
		return
	case !s.host.AllowOrigin(r):
		if o := s.host.Observer(); o != nil && q.Get("sid") == "" {
			o.ConnRefused(host.ProtocolSocketIO, host.RefusedOrigin)
		}
		refuse(w, http.StatusForbidden, errForbidden)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		// A browser polling from an allowed origin other than the server's.
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	sid := q.Get("sid")
	if transport == "websocket" {
		if !websocket.IsWebSocketUpgrade(r) {
			refuse(w, http.StatusBadRequest, errTransportUnknown)
			return
		}
		s.serveWebSocket(w, r, sid)
		return
	}
	if sid == "" {
		if r.Method != http.MethodGet {
			refuse(w, http.StatusBadRequest, errBadMethod)
			return
		}
		s.handshake(w, r)
		return
	}
	ss := s.lookup(sid)
	if ss == nil {
		refuse(w, http.StatusBadRequest, errUnknownSID)
		return
	}
	switch r.Method {
	case http.MethodGet:
		ss.poll(w, r)
	case http.MethodPost:
		ss.push(w, r)
	default:
		refuse(w, http.StatusBadRequest, errBadMethod)
	}
}

// ignoredUpgrader opens the WebSockets that are closed at once (the origin
// was checked before).
var ignoredUpgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// refuse answers an Engine.IO error.
func refuse(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// handshake opens a polling session and answers with its open packet.
func (s *Server) handshake(w http.ResponseWriter, r *http.Request) {
	if s.host.Draining() {
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	}
	ss := s.newSession(r)
	if !s.add(ss) {
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	}
	ss.start()
	open := wire.OpenPacket(ss.sid, []string{"websocket"}, s.cfg.PingInterval, s.cfg.PingTimeout, s.cfg.MaxPayload)
	writePayload(w, open)
}

// writePayload answers a poll.
func writePayload(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// serveWebSocket opens a session on a new WebSocket, or probes the upgrade
// of polling session sid.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, sid string) {
	var ss *session
	if sid != "" {
		ss = s.lookup(sid)
		if ss == nil {
			refuse(w, http.StatusBadRequest, errUnknownSID)
			return
		}
		if !ss.canProbe() {
			// Upgraded already, or probing: this WebSocket is ignored,
			// opened and closed as the reference server does.
			if ws, err := ignoredUpgrader.Upgrade(w, r, nil); err == nil {
				_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "session already has a transport"), time.Now().Add(time.Second))
				_ = ws.Close()
			}
			return
		}
	} else {
		if s.host.Draining() {
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		ss = s.newSession(r)
		ss.wsFirst = true
		if !s.add(ss) {
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
	}
	// See melodyio.HandoffWriter: melody serves the connection on a goroutine of its
	// own, and this handler returns once the connection is hijacked, or once
	// the upgrade has failed and answered.
	kept := ss.req // a new session's copy of r, which nothing changes
	if sid != "" {
		kept = keepRequest(r)
	}
	out := &melodyio.Outbox{}
	hw := melodyio.NewHandoffWriter(w, out)
	finished := make(chan struct{})
	go s.serveConn(ss, hw, out, kept, sid == "", finished)
	select {
	case <-hw.HandedOff():
	case <-finished:
	}
}

// serveConn upgrades a WebSocket of ss, whose frames out feeds to melody,
// and serves it until it closes, then closes finished. The goroutine is the WebSocket's: it ends when the
// WebSocket closes, which session.finish and Server.Close make happen. A
// failed upgrade of a new session (own) ends the session.
func (s *Server) serveConn(ss *session, w *melodyio.HandoffWriter, out *melodyio.Outbox, r *http.Request, own bool, finished chan<- struct{}) {
	defer close(finished)
	err := s.melody.HandleRequestWithKeys(w, r, map[string]any{sessionKey: ss, outboxKey: out})
	if err != nil && own {
		ss.finish(host.ReasonConnectionLost)
	}
}

// readBody reads a polling push, refusing one over limit bytes.
func readBody(r *http.Request, limit int64) ([]byte, bool) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil || n > limit {
		return nil, false
	}
	return buf.Bytes(), true
}
