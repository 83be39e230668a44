package host

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host/protocol"
)

// Defaults for the zero fields of Config.
const (
	DefaultCallTimeout = 10 * time.Second
	DefaultMaxMessage  = 1 << 20
	DefaultMaxInflight = 64
	DefaultSendBuffer  = 256
	DefaultWriteWait   = 10 * time.Second
	DefaultPongWait    = 60 * time.Second
)

// Close codes the server sends besides the standard ones.
const (
	// CloseSlowConsumer: the client did not read fast enough and its
	// outbound buffer filled up.
	CloseSlowConsumer = 4008
)

// oversizeSlack is how far past MaxMessage a frame is still read, so that
// the client can be told payload_too_large before the 1009 close. Larger
// frames get the 1009 close alone.
const oversizeSlack = 64 << 10

// Config configures a Server. The zero value of each field means its default.
type Config struct {
	// CallTimeout bounds each call, from arrival to reply;
	// DefaultCallTimeout when zero.
	CallTimeout time.Duration
	// MaxMessage is the largest frame accepted, in bytes; DefaultMaxMessage
	// when zero. A larger frame closes the connection with 1009.
	MaxMessage int64
	// MaxInflight bounds a connection's requests between arrival and reply;
	// DefaultMaxInflight when zero. The excess is answered with overloaded.
	MaxInflight int
	// SendBuffer is how many outbound frames a connection may have queued;
	// DefaultSendBuffer when zero. A client that lets it fill is disconnected
	// with CloseSlowConsumer. Keep it above MaxInflight: the answers to every
	// call in flight are written at once when they time out together or
	// Shutdown aborts them, and with the close after them they must fit.
	SendBuffer int
	// AllowOrigins lists the Origin header values accepted besides the
	// server's own host ("*" accepts any). Requests without Origin (non-
	// browser clients) are always accepted.
	AllowOrigins []string
	// Status, when set, adds its result to GET /healthz under "status".
	Status func() any
	// Logger receives connection events and errors; slog.Default() when nil.
	Logger *slog.Logger
	// PongWait is how long a connection may go without answering the
	// server's pings (since it opened or since its last pong) before it is
	// dropped with ReasonPingTimeout; DefaultPongWait when zero. Pings are
	// sent every 9/10 of it.
	PongWait time.Duration

	// JWTSecret is the HMAC key of HS256, HS384 and HS512 tokens; nil (or
	// empty) for none. It should have at least 32 random bytes.
	JWTSecret []byte
	// JWTPublicKey verifies RS256 tokens (an *rsa.PublicKey) or ES256 tokens
	// (an *ecdsa.PublicKey on P-256); nil for none. ParsePublicKeyPEM loads
	// one. New panics on any other key.
	//
	// When JWTSecret or JWTPublicKey is set, every handshake must present a
	// valid token, as "Authorization: Bearer <token>" or as the token query
	// parameter, signed with one of the algorithms of the configured keys
	// ("none" never); exp and nbf are checked with 30 s of leeway. Otherwise
	// it is refused with 401 before the upgrade. The claims are in
	// Handshake.Claims.
	JWTPublicKey crypto.PublicKey
	// Hooks, when set, takes part in connection lifecycles: Connect may
	// refuse a handshake and set the connection's data, Disconnect learns
	// that a connection ended and why.
	Hooks Hooks
}

func (c *Config) setDefaults() {
	if c.CallTimeout <= 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	if c.MaxMessage <= 0 {
		c.MaxMessage = DefaultMaxMessage
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = DefaultMaxInflight
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = DefaultSendBuffer
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PongWait <= 0 {
		c.PongWait = DefaultPongWait
	}
}

// readBufferSize is each connection's read buffer. Requests are small;
// larger frames are read through it in pieces.
const readBufferSize = 1024

// writeBuffers is shared by every connection's writes.
var writeBuffers sync.Pool

// Server serves the WebSocket protocol on /ws and health on /healthz.
// Create it with New and mount it as an http.Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler Handler
	melody  *melody.Melody
	mux     *http.ServeMux
	auth    *authenticator // nil: no authentication

	draining atomic.Bool
	aborted  atomic.Bool // Shutdown's grace period is over: calls are answered at once
	liveMu   sync.RWMutex
	live     map[*Conn]struct{} // connected, for shutdown and Emit
	closing  bool               // guarded by liveMu: Shutdown is closing every connection
	roomsMu  sync.RWMutex
	rooms    map[roomKey]map[*Conn]struct{} // room → members; see rooms.go
	calls    atomic.Int64                   // requests accepted and not yet answered
	// orphansMu guards orphans: connections that ended with calls in flight.
	// It nests inside Conn.mu.
	orphansMu    sync.Mutex
	orphans      map[*Conn]struct{}
	conns        atomic.Int64   // connections being served
	closers      sync.WaitGroup // goroutines closing slow consumers
	started      time.Time
	onShutdownMu sync.Mutex
	onShutdown   []func() // RegisterOnShutdown's
}

// New returns a Server that sends requests to h. It panics when
// cfg.JWTPublicKey is not a supported key.
func New(h Handler, cfg Config) *Server {
	cfg.setDefaults()
	auth, err := newAuthenticator(cfg.JWTSecret, cfg.JWTPublicKey)
	if err != nil {
		panic(err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, handler: h, melody: melody.New(), mux: http.NewServeMux(), auth: auth, started: time.Now(),
		live: make(map[*Conn]struct{}), rooms: make(map[roomKey]map[*Conn]struct{}), orphans: make(map[*Conn]struct{})}
	if auth != nil {
		if len(cfg.JWTSecret) > 0 && len(cfg.JWTSecret) < minSecret {
			s.log.Warn("the JWT secret is short: use at least 32 random bytes", "bytes", len(cfg.JWTSecret))
		}
		s.log.Info("websocket handshakes require a JWT", "algorithms", strings.Join(auth.methods, ","))
	}
	m := s.melody
	m.Config.MaxMessageSize = cfg.MaxMessage + oversizeSlack
	m.Config.MessageBufferSize = melodyQueueSize(cfg.SendBuffer)
	m.Config.WriteWait = DefaultWriteWait
	m.Config.PongWait = cfg.PongWait
	m.Config.PingPeriod = cfg.PongWait * 9 / 10
	m.Upgrader.CheckOrigin = s.checkOrigin
	// Idle connections hold no write buffer: gorilla takes one from the pool
	// for each frame it writes and returns it after.
	m.Upgrader.WriteBufferPool = &writeBuffers
	// gorilla's own read buffer, rather than net/http's 4 KiB one, which
	// would keep that alive: see handoff.go.
	m.Upgrader.ReadBufferSize = readBufferSize
	m.Upgrader.Error = func(w http.ResponseWriter, r *http.Request, status int, reason error) {
		http.Error(w, reason.Error(), status)
	}
	m.HandleConnect(s.onConnect)
	m.HandleDisconnect(s.onDisconnect)
	m.HandleMessage(func(sess *melody.Session, msg []byte) { s.onMessage(sess, msg, false) })
	m.HandleMessageBinary(func(sess *melody.Session, msg []byte) { s.onMessage(sess, msg, true) })
	m.HandleError(s.onError)
	m.HandleSentMessage(func(sess *melody.Session, _ []byte) { connOf(sess).sent() })
	m.HandleSentMessageBinary(func(sess *melody.Session, _ []byte) { connOf(sess).sent() })
	m.HandlePong(func(sess *melody.Session) { connOf(sess).lastPong.Store(s.clock()) })
	// No HandleClose: melody would install it in place of gorilla's default
	// close handler, which is what answers a client's close frame. The
	// client's close code reaches onError as a *websocket.CloseError.
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /healthz", s.serveHealth)
	return s
}

// Handle serves pattern with h beside /ws and /healthz, as
// http.ServeMux.Handle does; another protocol's endpoint mounts itself so.
// Call it before serving.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// RegisterOnShutdown registers f to run at the end of Shutdown, once the
// server's connections have been closed: an endpoint mounted with Handle
// ends there what it still holds.
func (s *Server) RegisterOnShutdown(f func()) {
	s.onShutdownMu.Lock()
	s.onShutdown = append(s.onShutdown, f)
	s.onShutdownMu.Unlock()
}

// Draining reports whether Shutdown has begun.
func (s *Server) Draining() bool { return s.draining.Load() }

// ServeHTTP serves /ws and /healthz.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Connections returns the number of open connections.
func (s *Server) Connections() int { return s.melody.Len() }

// serveWS checks a handshake in this order: draining (503), origin (403),
// token (401), Hooks.Connect (401/403/500); then upgrades it. A request that
// is not a WebSocket handshake goes straight to the upgrader for its 400.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
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
		http.Error(w, "websocket: request origin not allowed by Upgrader.CheckOrigin", http.StatusForbidden)
		return
	}
	var claims map[string]any
	if s.auth != nil {
		var refused *authError
		if claims, refused = s.auth.verify(bearerToken(r)); refused != nil {
			// Never log the token; the parser's detail does not quote it.
			s.log.Info("websocket refused: unauthorized", "reason", refused.reason, "remote", r.RemoteAddr, "detail", refused.err)
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, refused.Error(), http.StatusUnauthorized)
			return
		}
	}
	c := s.newConn(NativeCodec, "/", arrived, r.RemoteAddr, claims)
	c.tr = wsTransport{c}
	s.conns.Add(1)
	handedOff := false
	defer func() {
		if !handedOff {
			s.conns.Add(-1)
		}
	}()
	if s.cfg.Hooks != nil {
		c.hs = newHandshake(r, arrived, claims)
		data, err := s.runConnect(r.Context(), c.hs)
		if err != nil {
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
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		c.setCloseReason(ReasonServerShutdown)
		s.end(c)
		return
	}
	// See handoff.go: this handler returns once the connection is hijacked,
	// or once the upgrade has failed and written its answer.
	uw := newUpgradeWriter(w)
	finished := make(chan struct{})
	handedOff = true
	c.req = keptRequest(r)
	go s.serveConn(c, uw, c.req, finished)
	select {
	case <-uw.handedOff:
	case <-finished:
	}
}

// serveConn upgrades an accepted handshake and serves the connection until
// it ends, then closes finished. It runs on a goroutine of the server's:
// s.conns counts it, and Shutdown closes its connection and waits for it.
func (s *Server) serveConn(c *Conn, w *upgradeWriter, r *http.Request, finished chan<- struct{}) {
	defer close(finished)
	defer s.conns.Add(-1)
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic serving a connection", "socket", c.id, "remote", c.remote, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			c.tr.Cut()
		}
	}()
	if err := s.melody.HandleRequestWithKeys(w, r, map[string]any{connKey: c}); err != nil {
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
	s.live[c] = struct{}{}
	late := s.closing
	s.liveMu.Unlock()
	s.log.Debug("connect", "socket", c.id, "remote", c.remote)
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
	delete(s.live, c)
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

// onMessage runs on the connection's read goroutine: it decodes the frame and
// queues the request, and never waits for JS.
func (s *Server) onMessage(sess *melody.Session, msg []byte, binary bool) {
	c := connOf(sess)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic handling a frame", "socket", c.id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.sendError(nil, "", protocol.Errorf(protocol.CodeInternal, "internal error"))
		}
	}()
	if c.closing.Load() {
		return // a close frame is on its way: nothing more is served
	}
	if int64(len(msg)) > s.cfg.MaxMessage {
		c.closing.Store(true)
		c.setCloseReason(ReasonFrameTooLarge)
		s.log.Warn("frame over the size limit: connection closed with 1009", "socket", c.id, "size", len(msg), "limit", s.cfg.MaxMessage)
		c.sendError(nil, "", protocol.Errorf(protocol.CodePayloadTooLarge, "frame of %d bytes exceeds the limit of %d bytes", len(msg), s.cfg.MaxMessage))
		_ = c.closeWith(melody.FormatCloseMessage(websocket.CloseMessageTooBig, "message too big"))
		return
	}
	var req protocol.Request
	var err error
	if binary {
		req, err = protocol.DecodeBinary(msg)
	} else {
		req, err = protocol.DecodeText(msg)
	}
	if err != nil {
		c.sendError(req.ID, req.Event, err)
		return
	}
	s.receive(c, req, nil, nil)
}

// receive admits a decoded request: while draining, or beyond the
// connection's MaxInflight, it is answered with overloaded; else it is
// queued for its turn.
func (s *Server) receive(c *Conn, req protocol.Request, rest []byte, attachments [][]byte) {
	if s.draining.Load() {
		c.sendError(req.ID, req.Event, protocol.Errorf(protocol.CodeOverloaded, "server is shutting down"))
		return
	}
	if c.inflight.Add(1) > int32(s.cfg.MaxInflight) {
		c.inflight.Add(-1)
		c.sendError(req.ID, req.Event, protocol.Errorf(protocol.CodeOverloaded, "too many requests in flight on this connection (limit %d)", s.cfg.MaxInflight))
		return
	}
	s.calls.Add(1)
	r := &request{Request: req, rest: rest, attachments: attachments, conn: c}
	r.ctx.deadline = time.Now().Add(s.cfg.CallTimeout)
	c.enqueue(r)
}

// dispatch hands r to the handler with its deadline, which counts from the
// request's arrival. The host enforces the deadline itself, so a handler
// that never answers still gets its request a timeout, and a handler that
// panics gets it an internal error; either way the connection's next request
// goes.
func (s *Server) dispatch(r *request) {
	if r.settled.Load() || s.aborted.Load() {
		r.abort() // answered by Shutdown's abort while it waited its turn, or now
		return
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in a handler", "socket", r.conn.id, "event", r.Event, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r.done(Reply{}, protocol.Errorf(protocol.CodeInternal, "internal error"))
			r.started()
		}
	}()
	r.call = Call{Event: r.Event, Data: r.data(), Binary: r.Binary, Rest: r.rest, Attachments: r.attachments, Conn: r.conn, req: r}
	s.handler.Call(&r.ctx, &r.call)
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{
		"ok":          !s.draining.Load(),
		"connections": s.melody.Len(),
		"uptime":      time.Since(s.started).Round(time.Second).String(),
	}
	if s.cfg.Status != nil {
		body["status"] = s.cfg.Status()
	}
	w.Header().Set("Content-Type", "application/json")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}

// goingAwayReason is the close reason of a server shutting down, with
// close code 1001 (going away).
const goingAwayReason = "server shutting down"

// goingAway is the close message of a server shutting down.
var goingAway = melody.FormatCloseMessage(websocket.CloseGoingAway, goingAwayReason)

// errShuttingDown answers the calls still open when the grace period ends.
var errShuttingDown = protocol.Errorf(protocol.CodeOverloaded, "server is shutting down")

// closeWait bounds the close handshakes after the grace period.
const closeWait = 2 * time.Second

// Shutdown drains the server: new requests are answered with overloaded,
// calls in flight may finish until ctx ends (those still open then are
// answered with overloaded; those of connections that have ended are
// answered at once), then every connection is closed with 1001
// (going away). It returns nil when every call finished in time and every
// connection went; an error wrapping ctx's when the grace period ended with
// calls open, or one saying how many connections were cut. Connections it
// closes end with ReasonServerShutdown, and their Hooks.Disconnect has run
// when it returns (unless a connection had to be cut and still did not end).
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.abortOrphanCalls()
	var errs []error
	if err := waitZero(ctx, &s.calls); err != nil {
		n := s.calls.Load()
		s.log.Warn("shutdown: grace period over: answering the calls still in flight", "calls", n)
		errs = append(errs, fmt.Errorf("host: shutdown: %d calls were in flight when the grace period ended: %w", n, err))
		s.abortCalls()
		_ = waitZero(context.Background(), &s.calls) // answered at once by abortCalls
	}
	s.liveMu.Lock()
	s.closing = true
	open := make([]*Conn, 0, len(s.live))
	for c := range s.live {
		c.setCloseReason(ReasonServerShutdown)
		open = append(open, c)
	}
	s.liveMu.Unlock()
	// Each close goes behind the frames queued before it, the answers of
	// the calls just aborted among them. melody's own close of every session
	// would overtake them.
	for _, c := range open {
		_ = c.tr.Close(websocket.CloseGoingAway, goingAwayReason)
	}
	defer func() { _ = s.melody.Close() }() // stops melody's hub; every session has ended or been cut
	closeCtx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	if waitZero(closeCtx, &s.conns) != nil {
		s.liveMu.Lock()
		errs = append(errs, fmt.Errorf("host: shutdown: %d connections did not close within %s and were cut", len(s.live), closeWait))
		for c := range s.live {
			c.tr.Cut()
		}
		s.liveMu.Unlock()
		// Cut connections end at once; let their Disconnect hooks run.
		cutCtx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		_ = waitZero(cutCtx, &s.conns)
	}
	s.closers.Wait()
	s.onShutdownMu.Lock()
	for _, f := range s.onShutdown {
		f()
	}
	s.onShutdownMu.Unlock()
	return errors.Join(errs...)
}

// abortOrphanCalls answers the calls in flight of connections that have
// ended: their answers cannot be delivered, so the drain does not wait for
// them.
func (s *Server) abortOrphanCalls() {
	s.orphansMu.Lock()
	orphans := make([]*Conn, 0, len(s.orphans))
	for c := range s.orphans {
		orphans = append(orphans, c)
	}
	s.orphansMu.Unlock()
	for _, c := range orphans {
		c.abortCalls()
	}
}

// abortCalls answers every call in flight with errShuttingDown and ends its
// context; calls dispatched from now on are answered the same way.
func (s *Server) abortCalls() {
	s.aborted.Store(true)
	var conns []*Conn
	s.liveMu.RLock()
	for c := range s.live {
		conns = append(conns, c)
	}
	s.liveMu.RUnlock()
	s.orphansMu.Lock()
	for c := range s.orphans {
		conns = append(conns, c)
	}
	s.orphansMu.Unlock()
	for _, c := range conns {
		c.abortCalls()
	}
}

// waitZero waits until n is zero or ctx ends. Shutdown is rare and short, so
// it polls rather than couple every call to a notification.
func waitZero(ctx context.Context, n *atomic.Int64) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for n.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// newConn makes a connection of the given codec and namespace; the caller
// sets its transport.
func (s *Server) newConn(codec Codec, ns string, arrived time.Time, remote string, claims map[string]any) *Conn {
	c := &Conn{id: newID(), srv: s, codec: codec, ns: ns, done: make(chan struct{}), opened: arrived, remote: remote, claims: claims}
	if s.connectedHook() != nil {
		// The connected hook runs first: the connection's requests wait
		// for its synchronous part (see Server.opened).
		c.busy = true
	}
	return c
}

// clock returns monotonic nanoseconds since the server started.
func (s *Server) clock() int64 { return int64(time.Since(s.started)) }

// newID returns a random connection id.
func newID() string { return rand.Text()[:16] }
