// Package protocol owns eventhost's wire format on /ws: decoding client
// frames into requests and encoding replies, errors and pushes.
//
// A text frame is a JSON object {"event": "...", "data": ..., "id": ...}.
// A binary frame is a 4-byte big-endian length N, N bytes of the same JSON
// envelope without "data", then the payload bytes. docs/protocol.md is the
// reference for client developers.
//
// Everything here is a pure function of its input: safe from any goroutine.
package protocol
