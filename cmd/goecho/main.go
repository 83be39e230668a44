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
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "goecho:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a given status after printing msg.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }
