package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The outcome label's values of eventhost_fetch_requests_total (those of
// runtime/fetch's Outcome); any other counts as "other".
var fetchOutcomes = [...]string{"ok", "timeout", "aborted", "not_allowed", "body_too_large", "network", "other"}

// The kind and outcome labels' values of eventhost_db_statements_total;
// any other kind is "other", any other outcome "error".
var (
	dbKinds    = [...]string{"query", "exec", "tx", "other"}
	dbOutcomes = [...]string{"ok", "error", "canceled", "too_many_rows"}
)

// ioBuckets span a local query (~50 µs) to the default fetch timeout
// (30 s).
var ioBuckets = []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// hostCalls are the series of the scripts' fetches and database calls,
// resolved once.
type hostCalls struct {
	fetches       [len(fetchOutcomes)]prometheus.Counter
	fetchDuration prometheus.Histogram
	statements    [len(dbKinds)][len(dbOutcomes)]prometheus.Counter
	dbDuration    [len(dbKinds)]prometheus.Observer
}

// newHostCalls makes the series and registers them with reg.
func newHostCalls(reg prometheus.Registerer) *hostCalls {
	fetches := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eventhost_fetch_requests_total",
		Help: "Fetches made by scripts, by outcome: ok (a response, of any status), timeout, aborted, not_allowed, body_too_large, network, other.",
	}, []string{"outcome"})
	fetchDuration := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "eventhost_fetch_duration_seconds", Help: "Time a script's fetch took, to the end of its body or its failure.",
		Buckets: ioBuckets,
	})
	statements := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eventhost_db_statements_total",
		Help: "Database calls made by scripts, by kind (query, exec, tx: a transaction as a whole; its statements count under their own kind) and outcome (ok, error, canceled, too_many_rows).",
	}, []string{"kind", "outcome"})
	dbDuration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "eventhost_db_statement_duration_seconds", Help: "Time the database took to answer a script's call, by kind.",
		Buckets: ioBuckets,
	}, []string{"kind"})
	reg.MustRegister(fetches, fetchDuration, statements, dbDuration)
	h := &hostCalls{fetchDuration: fetchDuration}
	for i, o := range fetchOutcomes {
		h.fetches[i] = fetches.WithLabelValues(o)
	}
	for i, k := range dbKinds {
		for j, o := range dbOutcomes {
			h.statements[i][j] = statements.WithLabelValues(k, o)
		}
		h.dbDuration[i] = dbDuration.WithLabelValues(k)
	}
	return h
}

// index returns the index of s in names, or dflt.
func index(names []string, s string, dflt int) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return dflt
}

// FetchDone counts a script's fetch by outcome (runtime/fetch's Outcome)
// and observes its duration.
func (m *Metrics) FetchDone(outcome string, d time.Duration) {
	m.calls.fetches[index(fetchOutcomes[:], outcome, len(fetchOutcomes)-1)].Inc()
	m.calls.fetchDuration.Observe(d.Seconds())
}

// DBDone counts a script's database call by kind (query, exec, tx) and
// outcome (ok, error, canceled, too_many_rows), and observes its duration.
func (m *Metrics) DBDone(kind, outcome string, d time.Duration) {
	k := index(dbKinds[:], kind, len(dbKinds)-1)
	m.calls.statements[k][index(dbOutcomes[:], outcome, 1)].Inc()
	m.calls.dbDuration[k].Observe(d.Seconds())
}
