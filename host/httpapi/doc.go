// Package httpapi is eventhost's HTTP API for other services: POST
// /api/emit pushes an event to connections (everyone in a namespace, rooms,
// one socket id, with exceptions), and POST /api/disconnect closes one
// connection. Both act cluster-wide through host.Server.EmitTarget and
// host.Server.DisconnectSocket; docs/protocol.md ("HTTP API") is the
// reference for clients.
//
// Every request must carry "Authorization: Bearer <token>", compared with
// the configured token in constant time. The API is off without a token:
// Mount then mounts nothing.
//
// Requests are checked in this order: method (405, with Allow), token
// (401, with WWW-Authenticate), Content-Type (415), body size (413), then
// the body's JSON (400). Every answer is a JSON object; a refusal is
// {"ok":false,"error":{"code","message"}} with one of the Code* codes.
//
// # Goroutines
//
// The package starts none: requests are served on net/http's goroutines,
// any number at once, and the handler keeps no per-request state between
// them. A push is queued on this node's connections without blocking, and
// the Broker, when there is one, takes it without waiting on the network;
// a disconnect may wait for the other nodes, at most DisconnectTimeout.
package httpapi
