package host

import (
	"context"
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
	// with CloseSlowConsumer.
	SendBuffer int
	// AllowOrigins lists the Origin header values accepted besides the
	// server's own host ("*" accepts any). Requests without Origin (non-
	// browser clients) are always accepted.
	AllowOrigins []string
	// Status, when set, adds its result to GET /healthz under "status".
	Status func() any
	// Logger receives connection events and errors; slog.Default() when nil.
	Logger *slog.Logger
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
}

// Server serves the WebSocket protocol on /ws and health on /healthz.
// Create it with New and mount it as an http.Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler Handler
	melody  *melody.Melody
	mux     *http.ServeMux

	draining atomic.Bool
	// base is the parent of every call's context; Shutdown cancels it when the
	// grace period ends, so that calls still open are answered.
	base     context.Context
	abortAll context.CancelCauseFunc
	liveMu   sync.Mutex
	live     map[*Conn]struct{} // connected, for shutdown
	calls    atomic.Int64       // requests accepted and not yet answered
	conns    atomic.Int64       // connections being served
	closers  sync.WaitGroup     // goroutines closing slow consumers
	started  time.Time
}

// New returns a Server that sends requests to h.
func New(h Handler, cfg Config) *Server {
	cfg.setDefaults()
	s := &Server{cfg: cfg, log: cfg.Logger, handler: h, melody: melody.New(), mux: http.NewServeMux(), started: time.Now(), live: make(map[*Conn]struct{})}
	s.base, s.abortAll = context.WithCancelCause(context.Background())
	m := s.melody
	m.Config.MaxMessageSize = cfg.MaxMessage + oversizeSlack
	m.Config.MessageBufferSize = cfg.SendBuffer
	m.Config.WriteWait = DefaultWriteWait
	m.Config.PongWait = DefaultPongWait
	m.Config.PingPeriod = DefaultPongWait * 9 / 10
	m.Upgrader.CheckOrigin = s.checkOrigin
	m.Upgrader.Error = func(w http.ResponseWriter, r *http.Request, status int, reason error) {
		http.Error(w, reason.Error(), status)
	}
	m.HandleConnect(s.onConnect)
	m.HandleDisconnect(s.onDisconnect)
	m.HandleMessage(func(sess *melody.Session, msg []byte) { s.onMessage(sess, msg, false) })
	m.HandleMessageBinary(func(sess *melody.Session, msg []byte) { s.onMessage(sess, msg, true) })
	m.HandleError(s.onError)
	// No HandleClose: melody would install it in place of gorilla's default
	// close handler, which is what answers a client's close frame. The
	// client's close code reaches onError as a *websocket.CloseError.
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /healthz", s.serveHealth)
	return s
}

// ServeHTTP serves /ws and /healthz.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Connections returns the number of open connections.
func (s *Server) Connections() int { return s.melody.Len() }

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	}
	c := &Conn{id: newID(), srv: s, done: make(chan struct{}), opened: time.Now(), remote: r.RemoteAddr}
	s.conns.Add(1)
	defer s.conns.Add(-1)
	if err := s.melody.HandleRequestWithKeys(w, r, map[string]any{connKey: c}); err != nil {
		s.log.Debug("websocket upgrade failed", "remote", r.RemoteAddr, "error", err)
	}
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
	s.liveMu.Lock()
	s.live[c] = struct{}{}
	s.liveMu.Unlock()
	s.log.Debug("connect", "socket", c.id, "remote", c.remote)
}

func (s *Server) onDisconnect(sess *melody.Session) {
	c := connOf(sess)
	s.liveMu.Lock()
	delete(s.live, c)
	s.liveMu.Unlock()
	close(c.done)
	s.log.Debug("disconnect", "socket", c.id, "reason", c.closeReason(), "duration", time.Since(c.opened).Round(time.Millisecond))
}

func (s *Server) onError(sess *melody.Session, err error) {
	c := connOf(sess)
	switch {
	case errors.Is(err, melody.ErrMessageBufferFull):
		c.slowConsumer()
	case errors.Is(err, websocket.ErrReadLimit):
		c.setCloseReason("frame too large")
		s.log.Warn("frame over the size limit: connection closed with 1009", "socket", c.id, "limit", s.cfg.MaxMessage)
	case errors.Is(err, melody.ErrWriteClosed), errors.Is(err, melody.ErrSessionClosed):
	default:
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			c.setCloseReason(fmt.Sprintf("client closed (%d %s)", ce.Code, ce.Text))
		} else {
			c.setCloseReason(err.Error())
		}
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
		c.setCloseReason("frame too large")
		s.log.Warn("frame over the size limit: connection closed with 1009", "socket", c.id, "size", len(msg), "limit", s.cfg.MaxMessage)
		c.sendError(nil, "", protocol.Errorf(protocol.CodePayloadTooLarge, "frame of %d bytes exceeds the limit of %d bytes", len(msg), s.cfg.MaxMessage))
		_ = sess.CloseWithMsg(melody.FormatCloseMessage(websocket.CloseMessageTooBig, "message too big"))
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
	c.enqueue(&request{Request: req, conn: c, deadline: time.Now().Add(s.cfg.CallTimeout)})
}

// dispatch hands r to the handler with its deadline, which counts from the
// request's arrival. The host enforces the deadline itself, so a handler
// that never answers still gets its request a timeout, and a handler that
// panics gets it an internal error; either way the connection's next request
// goes.
func (s *Server) dispatch(r *request) {
	ctx, cancel := context.WithDeadline(s.base, r.deadline)
	// The expiry settles without r.cancel, which may not be set yet: the
	// deadline has fired, so the context has released its timer anyway.
	stop := context.AfterFunc(ctx, func() {
		r.settle(Reply{}, context.Cause(ctx))
		r.started()
	})
	r.cancel = func() { stop(); cancel() }
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in a handler", "socket", r.conn.id, "event", r.Event, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r.done(Reply{}, protocol.Errorf(protocol.CodeInternal, "internal error"))
			r.started()
		}
	}()
	s.handler.Call(ctx, &Call{
		Event:   r.Event,
		Data:    r.data(),
		Binary:  r.Binary,
		Conn:    r.conn,
		Started: r.started,
		Done:    r.done,
	})
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

// errShuttingDown answers the calls still open when the grace period ends.
var errShuttingDown = protocol.Errorf(protocol.CodeOverloaded, "server is shutting down")

// closeWait bounds the close handshakes after the grace period.
const closeWait = 2 * time.Second

// Shutdown drains the server: new requests are answered with overloaded,
// calls in flight may finish until ctx ends (those still open then are
// answered with overloaded), then every connection is closed with 1001
// (going away). It returns nil when every call finished in time and every
// connection went; an error wrapping ctx's when the grace period ended with
// calls open, or one saying how many connections were cut.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	var errs []error
	if err := waitZero(ctx, &s.calls); err != nil {
		n := s.calls.Load()
		s.log.Warn("shutdown: grace period over: answering the calls still in flight", "calls", n)
		errs = append(errs, fmt.Errorf("host: shutdown: %d calls were in flight when the grace period ended: %w", n, err))
		s.abortAll(errShuttingDown)
		_ = waitZero(context.Background(), &s.calls) // settled at once by their expired contexts
	}
	_ = s.melody.CloseWithMsg(melody.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"))
	closeCtx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	if waitZero(closeCtx, &s.conns) != nil {
		s.liveMu.Lock()
		errs = append(errs, fmt.Errorf("host: shutdown: %d connections did not close within %s and were cut", len(s.live), closeWait))
		for c := range s.live {
			_ = c.sess.WebsocketConnection().Close()
		}
		s.liveMu.Unlock()
	}
	s.closers.Wait()
	return errors.Join(errs...)
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

// newID returns a random connection id.
func newID() string { return rand.Text()[:16] }
