package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configures a Metrics. The zero value of each field means its
// default.
type Options struct {
	// HasRoute reports whether an event is a route; the event label takes
	// only those. Nil counts every event as "unknown".
	HasRoute func(event string) bool
	// Stats, when set, is read at each scrape for the figures the host and
	// the engine keep themselves (the VM pool, reloads, rooms, Socket.IO
	// sessions).
	Stats func() Stats
	// Registry receives the collectors; a new one when nil (Handler serves
	// it). The Go runtime and process collectors are added to a new one.
	Registry *prometheus.Registry
}

// Stats are figures read at each scrape.
type Stats struct {
	// The engine's VM pool.
	PoolSize   int    // VMs
	Busy       int    // VMs running a call's synchronous part now
	Queued     int    // calls waiting for a VM now
	AsyncOps   int    // host operations (fetches, queries) in flight now
	VMsCreated uint64 // VMs made since the start
	VMResets   uint64 // VMs replaced after a timeout, stack overflow or panic

	// Builds of the scripts.
	ReloadsOK        uint64        // reloads that made a new generation current
	ReloadsUnchanged uint64        // reloads whose build was the current one's
	ReloadsFailed    uint64        // reloads whose build failed
	BuildDuration    time.Duration // the current generation's build
	Generation       uint64        // the current generation's id
	Routes           int           // routes of the current generation
	LastBuildFailed  bool          // the last build failed (the old generation serves)

	// The host.
	Rooms       int // rooms, across namespaces
	Memberships int // connections in rooms, one per room

	// Socket.IO sessions by transport.
	SIOPolling   int
	SIOWebSocket int

	// Cluster is the node's part in a cluster; nil for a single node,
	// which then reports no cluster metrics.
	Cluster *ClusterStats
}

// ClusterStats are a cluster node's figures.
type ClusterStats struct {
	Connected     bool   // connected to NATS now
	Nodes         int    // nodes known, this one included
	Subscriptions int    // room subscriptions held now
	Published     uint64 // pushes handed to the other nodes
	PublishErrors uint64 // pushes the other nodes did not get (NATS down, or a publish failed)
	Received      uint64 // pushes received from the other nodes
	Delivered     uint64 // connections those pushes were queued on here
	Malformed     uint64 // messages from NATS that did not decode
	Dropped       uint64 // pushes dropped because the delivery queue was full
	Counts        uint64 // cluster-wide counts asked from here
	PartialCounts uint64 // counts that some node did not answer in time
	Reconnects    uint64 // reconnections to NATS
}

// Metrics collects eventhost's metrics. Create it with New.
type Metrics struct {
	reg      *prometheus.Registry
	hasRoute func(string) bool

	vmWait *histogram
	events eventTable

	open        *prometheus.GaugeVec
	accepted    *prometheus.CounterVec
	refused     *prometheus.CounterVec
	disconnects *prometheus.CounterVec
	slow        *prometheus.CounterVec
	protos      [nProtocols]protoSeries
	calls       *hostCalls
}

// New returns a Metrics with its collectors registered.
func New(opts Options) *Metrics {
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &Metrics{reg: reg, hasRoute: opts.HasRoute}
	if m.hasRoute == nil {
		m.hasRoute = func(string) bool { return false }
	}
	m.vmWait = newHistogram(waitBuckets)
	m.open = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "eventhost_connections_open", Help: "Connections open now, by protocol.",
	}, []string{"protocol"})
	m.accepted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eventhost_connections_accepted_total", Help: "Connections accepted, by protocol.",
	}, []string{"protocol"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eventhost_connections_refused_total", Help: "Handshakes refused, by protocol and reason (origin, auth, hook, shutdown).",
	}, []string{"protocol", "reason"})
	m.disconnects = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eventhost_disconnects_total", Help: "Connections ended, by protocol and reason.",
	}, []string{"protocol", "reason"})
	m.slow = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eventhost_slow_consumer_disconnects_total", Help: "Connections ended because the client did not read fast enough, by protocol.",
	}, []string{"protocol"})
	for i, p := range protocolNames {
		m.protos[i] = protoSeries{
			open: m.open.WithLabelValues(p), accepted: m.accepted.WithLabelValues(p),
			slow: m.slow.WithLabelValues(p),
		}
	}
	m.events.unknown = newEventSeries(unknownEvent)
	reg.MustRegister(m.open, m.accepted, m.refused, m.disconnects, m.slow, newHotCollector(m))
	m.calls = newHostCalls(reg)
	if opts.Stats != nil {
		reg.MustRegister(newStatsCollector(opts.Stats))
	}
	return m
}

// Handler serves the registry in Prometheus' exposition formats, for GET
// /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry returns the registry the collectors are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// QueueWait observes how long a call waited for a VM: the engine's
// Config.QueueWait.
func (m *Metrics) QueueWait(d time.Duration) { m.vmWait.observe(d) }

// callBuckets span a quick preloaded call (~50 µs) to the default call
// timeout (10 s).
var callBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// waitBuckets start lower: an idle pool takes a call within microseconds.
var waitBuckets = []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}
