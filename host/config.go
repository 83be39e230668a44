package host

import (
	"crypto"
	"log/slog"
	"sync"
	"time"
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
	// Observer, when set, learns of every answer, connection and frame, for
	// metrics; nil for none.
	Observer Observer
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
