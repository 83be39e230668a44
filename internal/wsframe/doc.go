// Package wsframe decodes, for clients, the frames an eventhost server sends
// on /ws in its native protocol (docs/protocol.md): replies, error replies,
// pushes, error pushes, and binary frames of each kind.
//
// host/protocol owns the server's side of the same format (decoding
// requests, encoding answers); this package is the one client-side reader,
// shared by the call command, eventload's slow path and the tests
// (internal/wstest). It does not import testing.
//
// Everything here is a pure function of its input: safe from any goroutine.
package wsframe
