package metrics

import "github.com/prometheus/client_golang/prometheus"

// hotCollector reports the series the per-call path updates (shard.go):
// calls by event and code, their durations, the wait for a VM, frames and
// bytes by protocol and direction.
type hotCollector struct {
	m                                    *Metrics
	calls, durations, vmWait, frames, by *prometheus.Desc
}

func newHotCollector(m *Metrics) *hotCollector {
	return &hotCollector{m: m,
		calls: prometheus.NewDesc("eventhost_calls_total",
			"Requests answered, by event (routes only; else unknown) and outcome code (ok or the wire error code), including the answers the host gives itself.",
			[]string{"event", "code"}, nil),
		durations: prometheus.NewDesc("eventhost_call_duration_seconds",
			"Time from a request's arrival to its answer, by event, for requests that were queued.", []string{"event"}, nil),
		vmWait: prometheus.NewDesc("eventhost_vm_wait_seconds", "Time a call waited in the engine's queue for a VM.", nil, nil),
		frames: prometheus.NewDesc("eventhost_frames_total",
			"Frames received (in) and queued to send (out), by protocol and direction.", []string{"protocol", "direction"}, nil),
		by: prometheus.NewDesc("eventhost_frame_bytes_total",
			"Bytes of the frames received (in) and queued to send (out), by protocol and direction.", []string{"protocol", "direction"}, nil),
	}
}

// Describe sends every description.
func (c *hotCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.calls
	ch <- c.durations
	ch <- c.vmWait
	ch <- c.frames
	ch <- c.by
}

// Collect sums the shards and sends the series.
func (c *hotCollector) Collect(ch chan<- prometheus.Metric) {
	for _, ev := range c.m.events.all() {
		for i := range ev.codes {
			ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(ev.codes[i].value()), ev.name, codeNames[i])
		}
		n, sum, buckets := ev.duration.snapshot()
		ch <- prometheus.MustNewConstHistogram(c.durations, n, sum, buckets, ev.name)
	}
	n, sum, buckets := c.m.vmWait.snapshot()
	ch <- prometheus.MustNewConstHistogram(c.vmWait, n, sum, buckets)
	for i, p := range protocolNames {
		s := &c.m.protos[i]
		for _, d := range []struct {
			dir string
			p   *pair
		}{{"in", &s.in}, {"out", &s.out}} {
			frames, bytes := d.p.values()
			ch <- prometheus.MustNewConstMetric(c.frames, prometheus.CounterValue, float64(frames), p, d.dir)
			ch <- prometheus.MustNewConstMetric(c.by, prometheus.CounterValue, float64(bytes), p, d.dir)
		}
	}
}
