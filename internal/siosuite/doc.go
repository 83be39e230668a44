// Package siosuite is the official Socket.IO v5 protocol test suite
// (docs/socket.io-protocol/v5-test-suite/test-suite.js in the socket.io
// monorepo) written in Go, so that any server, eventhost or the reference
// Node server, can be checked against it from `go test`.
//
// [Run] runs one subtest per `it(...)` of the suite, nested under its
// `describe(...)` blocks with the same titles ("Engine.IO protocol/
// handshake/HTTP long-polling/should successfully open a session"). Each
// subtest asserts what its JavaScript counterpart asserts: HTTP statuses,
// bodies, packets byte for byte, and the suite's timings. Clients are
// net/http (for the JavaScript `fetch`) and gorilla/websocket (for
// `WebSocket`).
//
// The server under test must be configured as the suite expects: ping
// interval 300 ms, ping timeout 200 ms, maxPayload 1000000, a connect
// timeout of about 1 s, the event "auth" emitted with the CONNECT payload on
// every namespace connection, "message" echoed as "message-back",
// "message-with-ack" acknowledged with its arguments, and a namespace
// "/custom". testdata/socketio/reference-server.mjs and
// testdata/socketio/scripts are such servers.
//
// # Waiting
//
// A test WebSocket buffers every event it receives (open, message, close)
// from the moment it is dialled; a wait takes the oldest buffered event of
// its kind, or blocks until one arrives. No message is lost between two
// waits (the stale copies of the suite lose some, socket.io-protocol#32).
// Every wait is bounded by its subtest's deadline, mocha's timeout in the
// original (2 s, 5 s for the heartbeat tests), and a failure lists what
// the socket had received.
//
// # Goroutines
//
// Run must be called from the test's goroutine; it returns when every
// subtest has finished, so the caller may stop its server with defer or
// t.Cleanup. Each test WebSocket owns one reader goroutine, stopped when
// its subtest ends.
package siosuite
