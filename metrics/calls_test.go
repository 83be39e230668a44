package metrics_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/eventhost/eventhost/metrics"
)

// TestHostCalls: fetches count by outcome and database calls by kind and
// outcome, every series exists from the start, and values outside the
// known sets land in "other" (fetch outcome, db kind) or "error" (db
// outcome) instead of making new series.
func TestHostCalls(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := metrics.New(metrics.Options{Registry: reg})
	for _, o := range []string{"ok", "timeout", "aborted", "not_allowed", "body_too_large", "network", "other"} {
		if v := sample(t, reg, "eventhost_fetch_requests_total", "outcome", o); v != 0 {
			t.Errorf("fetch %s before any fetch = %v, want 0", o, v)
		}
	}
	m.FetchDone("ok", time.Millisecond)
	m.FetchDone("ok", time.Millisecond)
	m.FetchDone("timeout", time.Second)
	m.FetchDone("made-up", time.Millisecond)
	m.DBDone("query", "ok", time.Millisecond)
	m.DBDone("query", "too_many_rows", time.Millisecond)
	m.DBDone("exec", "canceled", time.Millisecond)
	m.DBDone("tx", "error", time.Millisecond)
	m.DBDone("vacuum", "strange", time.Millisecond)
	for _, w := range []struct {
		name   string
		labels []string
		value  float64
	}{
		{"eventhost_fetch_requests_total", []string{"outcome", "ok"}, 2},
		{"eventhost_fetch_requests_total", []string{"outcome", "timeout"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "other"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "made-up"}, -1},
		{"eventhost_fetch_duration_seconds", nil, 4},
		{"eventhost_db_statements_total", []string{"kind", "query", "outcome", "ok"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "query", "outcome", "too_many_rows"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "exec", "outcome", "canceled"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "tx", "outcome", "error"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "other", "outcome", "error"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "vacuum", "outcome", "strange"}, -1},
		{"eventhost_db_statement_duration_seconds", []string{"kind", "query"}, 2},
		{"eventhost_db_statement_duration_seconds", []string{"kind", "other"}, 1},
	} {
		if got := sample(t, reg, w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "eventhost_db_statements_total" && len(mf.GetMetric()) != 4*4 {
			t.Errorf("%d db statement series, want 16 (4 kinds × 4 outcomes)", len(mf.GetMetric()))
		}
	}
}
