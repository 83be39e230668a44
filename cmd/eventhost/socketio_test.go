package main

import (
	"path/filepath"
	"testing"

	"github.com/eventhost/eventhost/internal/sioclient"
	"github.com/eventhost/eventhost/internal/siosuite"
)

// startSocketIO starts eventhost on testdata/socketio/scripts with the
// Socket.IO heartbeat given, and returns its http:// base URL.
func startSocketIO(t *testing.T, pingInterval, pingTimeout string) string {
	t.Helper()
	s := startServer(t, "-scripts", filepath.Join("..", "..", "testdata", "socketio", "scripts"),
		"-sio-ping-interval", pingInterval, "-sio-ping-timeout", pingTimeout, "-sio-connect-timeout", "1s",
		"-max-message", "1000000")
	return "http://" + s.addr
}

// TestSocketIOOfficialSuite runs the official Socket.IO v5 protocol suite
// (ported to Go in internal/siosuite) against eventhost and its JS handlers.
func TestSocketIOOfficialSuite(t *testing.T) {
	t.Parallel()
	siosuite.Run(t, startSocketIO(t, "300ms", "200ms"))
}

// TestSocketIOClient drives the npm socket.io-client against eventhost:
// default transports and the upgrade, websocket only, acks, binary both
// ways, a namespace folder, refusals, reconnection.
func TestSocketIOClient(t *testing.T) {
	t.Parallel()
	sioclient.RunBehaviours(t, startSocketIO(t, "2s", "2s"))
}
