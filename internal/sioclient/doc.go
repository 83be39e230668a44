// Package sioclient drives the real npm socket.io-client from Go tests, and
// starts the reference Node socket.io server.
//
// [Start] launches testdata/socketio/client.mjs with node. That program
// reads JSON commands line by line on its standard input (connect, emit,
// disconnect, close) and writes one JSON line per thing that happened
// (connect, connect_error, disconnect, event, ack, upgrade, reconnect, ...).
// A [Client] buffers every line it reads; [Socket.Next] and the helpers
// built on it take the oldest buffered line that matches, or wait for one
// until a deadline, so nothing is lost between two waits. Binary arguments
// cross the JSON lines as {"$bytes": "<base64>"}: [Bytes] makes one, and
// [Event.Bytes] reads one.
//
// [StartReference] starts testdata/socketio/reference-server.mjs on a free
// loopback port. Both skip the test when node or the npm packages are
// missing, and fail it instead when CI=true.
//
// # Goroutines
//
// A Client owns two goroutines (its reader of the program's output and the
// one that waits for the process); both end when the process does, which
// t.Cleanup brings about by closing its input. The waiting helpers call
// t.Fatal, so call them from the test's goroutine only.
package sioclient
