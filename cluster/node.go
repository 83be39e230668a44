package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/eventhost/eventhost/host"
)

// Internal tunings of the NATS connection.
const (
	reconnectWait  = 500 * time.Millisecond // between attempts, plus nats.go's jitter
	pingInterval   = 10 * time.Second       // finds a half-open connection within ~30 s
	drainTimeout   = 5 * time.Second        // Close's bound on draining
	writeTimeout   = 2 * time.Second        // a write to NATS that takes longer ends the connection (a stalled link)
	subscribeFlush = time.Second            // Join's bound on confirming a room's subscription
	inboundQueue   = 1 << 16                // pushes received and not yet delivered
	logEvery       = 10 * time.Second       // at most one log line per kind of recurring fault
)

// Node is one eventhost node of a cluster: the host.Broker of its Server,
// on NATS. Its methods are safe from any goroutine.
type Node struct {
	srv  *host.Server
	o    Options
	subj subjects
	log  *slog.Logger
	nc   *nats.Conn
	reg  *registry

	msgs     chan *nats.Msg // every push subscription feeds it, in arrival order
	stop     chan struct{}  // closed by Close: the node's goroutines return
	leaving  chan struct{}  // closed when Close starts: requests in flight end
	wg       sync.WaitGroup // the node's goroutines
	ncClosed chan struct{}  // closed once the NATS connection is closed
	ready    atomic.Bool    // subscriptions made: hellos may go out
	closing  atomic.Bool
	closeErr error
	once     sync.Once

	mu         sync.Mutex // guards rooms and closed
	rooms      map[roomKey]*roomSub
	closed     bool
	dropBase   uint64             // pushes dropped by subscriptions since removed
	allSub     *nats.Subscription // the all subject's
	controlSub []*nats.Subscription

	pendMu  sync.Mutex
	pending map[string]*gather // by reply token: life, then seq
	life    string             // random, per Join: a node restarted with the same id takes no answer meant for its previous run
	seq     atomic.Uint64

	stats       counters
	lastErr     atomic.Pointer[errorAt]
	pubFailing  atomic.Bool
	pubFailures atomic.Uint64 // since publishes started failing
	malformed   limiter
}

// roomKey names a room of a namespace.
type roomKey struct{ ns, room string }

// roomSub is a room's NATS subscription. It stays while the room has local
// members (active) and for Linger after the last left; gen tells a linger
// timer whether it is still the current one.
type roomSub struct {
	sub    *nats.Subscription
	active bool
	gen    uint64
	timer  *time.Timer
}

// errorAt is the last error the node met, and when.
type errorAt struct {
	msg string
	at  time.Time
}

// counters are the Stats counters.
type counters struct {
	published, publishErrors, received, delivered, malformed atomic.Uint64
	countRequests, countPartial, reconnects                  atomic.Uint64
}

// Join connects srv to the cluster at o.URL and makes the node its Broker
// (srv.UseBroker): call it before srv serves. When NATS cannot be reached,
// Join still returns a Node, which serves locally and keeps connecting in
// the background; only unusable Options (or a URL nats.go rejects) fail.
// ctx bounds the announce Join makes when connected; the Node's life ends
// with Close, not with ctx.
func Join(ctx context.Context, srv *host.Server, o Options) (*Node, error) {
	if srv == nil {
		return nil, fmt.Errorf("%w: no server", ErrOptions)
	}
	o.setDefaults()
	if strings.TrimSpace(o.URL) == "" {
		return nil, fmt.Errorf("%w: no NATS URL", ErrOptions)
	}
	if !validPrefix(o.Prefix) {
		return nil, fmt.Errorf("%w: prefix %q is not a subject", ErrOptions, o.Prefix)
	}
	n := &Node{
		srv:      srv,
		o:        o,
		subj:     newSubjects(o.Prefix, o.NodeID),
		log:      o.Logger.With("node", o.NodeID),
		reg:      newRegistry(o.NodeExpiry),
		msgs:     make(chan *nats.Msg, inboundQueue),
		stop:     make(chan struct{}),
		leaving:  make(chan struct{}),
		ncClosed: make(chan struct{}),
		rooms:    make(map[roomKey]*roomSub),
		pending:  make(map[string]*gather),
		life:     randomID()[:8],
	}
	nc, err := nats.Connect(o.URL,
		nats.Name("eventhost "+o.NodeID),
		nats.NoEcho(), // a node delivered its own pushes already
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.ReconnectBufSize(-1), // no buffering while disconnected: Publish fails at once
		nats.PingInterval(pingInterval),
		nats.MaxPingsOutstanding(3),
		nats.DrainTimeout(drainTimeout),
		// nats.go writes under its connection lock, which Publish and
		// Subscribe take: on a stalled link (the sockets full, no error)
		// its default one-minute write timeout would hold every emit, and
		// every join under the Server's room lock, for that long.
		nats.FlusherTimeout(writeTimeout),
		nats.ConnectHandler(n.onConnected),
		nats.DisconnectErrHandler(n.onDisconnected),
		nats.ReconnectHandler(n.onReconnected),
		nats.ClosedHandler(func(*nats.Conn) { close(n.ncClosed) }),
		nats.ErrorHandler(n.onAsyncError),
	)
	if err != nil {
		return nil, fmt.Errorf("cluster: connect to %s: %w", redactURLs(o.URL), err)
	}
	n.nc = nc
	if err := n.subscribeControl(); err != nil {
		nc.Close()
		return nil, err
	}
	n.wg.Add(2)
	go n.deliverLoop()
	go n.heartbeatLoop()
	n.ready.Store(true)
	if nc.IsConnected() {
		n.hello(nc)
		fctx, cancel := context.WithTimeout(ctx, subscribeFlush)
		if err := nc.FlushWithContext(fctx); err != nil {
			n.setErr(fmt.Errorf("cluster: first flush: %w", err))
		}
		cancel()
		n.log.Info("cluster: joined", "url", nc.ConnectedUrlRedacted(), "prefix", o.Prefix)
	} else {
		n.log.Warn("cluster: NATS unreachable, serving locally and retrying", "url", redactURLs(o.URL))
	}
	srv.UseBroker(broker{n})
	return n, nil
}

// subscribeControl subscribes to the all subject (into the push queue) and
// to the control subjects.
func (n *Node) subscribeControl() error {
	sub, err := n.nc.ChanSubscribe(n.subj.all, n.msgs)
	if err != nil {
		return fmt.Errorf("cluster: subscribe %s: %w", n.subj.all, err)
	}
	n.allSub = sub
	for _, s := range []struct {
		subject string
		h       nats.MsgHandler
	}{
		{n.subj.count, n.onCount},
		{n.subj.disc, n.onDisconnect},
		{n.subj.nodes, n.onNodes},
		{n.subj.reply + ".*", n.onReply},
	} {
		sub, err := n.nc.Subscribe(s.subject, s.h)
		if err != nil {
			return fmt.Errorf("cluster: subscribe %s: %w", s.subject, err)
		}
		n.controlSub = append(n.controlSub, sub)
	}
	return nil
}

// Close leaves the cluster: it announces the leave (the other nodes drop
// this one from counts at once), unsubscribes, drains the NATS connection
// within a bound and stops the node's goroutines. Later pushes stay local.
// Calling it again returns the first call's result.
func (n *Node) Close() error {
	n.once.Do(func() { n.closeErr = n.close() })
	return n.closeErr
}

func (n *Node) close() error {
	n.closing.Store(true)
	close(n.leaving)
	n.mu.Lock()
	n.closed = true
	for _, rs := range n.rooms {
		if rs.timer != nil {
			rs.timer.Stop()
		}
	}
	n.mu.Unlock()
	var errs []error
	// The leave is best effort: without NATS, the others expire the node.
	if err := n.publishNodes(n.nc, opLeave); err != nil {
		n.log.Info("cluster: could not announce the leave; the other nodes will expire this one", "err", err)
	}
	if err := n.nc.Drain(); err != nil {
		n.nc.Close() // not connected: nothing to drain
	}
	select {
	case <-n.ncClosed:
	case <-time.After(drainTimeout + time.Second):
		n.nc.Close()
		errs = append(errs, errors.New("cluster: drain did not end in time"))
	}
	close(n.stop)
	n.wg.Wait()
	n.log.Info("cluster: left")
	return errors.Join(errs...)
}

// deliverLoop hands every received push to the Server, one at a time in
// arrival order; Deliver does not block.
func (n *Node) deliverLoop() {
	defer n.wg.Done()
	for {
		select {
		case <-n.stop:
			return
		case m := <-n.msgs:
			n.deliver(m)
		}
	}
}

func (n *Node) deliver(m *nats.Msg) {
	n.stats.received.Add(1)
	origin, f, err := decodeFanout(m.Data)
	if err != nil {
		n.stats.malformed.Add(1)
		if ok, skipped := n.malformed.allow(time.Now(), logEvery); ok {
			n.log.Warn("cluster: dropped a malformed push", "subject", m.Subject, "err", err, "unlogged", skipped)
		}
		return
	}
	if origin == n.o.NodeID {
		return // NoEcho keeps our own away; a twin node id would not
	}
	n.stats.delivered.Add(uint64(n.srv.Deliver(f)))
}

// heartbeatLoop announces the node every Heartbeat and forgets the nodes
// that went silent.
func (n *Node) heartbeatLoop() {
	defer n.wg.Done()
	t := time.NewTicker(n.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			if n.nc.IsConnected() {
				_ = n.publishNodes(n.nc, opAnnounce)
			}
			for _, id := range n.reg.expire(time.Now()) {
				n.log.Warn("cluster: node went silent, dropped from counts", "peer", id)
			}
		}
	}
}

// Node registry messages, on the nodes subject.
const (
	opAnnounce = "announce" // I am here (every Heartbeat)
	opHello    = "hello"    // I am here, and I just came: announce yourselves
	opLeave    = "leave"    // I am leaving: drop me now
)

type nodeMsg struct {
	Op   string `json:"op"`
	Node string `json:"node"`
}

// publishNodes publishes a registry message. Announces and hellos hold
// n.mu and are not sent once the node is closed, so none follows the
// leave (which would make the others count the node again until expiry).
func (n *Node) publishNodes(nc *nats.Conn, op string) error {
	b, _ := json.Marshal(nodeMsg{Op: op, Node: n.o.NodeID})
	if op != opLeave {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.closed {
			return ErrClosed
		}
	}
	if err := nc.Publish(n.subj.nodes, b); err != nil {
		return fmt.Errorf("cluster: publish %s: %w", op, err)
	}
	return nil
}

// hello announces a (re)connected node and asks the others to announce
// themselves, so that its registry fills at once.
func (n *Node) hello(nc *nats.Conn) {
	if err := n.publishNodes(nc, opHello); err != nil && err != ErrClosed {
		n.setErr(err)
	}
}

func (n *Node) onNodes(m *nats.Msg) {
	var msg nodeMsg
	if err := json.Unmarshal(m.Data, &msg); err != nil || msg.Node == "" {
		n.stats.malformed.Add(1)
		return
	}
	if msg.Node == n.o.NodeID {
		return
	}
	switch msg.Op {
	case opLeave:
		if n.reg.left(msg.Node) {
			n.log.Info("cluster: node left", "peer", msg.Node)
		}
	case opAnnounce, opHello:
		if n.reg.saw(msg.Node, time.Now()) {
			n.log.Info("cluster: node joined", "peer", msg.Node)
		}
		if msg.Op == opHello {
			_ = n.publishNodes(n.nc, opAnnounce)
		}
	}
}

// onConnected runs when a first connection made in the background
// succeeds (and after a successful first attempt, when Join says hello
// itself too).
func (n *Node) onConnected(nc *nats.Conn) {
	n.log.Info("cluster: connected", "url", nc.ConnectedUrlRedacted())
	if n.ready.Load() {
		n.hello(nc)
	}
}

func (n *Node) onDisconnected(_ *nats.Conn, err error) {
	if n.closing.Load() {
		return
	}
	if err == nil {
		err = errors.New("connection closed")
	}
	n.setErr(fmt.Errorf("cluster: NATS connection lost: %w", err))
	n.log.Warn("cluster: NATS connection lost; pushes stay on this node until it is back", "err", err)
}

func (n *Node) onReconnected(nc *nats.Conn) {
	n.stats.reconnects.Add(1)
	n.log.Info("cluster: reconnected", "url", nc.ConnectedUrlRedacted())
	n.hello(nc) // nats.go has resubscribed every subscription
}

func (n *Node) onAsyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	if errors.Is(err, nats.ErrSlowConsumer) {
		n.setErr(fmt.Errorf("cluster: pushes dropped, delivery queue full: %w", err))
		n.log.Warn("cluster: delivery queue full, dropping received pushes")
		return
	}
	subject := ""
	if sub != nil {
		subject = sub.Subject
	}
	n.setErr(fmt.Errorf("cluster: NATS: %w", err))
	n.log.Warn("cluster: NATS error", "subject", subject, "err", err)
}

func (n *Node) setErr(err error) {
	n.lastErr.Store(&errorAt{msg: err.Error(), at: time.Now()})
}

// Status is the cluster part of GET /healthz.
type Status struct {
	// Node is this node's id.
	Node string `json:"node"`
	// Connected reports a live NATS connection.
	Connected bool `json:"connected"`
	// URL is the NATS server in use (or the configured ones), without
	// credentials.
	URL string `json:"url"`
	// Nodes is the number of live nodes known, this one included.
	Nodes int `json:"nodes"`
	// Peers are the ids of the other live nodes, sorted.
	Peers []string `json:"peers"`
	// Subscriptions is the number of rooms subscribed on NATS.
	Subscriptions int `json:"subscriptions"`
	// LastError is the last fault met (empty when none), at LastErrorAt.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// Status describes the node and what it knows of the cluster.
func (n *Node) Status() Status {
	peers := n.reg.live(time.Now())
	st := Status{
		Node:          n.o.NodeID,
		Connected:     n.nc.IsConnected(),
		Peers:         peers,
		Nodes:         len(peers) + 1,
		Subscriptions: n.subscriptions(),
	}
	if st.Connected {
		st.URL = n.nc.ConnectedUrlRedacted()
	} else {
		st.URL = redactURLs(n.o.URL)
	}
	if e := n.lastErr.Load(); e != nil {
		st.LastError, st.LastErrorAt = e.msg, e.at
	}
	return st
}

// Stats are the node's counters, for metrics. Counters only grow; Nodes
// and Subscriptions are gauges.
type Stats struct {
	// Published counts pushes handed to NATS; PublishErrors those that
	// could not be (not connected, or NATS refused them).
	Published, PublishErrors uint64
	// Received counts pushes from other nodes; Delivered the connections
	// they were queued for here; Malformed the messages dropped undecoded;
	// Dropped the pushes NATS dropped because the delivery queue was full.
	Received, Delivered, Malformed, Dropped uint64
	// CountRequests counts Count calls; CountPartial those some known
	// node did not answer in time.
	CountRequests, CountPartial uint64
	// Reconnects counts reconnections to NATS.
	Reconnects uint64
	// Nodes is the number of live nodes known, this one included.
	Nodes int
	// Subscriptions is the number of rooms subscribed on NATS.
	Subscriptions int
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	s := &n.stats
	st := Stats{
		Published:     s.published.Load(),
		PublishErrors: s.publishErrors.Load(),
		Received:      s.received.Load(),
		Delivered:     s.delivered.Load(),
		Malformed:     s.malformed.Load(),
		CountRequests: s.countRequests.Load(),
		CountPartial:  s.countPartial.Load(),
		Reconnects:    s.reconnects.Load(),
		Nodes:         len(n.reg.live(time.Now())) + 1,
	}
	n.mu.Lock()
	st.Subscriptions = len(n.rooms)
	st.Dropped = n.dropBase + dropped(n.allSub)
	for _, rs := range n.rooms {
		st.Dropped += dropped(rs.sub)
	}
	n.mu.Unlock()
	return st
}

// dropped returns how many messages NATS dropped for sub.
func dropped(sub *nats.Subscription) uint64 {
	if sub == nil {
		return 0
	}
	d, err := sub.Dropped()
	if err != nil || d < 0 {
		return 0
	}
	return uint64(d)
}

func (n *Node) subscriptions() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.rooms)
}

// redactURLs returns a comma-separated list of NATS URLs without their
// credentials.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if !strings.Contains(p, "://") {
			p = "nats://" + p // nats.go's default scheme
		}
		u, err := url.Parse(p)
		switch {
		case err != nil:
			p = "(unparsable URL)"
		case u.User != nil:
			u.User = nil
			p = u.String()
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}

// limiter lets a recurring log line out at most once per period, and
// counts the ones it held back.
type limiter struct {
	mu      sync.Mutex
	last    time.Time
	skipped int
}

// allow reports whether to log now, and how many were held back since the
// last line.
func (l *limiter) allow(now time.Time, every time.Duration) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < every {
		l.skipped++
		return false, 0
	}
	skipped := l.skipped
	l.last, l.skipped = now, 0
	return true, skipped
}
