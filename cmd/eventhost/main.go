// Command eventhost serves an event-driven API written in JavaScript: clients
// send events over a WebSocket, and eventhost runs the function that the ES
// modules under scripts/ export for each event.
//
// Usage:
//
//	eventhost [serve] [flags]              serve scripts/ on :8080 (the default)
//	eventhost routes [-scripts DIR]        print the route table
//	eventhost call [-url URL] EVENT [JSON] send one request and print the reply
//	eventhost healthcheck [-addr ADDR]     exit 0 when the server's /healthz says ok
//
// Every serve flag can also be set as an environment variable: -max-inflight
// is EVENTHOST_MAX_INFLIGHT. A flag on the command line wins.
package main

import (
	"context"
	"os"

	"github.com/eventhost/eventhost/internal/cli"
)

func main() {
	cli.Main("eventhost", func(ctx context.Context, args []string) error {
		return run(ctx, args, os.Getenv, os.Stdout, os.Stderr)
	})
}
