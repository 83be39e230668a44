// Package melodyio holds what every melody-served WebSocket of eventhost
// needs, whatever its protocol (/ws in host, Socket.IO in host/socketio):
// an Outbox that keeps melody's per-session channel short, and a
// HandoffWriter that lets net/http's handler return once the connection is
// hijacked and corks the hijacked connection, so that frames queued behind
// one another in the Outbox leave in one write(2).
//
// # Goroutines
//
// Nothing here starts a goroutine. An Outbox is guarded by its owner's
// lock; only its cork reads it without that lock (the count of frames
// queued, an atomic). A cork's writes come from gorilla, which serializes
// them (melody's write goroutine, and pongs and closes written from the
// read goroutine or elsewhere through WriteControl); its Close is safe from
// any goroutine and never waits for a write.
package melodyio
