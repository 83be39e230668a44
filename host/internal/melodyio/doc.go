// Package melodyio holds what every melody-served WebSocket of eventhost
// needs, whatever its protocol (/ws in host, Socket.IO in host/socketio):
// an Outbox that keeps melody's per-session channel short, and a
// HandoffWriter that lets net/http's handler return once the connection is
// hijacked. Neither starts a goroutine; an Outbox is guarded by its owner's
// lock.
package melodyio
