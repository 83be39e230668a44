package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/internal/cli"
	"github.com/eventhost/eventhost/internal/wsframe"
)

// callCommand sends one request and prints the reply's data on stdout. An
// error reply is printed on stderr and makes the exit status 1; pushes that
// arrive before the reply are printed on stderr.
func callCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eventhost call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "ws://127.0.0.1:8080/ws", "WebSocket URL of the server")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the reply")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: eventhost call [-url URL] [-timeout D] EVENT [JSON]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &cli.ExitError{Code: 2}
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	req := map[string]any{"event": fs.Arg(0), "id": 1}
	if fs.NArg() == 2 {
		if !json.Valid([]byte(fs.Arg(1))) {
			return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("eventhost call: data is not valid JSON: %s", fs.Arg(1))}
		}
		req["data"] = json.RawMessage(fs.Arg(1))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, *url, nil)
	if err != nil {
		return fmt.Errorf("call: dial %s: %w", *url, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(deadline)
	}
	if err := conn.WriteJSON(req); err != nil {
		return fmt.Errorf("call: send: %w", err)
	}
	for {
		kind, raw, err := conn.ReadMessage()
		if err != nil {
			return fmt.Errorf("call: waiting for the reply: %w", err)
		}
		f, err := wsframe.Decode(kind == websocket.BinaryMessage, raw)
		if err != nil {
			return fmt.Errorf("call: unreadable frame %q: %w", raw, err)
		}
		if f.ID != "1" {
			if f.Binary {
				fmt.Fprintf(stderr, "binary push %s (%d bytes)\n", f.Event, len(f.Payload))
			} else {
				fmt.Fprintf(stderr, "push %s %s\n", f.Event, f.Data)
			}
			continue
		}
		if f.Binary {
			_, err = stdout.Write(f.Payload)
			return err
		}
		if f.Error != nil {
			return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("error %s: %s", f.Error.Code, f.Error.Message)}
		}
		fmt.Fprintf(stdout, "%s\n", f.Data)
		return nil
	}
}
