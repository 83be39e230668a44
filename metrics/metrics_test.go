package metrics_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/metrics"
)

func routes(events ...string) func(string) bool {
	return func(e string) bool { return slices.Contains(events, e) }
}

// sample returns the value of the series of name with exactly labels
// (name=value pairs), a histogram's count; -1 when there is none.
func sample(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, s := range mf.GetMetric() {
			if len(s.GetLabel())*2 != len(labels) {
				continue
			}
			for i, l := range s.GetLabel() { // sorted by name
				if l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
					continue next
				}
			}
			switch {
			case s.Counter != nil:
				return s.Counter.GetValue()
			case s.Gauge != nil:
				return s.Gauge.GetValue()
			case s.Histogram != nil:
				return float64(s.Histogram.GetSampleCount())
			}
		}
	}
	return -1
}

// TestLabelsAreBounded: events that are not routes share "unknown", codes
// and reasons outside the known sets are "other", and the number of series
// does not grow with what clients send.
func TestLabelsAreBounded(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{HasRoute: routes("a.b")})
	reg := m.Registry()
	for i := range 1000 {
		m.Answered(host.Answer{Protocol: host.ProtocolNative, Event: "junk" + strings.Repeat("x", i%50), Code: protocol.CodeUnknownEvent})
	}
	m.Answered(host.Answer{Protocol: host.ProtocolNative, Event: "a.b", Code: host.CodeOK, Duration: time.Millisecond})
	m.Answered(host.Answer{Protocol: host.ProtocolSocketIO, Event: "a.b", Code: "made_up", Duration: time.Millisecond})
	m.Answered(host.Answer{Protocol: host.ProtocolNative, Event: "unknown", Code: protocol.CodeBadRequest})
	m.ConnOpened("carrier-pigeon")
	m.ConnClosed("carrier-pigeon", "it flew off")
	m.ConnRefused(host.ProtocolNative, "its own reason")
	m.ConnOpened(host.ProtocolSocketIO)
	m.ConnClosed(host.ProtocolSocketIO, host.ReasonSlowConsumer)
	m.QueueWait(time.Microsecond)

	for _, w := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"eventhost_calls_total", []string{"code", "unknown_event", "event", "unknown"}, 1000},
		{"eventhost_calls_total", []string{"code", "ok", "event", "a.b"}, 1},
		{"eventhost_calls_total", []string{"code", "other", "event", "a.b"}, 1},
		{"eventhost_calls_total", []string{"code", "bad_request", "event", "unknown"}, 1},
		{"eventhost_call_duration_seconds", []string{"event", "a.b"}, 2},
		{"eventhost_call_duration_seconds", []string{"event", "unknown"}, 0}, // refused before queueing: no duration
		{"eventhost_disconnects_total", []string{"protocol", "other", "reason", "other"}, 1},
		{"eventhost_disconnects_total", []string{"protocol", "socketio", "reason", "slow consumer"}, 1},
		{"eventhost_slow_consumer_disconnects_total", []string{"protocol", "socketio"}, 1},
		{"eventhost_connections_refused_total", []string{"protocol", "native", "reason", "other"}, 1},
		{"eventhost_connections_accepted_total", []string{"protocol", "other"}, 1},
		{"eventhost_connections_open", []string{"protocol", "socketio"}, 0},
		{"eventhost_vm_wait_seconds", nil, 1},
	} {
		if got := sample(t, reg, w.name, w.labels...); got != w.want {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.want)
		}
	}
	// Two events (a.b and unknown), a series per code each.
	if n, err := testutil.GatherAndCount(reg, "eventhost_calls_total"); err != nil || n != 20 {
		t.Errorf("eventhost_calls_total has %d series (%v), want 20", n, err)
	}
}

// TestStats: Options.Stats is read at each scrape.
func TestStats(t *testing.T) {
	t.Parallel()
	s := metrics.Stats{PoolSize: 4, Busy: 1, Queued: 7, VMResets: 2, ReloadsOK: 3, ReloadsFailed: 1,
		BuildDuration: 1500 * time.Millisecond, Generation: 4, Routes: 13, LastBuildFailed: true,
		Rooms: 2, Memberships: 5, SIOPolling: 1, SIOWebSocket: 6,
		Cluster: &metrics.ClusterStats{Connected: true, Nodes: 3, Subscriptions: 8, Published: 10, PublishErrors: 2,
			Received: 20, Delivered: 40, Malformed: 1, Dropped: 3, Counts: 5, PartialCounts: 1, Reconnects: 1}}
	m := metrics.New(metrics.Options{Stats: func() metrics.Stats { return s }})
	reg := m.Registry()
	for _, w := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"eventhost_vm_pool_size", nil, 4},
		{"eventhost_vm_busy", nil, 1},
		{"eventhost_engine_queue_depth", nil, 7},
		{"eventhost_vm_resets_total", nil, 2},
		{"eventhost_reloads_total", []string{"result", "ok"}, 3},
		{"eventhost_reloads_total", []string{"result", "failed"}, 1},
		{"eventhost_reloads_total", []string{"result", "unchanged"}, 0},
		{"eventhost_build_duration_seconds", nil, 1.5},
		{"eventhost_generation", nil, 4},
		{"eventhost_routes", nil, 13},
		{"eventhost_last_build_failed", nil, 1},
		{"eventhost_rooms", nil, 2},
		{"eventhost_room_memberships", nil, 5},
		{"eventhost_socketio_sessions", []string{"transport", "polling"}, 1},
		{"eventhost_socketio_sessions", []string{"transport", "websocket"}, 6},
		{"eventhost_cluster_connected", nil, 1},
		{"eventhost_cluster_nodes", nil, 3},
		{"eventhost_cluster_subscriptions", nil, 8},
		{"eventhost_cluster_published_total", nil, 10},
		{"eventhost_cluster_publish_errors_total", nil, 2},
		{"eventhost_cluster_received_total", nil, 20},
		{"eventhost_cluster_delivered_total", nil, 40},
		{"eventhost_cluster_malformed_total", nil, 1},
		{"eventhost_cluster_dropped_total", nil, 3},
		{"eventhost_cluster_counts_total", []string{"result", "complete"}, 4},
		{"eventhost_cluster_counts_total", []string{"result", "partial"}, 1},
		{"eventhost_cluster_reconnects_total", nil, 1},
	} {
		if got := sample(t, reg, w.name, w.labels...); got != w.want {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.want)
		}
	}
	// The handler serves the text format, which lints clean.
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "eventhost_vm_pool_size 4") {
		t.Errorf("/metrics lacks the pool size:\n%s", rec.Body.String())
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestNoAllocation: once an event has been seen, the per-call path does not
// allocate.
func TestNoAllocation(t *testing.T) {
	m := metrics.New(metrics.Options{HasRoute: routes("a.b")})
	a := host.Answer{Protocol: host.ProtocolNative, Event: "a.b", Code: host.CodeOK, Duration: 50 * time.Microsecond}
	m.Answered(a)
	allocs := testing.AllocsPerRun(1000, func() {
		m.FrameIn(host.ProtocolNative, 40)
		m.Answered(a)
		m.Answered(host.Answer{Protocol: host.ProtocolNative, Event: "nope", Code: protocol.CodeUnknownEvent})
		m.FrameOut(host.ProtocolNative, 30)
		m.QueueWait(time.Microsecond)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per call, want 0", allocs)
	}
}

// BenchmarkCall: what one call adds with metrics on: a frame in, the
// answer, a frame out, the wait for a VM.
func BenchmarkCall(b *testing.B) {
	m := metrics.New(metrics.Options{HasRoute: routes("a.b")})
	a := host.Answer{Protocol: host.ProtocolNative, Event: "a.b", Code: host.CodeOK, Duration: 50 * time.Microsecond}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.FrameIn(host.ProtocolNative, 40)
			m.Answered(a)
			m.FrameOut(host.ProtocolNative, 30)
			m.QueueWait(time.Microsecond)
		}
	})
}

// TestStatsSingleNode: without a cluster, no cluster metric is reported.
func TestStatsSingleNode(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{Stats: func() metrics.Stats { return metrics.Stats{PoolSize: 1} }})
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "eventhost_cluster_") {
			t.Errorf("a single node reports %s", f.GetName())
		}
	}
}
