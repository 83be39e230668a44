// Package wstest is the WebSocket test client of eventhost's native
// protocol on /ws, shared by the tests of host and cmd/eventhost.
//
// A [Client] is a real gorilla/websocket connection. Its reader goroutine
// decodes every frame with internal/wsframe and queues it; the queue holds
// [Options.Buffer] frames, after which the reader stops reading, as a slow
// client would. The reader ends when the connection does, and at the
// latest in the test's Cleanup, which closes the connection and waits for
// it: no goroutine outlives its test.
//
// Every helper takes the testing.TB to fail and bounds each wait by
// [Timeout]: a bug fails the test instead of hanging it. Timeout is not a
// speed assertion.
//
// # Goroutines
//
// A Client's methods may be called from any goroutine; writes are
// serialised (gorilla allows one writer at a time). A helper that fails the
// test must run on the test's goroutine, as testing requires.
package wstest
