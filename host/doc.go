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
// Handshakes are checked before the upgrade, in this order: draining (503),
// Origin (403), the JWT when Config.JWTSecret or Config.JWTPublicKey is set
// (401), then Hooks.Connect (401, 403 or 500). Hooks.Disconnect runs once
// per accepted connection, with a Reason*, when it has ended.
//
// Each Conn carries its Handshake, its data (JSON text the JS side reads and
// replaces) and its rooms. Rooms are the server's: they outlive script
// reloads, and a connection leaves them when it ends. Pushes to many
// connections (Conn.EmitTo, Conn.Broadcast, Server.Emit, Server.EmitToRoom)
// are encoded once and queued on each receiver without blocking; a receiver
// that does not keep up is disconnected (4008) without delaying the others.
//
// Each connection is served by two goroutines: melody's reader, on a
// goroutine of the server's (net/http's handler returns once the connection
// is hijacked, so that net/http's per-connection state is let go), and
// melody's writer. Outbound frames wait in melody's short channel, then in
// the connection's outbox, which holds memory only while frames wait;
// Config.SendBuffer bounds the two together. A call's context is part of
// its request: it carries the deadline and ends when the call is answered.
//
// Config.Observer, when set, learns of every answer (the handler's and the
// host's own: timeout, overloaded, bad_request, the shutdown's abort),
// every connection opened, refused and closed, and every frame in and out,
// by protocol; it is the seam for metrics (package metrics adapts it to
// Prometheus), and costs one nil check per place when nil.
//
// Server and Conn methods are safe from any goroutine; Conn methods never
// block.
package host
