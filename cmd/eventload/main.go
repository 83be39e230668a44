// Command eventload is eventhost's load tool: it opens connections to a
// running server, keeps a number of requests in flight on each, and reports
// throughput, latency percentiles, error replies and lost replies.
//
// Usage:
//
//	eventload [-url URL] [-c CONNS] [-w INFLIGHT] [-d DURATION | -n COUNT] [flags]
//
// Each connection sends a new request as soon as a reply arrives, so it keeps
// -w requests outstanding; replies are matched by id (unique per
// connection). When the load ends, eventload waits up to -grace for the
// outstanding replies and prints the results, as text or, with -json, as one
// JSON object. SIGINT ends the load early; the results are still printed (a
// second SIGINT kills the process).
//
// Exit status: 0 when every request got a successful reply; 1 when there was
// an error reply, a lost reply, or a connection that failed; 2 for bad usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, the next one gets the default behaviour: a
	// second Ctrl-C kills eventload while it waits for its grace period.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "eventload:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a given status after printing msg.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }
