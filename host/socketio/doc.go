// Package socketio serves Socket.IO v5 (on Engine.IO v4) at /socket.io/, so
// that socket.io-client applications connect to eventhost unchanged. Each
// namespace a client connects to is one host.Conn, opened with
// host.Server.Accept: it shares the handlers, hooks, rooms, limits and
// shutdown of /ws connections. This package owns what is Socket.IO's own:
// Engine.IO sessions, their two transports (HTTP long-polling and
// WebSocket, and the upgrade from one to the other), the heartbeat, the
// namespaces of a session, and the codec that turns replies and pushes into
// EVENT and ACK packets. The wire format is host/socketio/wire's.
//
// # Goroutines
//
// A session has no goroutine of its own. Its WebSocket, once it has one, is
// read by melody on a goroutine that the HTTP request which opened it
// starts (the request's own goroutine returns once the connection is
// hijacked, see melodyio.HandoffWriter) and that ends when the WebSocket closes, and
// written by melody's write goroutine; a polling session is read by its POST
// requests and written by its GET requests, each on net/http's goroutine.
// Timers (heartbeat, connect timeout, a closing poll) run on their own
// goroutines and only take the session's lock. Server.Close ends every
// session and waits for nothing else.
//
// Polling sessions live on the node that made them: behind a load balancer
// they need sticky sessions; WebSocket-only clients do not.
package socketio
