package socketio

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/internal/melodyio"
)

// Defaults for the zero fields of Config, as the reference server has them.
const (
	DefaultPingInterval   = 25 * time.Second
	DefaultPingTimeout    = 20 * time.Second
	DefaultConnectTimeout = 45 * time.Second
	DefaultMaxPayload     = 1_000_000
	DefaultSendBuffer     = host.DefaultSendBuffer
)

// Config configures a Server. The zero value of each field means its
// default.
type Config struct {
	// PingInterval is how often the server pings each session;
	// DefaultPingInterval when zero.
	PingInterval time.Duration
	// PingTimeout is how long a pong may take before the session is closed
	// with host.ReasonPingTimeout; DefaultPingTimeout when zero.
	PingTimeout time.Duration
	// ConnectTimeout closes a session that has connected to no namespace by
	// then; DefaultConnectTimeout when zero.
	ConnectTimeout time.Duration
	// MaxPayload is the largest WebSocket frame or polling request body
	// accepted, in bytes, and is told to clients in the open packet;
	// DefaultMaxPayload when zero. A larger one closes the session.
	MaxPayload int64
	// SendBuffer is how many messages a session may have waiting to be
	// sent (for a polling client, between two of its GETs); a client that
	// lets it fill is disconnected with host.ReasonSlowConsumer.
	// DefaultSendBuffer when zero.
	SendBuffer int
	// Namespace reports whether a namespace other than "/" is served; nil
	// serves none.
	Namespace func(ns string) bool
	// HasRoute reports whether a route exists. An event named "event" whose
	// first argument is {event, data} (the shape of the project eventhost
	// grew from) is routed by that inner event unless a route literally
	// named "event" exists. Nil means no route is named "event".
	HasRoute func(event string) bool
	// Logger receives session events; slog.Default() when nil.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.PingInterval <= 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = DefaultPingTimeout
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = DefaultSendBuffer
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Server serves Socket.IO. Create it with New and mount it at /socket.io/
// (host.Server.Handle does, with and without the trailing slash).
type Server struct {
	cfg    Config
	log    *slog.Logger
	host   *host.Server
	melody *melody.Melody

	mu       sync.Mutex
	sessions map[string]*session
	closed   bool
}

// sessionKey is the melody session key that holds the *session, and
// probeKey marks a WebSocket that is probing an upgrade.
const sessionKey = "socketio.session"

// New returns a Server whose connections h serves.
func New(h *host.Server, cfg Config) *Server {
	cfg.setDefaults()
	s := &Server{cfg: cfg, log: cfg.Logger, host: h, melody: melody.New(), sessions: make(map[string]*session)}
	m := s.melody
	m.Config.MaxMessageSize = cfg.MaxPayload
	m.Config.MessageBufferSize = melodyio.ChannelSize(cfg.SendBuffer + 1)
	m.Config.WriteWait = host.DefaultWriteWait
	// Engine.IO has its own heartbeat; melody's WebSocket pings only keep
	// the read deadline of a silent, healthy client from expiring.
	m.Config.PongWait = cfg.PingInterval + cfg.PingTimeout + 10*time.Second
	m.Config.PingPeriod = m.Config.PongWait * 9 / 10
	m.Upgrader.CheckOrigin = func(*http.Request) bool { return true } // checked before the upgrade
	m.Upgrader.ReadBufferSize = 1024
	m.Upgrader.WriteBufferPool = &writeBuffers
	m.HandleConnect(func(ms *melody.Session) { sessionOf(ms).onWSOpen(ms) })
	m.HandleMessage(func(ms *melody.Session, msg []byte) { sessionOf(ms).onFrame(ms, msg, false) })
	m.HandleMessageBinary(func(ms *melody.Session, msg []byte) { sessionOf(ms).onFrame(ms, msg, true) })
	m.HandleDisconnect(func(ms *melody.Session) { sessionOf(ms).onWSClosed(ms) })
	m.HandleSentMessage(func(ms *melody.Session, _ []byte) { sessionOf(ms).sent(ms) })
	m.HandleSentMessageBinary(func(ms *melody.Session, _ []byte) { sessionOf(ms).sent(ms) })
	m.HandleError(func(ms *melody.Session, err error) { sessionOf(ms).onWSError(ms, err) })
	h.RegisterOnShutdown(s.Close)
	// Pushes to the cluster are encoded for Socket.IO connections of every
	// namespace on the node they start from.
	h.RegisterCodec(host.ProtocolSocketIO, func(ns string) host.Codec { return codec{ns} })
	return s
}

// writeBuffers is shared by every session's WebSocket writes.
var writeBuffers sync.Pool

func sessionOf(ms *melody.Session) *session { return ms.Keys[sessionKey].(*session) }

// Close ends every session: the connections still open are cut. host.Server
// calls it when it shuts down, after it has closed its connections.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	open := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		open = append(open, ss)
	}
	s.mu.Unlock()
	for _, ss := range open {
		ss.finish(host.ReasonServerShutdown)
	}
	_ = s.melody.Close()
}

// Sessions returns the number of open Engine.IO sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Transports returns the number of open Engine.IO sessions by transport:
// those polling, and those on a WebSocket.
func (s *Server) Transports() (polling, websocket int) {
	s.mu.Lock()
	open := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		open = append(open, ss)
	}
	s.mu.Unlock()
	for _, ss := range open {
		ss.mu.Lock()
		if ss.ws != nil {
			websocket++
		} else {
			polling++
		}
		ss.mu.Unlock()
	}
	return polling, websocket
}

// add registers a new session; false once the server has closed.
func (s *Server) add(ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.sessions[ss.sid] = ss
	return true
}

func (s *Server) lookup(sid string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[sid]
}

func (s *Server) remove(ss *session) {
	s.mu.Lock()
	if s.sessions[ss.sid] == ss {
		delete(s.sessions, ss.sid)
	}
	s.mu.Unlock()
}

// newSID returns a random session id.
func newSID() string { return rand.Text()[:20] }
