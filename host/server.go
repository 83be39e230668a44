package host

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/olahol/melody"
)

// Server serves the WebSocket protocol on /ws and health on /healthz.
// Create it with New and mount it as an http.Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler Handler
	melody  *melody.Melody
	mux     *http.ServeMux
	auth    *authenticator // nil: no authentication
	obs     Observer       // Config.Observer; nil: none

	draining atomic.Bool
	aborted  atomic.Bool // Shutdown's grace period is over: calls are answered at once
	liveMu   sync.RWMutex
	live     map[string]*Conn // connected, by id: for shutdown, Emit and socket-id rooms
	closing  bool             // guarded by liveMu: Shutdown is closing every connection
	roomsMu  sync.RWMutex
	rooms    map[roomKey]map[*Conn]struct{} // room → members; see rooms.go
	subbing  map[roomKey]chan struct{}      // rooms whose first join waits for the Broker; see rooms.go
	calls    atomic.Int64                   // requests accepted and not yet answered
	// orphansMu guards orphans: connections that ended with calls in flight.
	// It nests inside Conn.mu.
	orphansMu    sync.Mutex
	orphans      map[*Conn]struct{}
	conns        atomic.Int64   // connections being served
	closers      sync.WaitGroup // goroutines closing slow consumers
	started      time.Time
	onShutdownMu sync.Mutex
	onShutdown   []func()                       // RegisterOnShutdown's
	brokerV      atomic.Pointer[Broker]         // UseBroker's; empty for a single node
	codecs       atomic.Pointer[[]codecFactory] // RegisterCodec's
}

// New returns a Server that sends requests to h. It panics when
// cfg.JWTPublicKey is not a supported key.
func New(h Handler, cfg Config) *Server {
	cfg.setDefaults()
	auth, err := newAuthenticator(cfg.JWTSecret, cfg.JWTPublicKey)
	if err != nil {
		panic(err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, handler: h, melody: melody.New(), mux: http.NewServeMux(), auth: auth, obs: cfg.Observer, started: time.Now(),
		live: make(map[string]*Conn), rooms: make(map[roomKey]map[*Conn]struct{}), orphans: make(map[*Conn]struct{})}
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
	// would keep that alive: see melodyio.HandoffWriter.
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
	s.RegisterCodec(ProtocolNative, nativeCodecFor)
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

// newConn makes a connection of the given protocol, codec and namespace;
// the caller sets its transport.
func (s *Server) newConn(proto string, codec Codec, ns string, arrived time.Time, claims map[string]any) *Conn {
	c := &Conn{id: newID(), srv: s, proto: proto, codec: codec, ns: ns, done: make(chan struct{}), opened: arrived, claims: claims}
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
func newID() string { return rand.Text()[:idLength] }

// idLength is the length of a connection id: base32 text.
const idLength = 16
