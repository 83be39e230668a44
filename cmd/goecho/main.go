// Command goecho is the Go-handler baseline of eventhost: it serves the same
// WebSocket server as eventhost (host.New, melody, host/protocol, the same
// limits and defaults) with a handler written in Go that answers every event
// with its own data (a binary payload with a binary reply). Load it with
// eventload and compare with eventhost's api.test.board to see what running
// handlers in JavaScript costs on its own.
//
// Usage:
//
//	goecho [-addr :8081] [-max-inflight 64] [flags]
//
// SIGINT or SIGTERM drain it as they drain eventhost: new requests are
// answered with overloaded, calls in flight finish within -shutdown-timeout,
// connections are closed with 1001, and goecho exits 0.
package main

import (
	"context"
	"os"

	"github.com/eventhost/eventhost/internal/cli"
)

func main() {
	cli.Main("goecho", func(ctx context.Context, args []string) error {
		return run(ctx, args, os.Stdout, os.Stderr)
	})
}
