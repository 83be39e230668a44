package host

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/eventhost/eventhost/host/protocol"
)

// Admission is a connection of another protocol than /ws asking to open,
// such as a Socket.IO namespace: Server.Accept checks it as /ws checks a
// handshake.
type Admission struct {
	// Request is the HTTP request that opened the client's session: its
	// headers, query and remote address make the Handshake, and its
	// Authorization header or token query parameter may carry the JWT.
	Request *http.Request
	// Namespace is the connection's namespace; "/" when empty.
	Namespace string
	// Auth is the client's authentication payload, a JSON object or nil.
	// When authentication is configured, its "token" member, a string, is
	// the JWT when the request carries none, and is left out of
	// Handshake.Auth.
	Auth []byte
	// Codec encodes what the connection is sent; Transport carries it.
	Codec     Codec
	Transport Transport
	// Protocol names the protocol for Observer and Conn.Protocol, such as
	// ProtocolSocketIO; "other" when empty.
	Protocol string
}

// Accept opens a connection of another protocol. It checks, in this order,
// that the server is not draining (code overloaded), the JWT when
// authentication is configured (unauthorized), then Hooks.Connect (its
// refusal's code, or internal). A refusal is a *protocol.Error whose code
// and message are for the client. The Origin is the caller's to check
// (AllowOrigin), before its own handshake.
//
// On success the connection is open: it is counted, served pushes and
// rooms, and it ends with Conn.End, which the caller must call exactly
// once. The caller tells its client that the connection opened, then calls
// Conn.Opened, so that the connected hook's pushes follow that.
func (s *Server) Accept(ctx context.Context, a Admission) (*Conn, error) {
	proto := a.Protocol
	if proto == "" {
		proto = "other"
	}
	if s.draining.Load() {
		s.refused(proto, RefusedShutdown)
		return nil, errShuttingDown
	}
	arrived := time.Now()
	r := a.Request
	auth, token := a.Auth, ""
	var claims map[string]any
	if s.auth != nil {
		auth, token = splitAuth(a.Auth)
		if t := bearerToken(r); t != "" {
			token = t
		}
		var refused *authError
		if claims, refused = s.auth.verify(token); refused != nil {
			s.log.Info("connection refused: unauthorized", "namespace", a.Namespace, "reason", refused.reason, "remote", r.RemoteAddr, "detail", refused.err)
			s.refused(proto, RefusedAuth)
			return nil, protocol.Errorf(protocol.CodeUnauthorized, "%s", refused.Error())
		}
	}
	ns := a.Namespace
	if ns == "" {
		ns = "/"
	}
	c := s.newConn(proto, a.Codec, ns, arrived, claims)
	c.tr = a.Transport
	hs := newHandshake(r, arrived, claims) // made now: c.req stays nil
	hs.Namespace, hs.Auth = ns, auth
	c.hs.Store(hs)
	if s.cfg.Hooks != nil {
		data, err := s.runConnect(ctx, hs)
		if err != nil {
			s.refused(proto, RefusedHook)
			status, body, internal := connectRefusal(err)
			if internal {
				s.log.Error("connection refused: the Connect hook failed", "namespace", ns, "remote", r.RemoteAddr, "error", err)
				return nil, protocol.Errorf(protocol.CodeInternal, "internal error")
			}
			s.log.Info("connection refused by the Connect hook", "namespace", ns, "status", status, "reason", body, "remote", r.RemoteAddr)
			return nil, refusalError(err, body)
		}
		c.SetData(data)
	}
	s.liveMu.Lock()
	if s.closing || s.draining.Load() {
		s.liveMu.Unlock()
		s.refused(proto, RefusedShutdown)
		c.setCloseReason(ReasonServerShutdown)
		c.ended()
		s.end(c)
		return nil, errShuttingDown
	}
	s.live[c.id] = c
	s.conns.Add(1)
	s.liveMu.Unlock()
	s.log.Debug("connect", "socket", c.id, "namespace", ns, "remote", c.remote())
	s.observeOpened(c)
	return c, nil
}

// refusalError keeps the code of a Connect hook's refusal, with the message
// the client is shown.
func refusalError(err error, msg string) *protocol.Error {
	code, _ := wireError(err, 0)
	return protocol.Errorf(code, "%s", msg)
}

// splitAuth returns a CONNECT payload without its "token" member, and that
// token. A payload that is not a JSON object is kept as it is.
func splitAuth(raw []byte) (auth []byte, token string) {
	if len(raw) == 0 {
		return nil, ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw, ""
	}
	t, ok := m[tokenParam]
	if !ok {
		return raw, ""
	}
	_ = json.Unmarshal(t, &token)
	delete(m, tokenParam)
	b, err := json.Marshal(m)
	if err != nil {
		return raw, token
	}
	return b, token
}

// AllowOrigin reports whether r's Origin may open a connection, by the same
// rules as /ws: no Origin, the server's own host, or Config.AllowOrigins.
func (s *Server) AllowOrigin(r *http.Request) bool { return s.checkOrigin(r) }

// Opened runs the connected hook of a connection opened by Accept: its
// requests are served once that hook has started.
func (c *Conn) Opened() { c.srv.runConnected(c) }

// Receive hands a request of a connection opened by Accept to the Handler,
// with the same limits as /ws: while the server drains, or beyond
// Config.MaxInflight, it is answered with overloaded. id is the request's
// id as the codec takes it back (nil: no answer unless it fails, as an
// error push). The slices must not be modified until the request is
// answered.
func (c *Conn) Receive(id []byte, event string, p Payload) {
	req := protocol.Request{Event: event, ID: id, Data: p.Data, Binary: p.Binary}
	if p.Binary {
		req.Data, req.Payload = nil, p.Data
	}
	c.srv.receive(c, req, p.Rest, p.Attachments)
}

// End ends a connection opened by Accept, for reason (a Reason*, unless an
// earlier one was set): its calls in flight are orphaned, it leaves the
// server and its rooms, and Hooks.Disconnect runs. Calls after the first do
// nothing.
func (c *Conn) End(reason string) {
	c.endOnce.Do(func() {
		c.setCloseReason(reason)
		s := c.srv
		c.ended()
		s.liveMu.Lock()
		delete(s.live, c.id)
		s.liveMu.Unlock()
		s.end(c)
		s.conns.Add(-1)
	})
}
