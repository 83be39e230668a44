package main

import (
	"context"
	"errors"
	"time"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/db"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio"
	"github.com/eventhost/eventhost/metrics"
	"github.com/eventhost/eventhost/runtime/engine"
	"github.com/eventhost/eventhost/runtime/fetch"
)

// metricsSources are what the metrics read at each scrape. The server is
// made after the engine, so its parts are set as they come; a scrape comes
// only once the metrics listener is up, after all of them.
type metricsSources struct {
	eng  *engine.Engine
	srv  *host.Server
	sio  *socketio.Server
	node *cluster.Node // nil for a single node
}

// newMetrics makes the Prometheus adapter over src.
func newMetrics(src *metricsSources) *metrics.Metrics {
	return metrics.New(metrics.Options{
		HasRoute: func(event string) bool { return src.eng != nil && src.eng.HasRoute(event) },
		Stats:    src.stats,
	})
}

// stats gathers the figures the engine, the host and Socket.IO keep.
func (src *metricsSources) stats() metrics.Stats {
	var s metrics.Stats
	if e := src.eng; e != nil {
		st, g := e.Stats(), e.Current()
		s.PoolSize, s.Busy, s.Queued, s.AsyncOps = st.PoolSize, st.Busy, st.Queued, st.AsyncOps
		s.VMsCreated, s.VMResets = st.VMsCreated, st.VMResets
		s.ReloadsOK, s.ReloadsUnchanged, s.ReloadsFailed = st.ReloadsOK, st.ReloadsUnchanged, st.ReloadsFailed
		s.BuildDuration, s.Generation, s.Routes = g.Duration, g.ID, g.Routes
		s.LastBuildFailed = e.LastFailure() != nil
	}
	if src.srv != nil {
		s.Rooms, s.Memberships = src.srv.RoomCounts()
	}
	if src.sio != nil {
		s.SIOPolling, s.SIOWebSocket = src.sio.Transports()
	}
	if src.node != nil {
		s.Cluster = clusterStats(src.node)
	}
	return s
}

// engineObservers are the engine's observer funcs that feed mx; all nil
// (costing nothing) when mx is nil.
type engineObservers struct {
	queueWait func(time.Duration)
	fetch     func(error, time.Duration)
	db        func(engine.DBCall)
}

// observers returns the engine's observer funcs for mx.
func observers(mx *metrics.Metrics) engineObservers {
	if mx == nil {
		return engineObservers{}
	}
	return engineObservers{
		queueWait: mx.QueueWait,
		fetch:     func(err error, d time.Duration) { mx.FetchDone(fetch.Outcome(err), d) },
		db:        func(c engine.DBCall) { mx.DBDone(c.Kind, dbOutcome(c), c.Duration) },
	}
}

// dbOutcome is the outcome label of a database call: ok, canceled (its
// call had ended, or the statement was cancelled), too_many_rows (more
// than -db-max-rows) or error.
func dbOutcome(c engine.DBCall) string {
	switch {
	case c.Err == nil:
		return "ok"
	case c.Ended, errors.Is(c.Err, context.Canceled), errors.Is(c.Err, context.DeadlineExceeded):
		return "canceled"
	case errors.Is(c.Err, db.ErrTooManyRows):
		return "too_many_rows"
	}
	return "error"
}
