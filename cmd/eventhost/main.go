// Command eventhost serves an event-driven API written in JavaScript: clients
// send events over a WebSocket, and eventhost runs the function that the ES
// modules under scripts/ export for each event.
//
// Usage:
//
//	eventhost [serve] [flags]              serve scripts/ on :8080 (the default)
//	eventhost routes [-scripts DIR]        print the route table
//	eventhost call [-url URL] EVENT [JSON] send one request and print the reply
//
// Every serve flag can also be set as an environment variable: -max-inflight
// is EVENTHOST_MAX_INFLIGHT. A flag on the command line wins.
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
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "eventhost:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a given status after printing msg.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }
