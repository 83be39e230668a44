package host

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host/internal/melodyio"
)

// serveWS checks a handshake in this order: draining (503), origin (403),
// token (401), Hooks.Connect (401/403/500); then upgrades it. A request that
// is not a WebSocket handshake goes straight to the upgrader for its 400.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.refused(ProtocolNative, RefusedShutdown)
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	}
	if !isHandshake(r) {
		if ws, err := s.melody.Upgrader.Upgrade(w, r, nil); err == nil {
			_ = ws.Close() // not reached: the upgrader refuses what isHandshake does
		}
		return
	}
	arrived := time.Now()
	if !s.checkOrigin(r) {
		s.refused(ProtocolNative, RefusedOrigin)
		http.Error(w, "websocket: request origin not allowed by Upgrader.CheckOrigin", http.StatusForbidden)
		return
	}
	var claims map[string]any
	if s.auth != nil {
		var refused *authError
		if claims, refused = s.auth.verify(bearerToken(r)); refused != nil {
			// Never log the token; the parser's detail does not quote it.
			s.log.Info("websocket refused: unauthorized", "reason", refused.reason, "remote", r.RemoteAddr, "detail", refused.err)
			s.refused(ProtocolNative, RefusedAuth)
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, refused.Error(), http.StatusUnauthorized)
			return
		}
	}
	c := s.newConn(ProtocolNative, NativeCodec, "/", arrived, claims)
	c.tr = wsTransport{c}
	s.conns.Add(1)
	handedOff := false
	defer func() {
		if !handedOff {
			s.conns.Add(-1)
		}
	}()
	if s.cfg.Hooks != nil {
		hs := newHandshake(r, arrived, claims)
		c.hs.Store(hs)
		data, err := s.runConnect(r.Context(), hs)
		if err != nil {
			s.refused(ProtocolNative, RefusedHook)
			status, body, internal := connectRefusal(err)
			if internal {
				s.log.Error("websocket refused: the Connect hook failed", "remote", r.RemoteAddr, "error", err)
			} else {
				s.log.Info("websocket refused by the Connect hook", "status", status, "reason", body, "remote", r.RemoteAddr)
			}
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", "Bearer")
			}
			http.Error(w, body, status)
			return
		}
		c.SetData(data)
	}
	// From here on the connection is accepted: it ends in s.end, through
	// onDisconnect once upgraded, or below when the upgrade fails.
	if s.draining.Load() {
		s.refused(ProtocolNative, RefusedShutdown)
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		c.setCloseReason(ReasonServerShutdown)
		s.end(c)
		return
	}
	// See melodyio.HandoffWriter: this handler returns once the connection is hijacked,
	// or once the upgrade has failed and written its answer.
	// The writer's one channel says both (see serveConn's Finish), and
	// neither the writer nor the connection keeps it once it is closed.
	uw := melodyio.NewHandoffWriter(w, &c.out.q)
	handedOff = true
	c.req = keptRequest(r, c)
	ready := uw.HandedOff()
	go s.serveConn(c, uw)
	<-ready
}

// serveConn upgrades an accepted handshake, c.req, through w and serves the
// connection until it ends. It runs on a goroutine of the server's: s.conns
// counts it, and Shutdown closes its connection and waits for it. When the
// upgrade fails, w.Finish lets serveWS return once the failure is answered
// and the connection ended.
func (s *Server) serveConn(c *Conn, w *melodyio.HandoffWriter) {
	defer w.Finish()
	defer s.conns.Add(-1)
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic serving a connection", "socket", c.id, "remote", c.remote(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			c.tr.Cut()
		}
	}()
	r := c.req
	if err := s.melody.HandleRequest(w, r); err != nil {
		s.log.Debug("websocket upgrade failed", "remote", r.RemoteAddr, "error", err)
		if errors.Is(err, melody.ErrClosed) {
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			c.setCloseReason(ReasonServerShutdown)
		}
		s.end(c)
	}
}

// isHandshake reports whether r can be upgraded, as far as the upgrader's
// checks before the origin go: auth and hooks only run for handshakes.
func isHandshake(r *http.Request) bool {
	if !websocket.IsWebSocketUpgrade(r) || r.Header.Get("Sec-Websocket-Key") == "" {
		return false
	}
	for _, v := range r.Header.Values("Sec-Websocket-Version") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(tok) == "13" {
				return true
			}
		}
	}
	return false
}

// checkOrigin accepts requests without Origin, from the server's own host,
// or from an allowed origin.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if slices.Contains(s.cfg.AllowOrigins, "*") || slices.Contains(s.cfg.AllowOrigins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	if err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	s.log.Warn("websocket origin refused", "origin", origin, "host", r.Host, "remote", r.RemoteAddr)
	return false
}

func (s *Server) onConnect(sess *melody.Session) {
	c := connOf(sess)
	c.sess = sess
	c.lastPong.Store(s.clock())
	s.liveMu.Lock()
	s.live[c.id] = c
	late := s.closing
	s.liveMu.Unlock()
	s.log.Debug("connect", "socket", c.id, "remote", c.remote())
	s.observeOpened(c)
	if late {
		// Upgraded while Shutdown closed the others: their closing missed it.
		c.setCloseReason(ReasonServerShutdown)
		_ = c.closeWith(goingAway)
	}
	s.runConnected(c)
}

func (s *Server) onDisconnect(sess *melody.Session) {
	c := connOf(sess)
	c.shut()
	c.ended() // before it leaves live, so that Shutdown's abort sees it in one or the other
	s.liveMu.Lock()
	delete(s.live, c.id)
	s.liveMu.Unlock()
	s.end(c)
}

// end finishes an accepted connection, once: Hooks.Disconnect (while the
// connection is still in its rooms), then it leaves its rooms, then Done
// closes.
func (s *Server) end(c *Conn) {
	reason := c.endReason()
	s.log.Debug("disconnect", "socket", c.id, "reason", reason, "duration", time.Since(c.opened).Round(time.Millisecond))
	if s.cfg.Hooks != nil {
		s.runDisconnect(c, reason)
	}
	if c.observed.Load() {
		s.obs.ConnClosed(c.proto, reason)
	}
	s.leaveAll(c)
	close(c.done)
}

func (s *Server) onError(sess *melody.Session, err error) {
	c := connOf(sess)
	switch {
	case errors.Is(err, melody.ErrMessageBufferFull):
		// The outbox never overfills melody's channel, nor does its one close
		// frame; a close melody queues itself (its hub closing every session)
		// can, once the connection is closing anyway.
		if !c.closing.Load() {
			c.slowConsumer()
		}
	case errors.Is(err, websocket.ErrReadLimit):
		c.setCloseReason(ReasonFrameTooLarge)
		s.log.Warn("frame over the size limit: connection closed with 1009", "socket", c.id, "limit", s.cfg.MaxMessage)
	case errors.Is(err, melody.ErrWriteClosed), errors.Is(err, melody.ErrSessionClosed):
	default:
		// The read deadline is set just before lastPong, hence the margin.
		overdue := time.Duration(s.clock()-c.lastPong.Load()) >= s.cfg.PongWait-s.cfg.PongWait/10
		c.setCloseReason(closeReason(err, overdue))
		s.log.Debug("connection error", "socket", c.id, "error", err)
	}
}
