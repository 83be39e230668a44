package cluster

import (
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"time"
)

// Defaults for the zero fields of Options.
const (
	// DefaultPrefix is the subject prefix of a cluster.
	DefaultPrefix = "eventhost"
	// DefaultCountTimeout is how long Count waits for the other nodes.
	DefaultCountTimeout = 500 * time.Millisecond
	// DefaultHeartbeat is how often a node announces itself.
	DefaultHeartbeat = 2 * time.Second
	// DefaultNodeExpiry is how long a silent node stays in the registry.
	DefaultNodeExpiry = 10 * time.Second
	// DefaultLinger is how long a room stays subscribed after its last
	// local member left.
	DefaultLinger = 2 * time.Second
)

// Options configure a Node. The zero value of each field is documented;
// fill only what differs.
type Options struct {
	// URL is the NATS server URL, or several separated by commas (one
	// cluster's servers). Credentials in it are used and never shown by
	// Status. Required.
	URL string
	// Prefix starts every subject the node uses, so that several eventhost
	// clusters can share one NATS; DefaultPrefix when empty. It must be a
	// valid NATS subject without wildcards.
	Prefix string
	// NodeID names this node in the registry and in Status; a random id
	// when empty. Two live nodes must not share one.
	NodeID string
	// CountTimeout is how long Count and Disconnect wait for the other
	// nodes' answers (less when the context ends sooner);
	// DefaultCountTimeout when zero.
	CountTimeout time.Duration
	// Heartbeat is how often the node announces itself; DefaultHeartbeat
	// when zero.
	Heartbeat time.Duration
	// NodeExpiry is how long after its last announce a silent node drops
	// out of counts; DefaultNodeExpiry when zero. Keep it a few Heartbeats.
	NodeExpiry time.Duration
	// Linger is how long a room stays subscribed after its last local
	// member left, so that join/leave churn does not subscribe and
	// unsubscribe each time; DefaultLinger when zero, no delay when
	// negative.
	Linger time.Duration
	// Logger receives the node's logs; slog.Default() when nil.
	Logger *slog.Logger
}

// setDefaults fills o's zero fields.
func (o *Options) setDefaults() {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.NodeID == "" {
		o.NodeID = randomID()
	}
	if o.CountTimeout <= 0 {
		o.CountTimeout = DefaultCountTimeout
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.NodeExpiry <= 0 {
		o.NodeExpiry = DefaultNodeExpiry
	}
	switch {
	case o.Linger == 0:
		o.Linger = DefaultLinger
	case o.Linger < 0:
		o.Linger = 0
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// randomID returns a random node id: 16 base32 characters (80 bits).
func randomID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base32.StdEncoding.EncodeToString(b[:])
}
