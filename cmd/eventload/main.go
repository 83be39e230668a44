// Command eventload is eventhost's load tool: it opens connections to a
// running server, keeps a number of requests in flight on each, and reports
// throughput, latency percentiles, error replies and lost replies.
//
// Usage:
//
//	eventload [-proto ws|socketio] [-url URL] [-c CONNS] [-w INFLIGHT] [-d DURATION | -n COUNT] [flags]
//
// Each connection sends a new request as soon as a reply arrives, so it keeps
// -w requests outstanding; replies are matched by id (unique per
// connection). When the load ends, eventload waits up to -grace for the
// outstanding replies and prints the results, as text or, with -json, as one
// JSON object. SIGINT ends the load early; the results are still printed (a
// second SIGINT kills the process).
//
// -proto socketio speaks Socket.IO v5 on Engine.IO v4 over the WebSocket
// transport instead of the native protocol: requests are events with ack
// ids, acks are their replies, and Engine.IO pings are answered.
//
// Exit status: 0 when every request got a successful reply; 1 when there was
// an error reply, a lost reply, or a connection that failed; 2 for bad usage.
package main

import (
	"context"
	"os"

	"github.com/eventhost/eventhost/internal/cli"
)

func main() {
	cli.Main("eventload", func(ctx context.Context, args []string) error {
		return run(ctx, args, os.Stdout, os.Stderr)
	})
}
