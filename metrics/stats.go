package metrics

import "github.com/prometheus/client_golang/prometheus"

// statsCollector reads Options.Stats once per scrape and reports it as
// constant metrics.
type statsCollector struct {
	stats func() Stats

	poolSize, busy, queued, asyncOps, vmsCreated, vmResets  *prometheus.Desc
	reloads, buildDuration, generation, routes, buildFailed *prometheus.Desc
	rooms, memberships, sioSessions                         *prometheus.Desc

	clusterConnected, clusterNodes, clusterSubs, clusterPublished, clusterPublishErrors                   *prometheus.Desc
	clusterReceived, clusterDelivered, clusterMalformed, clusterDropped, clusterCounts, clusterReconnects *prometheus.Desc
}

func newStatsCollector(stats func() Stats) *statsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &statsCollector{
		stats:         stats,
		poolSize:      d("eventhost_vm_pool_size", "VMs in the engine's pool."),
		busy:          d("eventhost_vm_busy", "VMs running a call's synchronous part now."),
		queued:        d("eventhost_engine_queue_depth", "Calls waiting for a VM now."),
		asyncOps:      d("eventhost_engine_async_ops", "Host operations (fetches, database queries) in flight now."),
		vmsCreated:    d("eventhost_vms_created_total", "VMs made since the start: the pool, then one per reset."),
		vmResets:      d("eventhost_vm_resets_total", "VMs replaced after a timeout, a stack overflow or a panic."),
		reloads:       d("eventhost_reloads_total", "Reloads of the scripts, by result: ok (a new generation serves), unchanged, failed.", "result"),
		buildDuration: d("eventhost_build_duration_seconds", "How long the build of the generation now serving took."),
		generation:    d("eventhost_generation", "Id of the generation now serving."),
		routes:        d("eventhost_routes", "Routes of the generation now serving."),
		buildFailed:   d("eventhost_last_build_failed", "1 when the last build failed (the previous generation keeps serving), else 0."),
		rooms:         d("eventhost_rooms", "Rooms, across namespaces."),
		memberships:   d("eventhost_room_memberships", "Memberships of rooms (a connection in three rooms counts three)."),
		sioSessions:   d("eventhost_socketio_sessions", "Socket.IO (Engine.IO) sessions open now, by transport.", "transport"),

		clusterConnected:     d("eventhost_cluster_connected", "1 while the node is connected to NATS, else 0."),
		clusterNodes:         d("eventhost_cluster_nodes", "Nodes of the cluster this node knows of, itself included."),
		clusterSubs:          d("eventhost_cluster_subscriptions", "Room subscriptions this node holds on NATS."),
		clusterPublished:     d("eventhost_cluster_published_total", "Pushes handed to the other nodes."),
		clusterPublishErrors: d("eventhost_cluster_publish_errors_total", "Pushes the other nodes did not get: NATS was down or the publish failed."),
		clusterReceived:      d("eventhost_cluster_received_total", "Pushes received from the other nodes."),
		clusterDelivered:     d("eventhost_cluster_delivered_total", "Connections of this node that pushes from the other nodes were queued on."),
		clusterMalformed:     d("eventhost_cluster_malformed_total", "Messages from NATS that did not decode, and were dropped."),
		clusterDropped:       d("eventhost_cluster_dropped_total", "Pushes from the other nodes dropped because this node's delivery queue was full."),
		clusterCounts:        d("eventhost_cluster_counts_total", "Cluster-wide counts asked from this node, by result: complete or partial (a node did not answer in time).", "result"),
		clusterReconnects:    d("eventhost_cluster_reconnects_total", "Reconnections to NATS."),
	}
}

// Describe sends every description.
func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.poolSize, c.busy, c.queued, c.asyncOps, c.vmsCreated, c.vmResets,
		c.reloads, c.buildDuration, c.generation, c.routes, c.buildFailed, c.rooms, c.memberships, c.sioSessions,
		c.clusterConnected, c.clusterNodes, c.clusterSubs, c.clusterPublished, c.clusterPublishErrors,
		c.clusterReceived, c.clusterDelivered, c.clusterMalformed, c.clusterDropped, c.clusterCounts, c.clusterReconnects} {
		ch <- d
	}
}

// Collect reads the figures and sends them.
func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(c.poolSize, float64(s.PoolSize))
	gauge(c.busy, float64(s.Busy))
	gauge(c.queued, float64(s.Queued))
	gauge(c.asyncOps, float64(s.AsyncOps))
	counter(c.vmsCreated, s.VMsCreated)
	counter(c.vmResets, s.VMResets)
	counter(c.reloads, s.ReloadsOK, "ok")
	counter(c.reloads, s.ReloadsUnchanged, "unchanged")
	counter(c.reloads, s.ReloadsFailed, "failed")
	gauge(c.buildDuration, s.BuildDuration.Seconds())
	gauge(c.generation, float64(s.Generation))
	gauge(c.routes, float64(s.Routes))
	failed := 0.0
	if s.LastBuildFailed {
		failed = 1
	}
	gauge(c.buildFailed, failed)
	gauge(c.rooms, float64(s.Rooms))
	gauge(c.memberships, float64(s.Memberships))
	gauge(c.sioSessions, float64(s.SIOPolling), "polling")
	gauge(c.sioSessions, float64(s.SIOWebSocket), "websocket")
	if cs := s.Cluster; cs != nil {
		connected := 0.0
		if cs.Connected {
			connected = 1
		}
		gauge(c.clusterConnected, connected)
		gauge(c.clusterNodes, float64(cs.Nodes))
		gauge(c.clusterSubs, float64(cs.Subscriptions))
		counter(c.clusterPublished, cs.Published)
		counter(c.clusterPublishErrors, cs.PublishErrors)
		counter(c.clusterReceived, cs.Received)
		counter(c.clusterDelivered, cs.Delivered)
		counter(c.clusterMalformed, cs.Malformed)
		counter(c.clusterDropped, cs.Dropped)
		counter(c.clusterCounts, cs.Counts-cs.PartialCounts, "complete")
		counter(c.clusterCounts, cs.PartialCounts, "partial")
		counter(c.clusterReconnects, cs.Reconnects)
	}
}
