// Package host is eventhost's network side: it accepts WebSocket connections
// on /ws (through melody), decodes their frames, hands each request to a
// Handler, and writes replies, errors and pushes back. It also serves
// GET /healthz.
//
// host knows nothing of JavaScript: it declares the small Handler interface
// it needs, the runtime satisfies it, and cmd/eventhost wires the two.
//
// A connection's requests reach the Handler in arrival order, one at a time:
// the next one is handed over when the previous one's synchronous part has
// run (Call.Started), so replies may complete out of order while starts never
// do. JS never runs on melody's read goroutine: the Handler must not block.
//
// Server methods are safe from any goroutine.
package host
