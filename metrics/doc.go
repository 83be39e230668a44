// Package metrics adapts eventhost to Prometheus: a Metrics implements
// host.Observer (every answer, connection and frame the host reports) and
// collects the engine's, the rooms' and Socket.IO's figures at each scrape,
// under eventhost_* names (docs/operations.md lists them all). Serve it with
// Handler, on a listener of its own (eventhost's -metrics-addr).
//
// Labels are bounded: the event label takes only the events that
// Options.HasRoute accepts (anything else is "unknown"), codes and reasons
// outside the known sets are "other", protocols are "native", "socketio" or
// "other"; the scripts' fetches and database calls (FetchDone, DBDone) take
// fixed sets of outcomes and kinds.
//
// The per-call path does no allocation and takes no lock once an event has
// been seen: series are resolved once per event, protocol and code, and
// kept in a copy-on-write table.
//
// Every method is safe from any goroutine. Metrics starts no goroutine:
// the figures of Options.Stats are read when Prometheus scrapes.
package metrics
