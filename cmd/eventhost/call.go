package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/eventhost/eventhost/internal/cli"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
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
		kind, frame, err := conn.ReadMessage()
		if err != nil {
			return fmt.Errorf("call: waiting for the reply: %w", err)
		}
		if kind == websocket.BinaryMessage {
			var env struct {
				ID    json.RawMessage `json:"id"`
				Event string          `json:"event"`
			}
			rawEnv, payload, err := protocol.SplitBinary(frame)
			if err == nil {
				err = json.Unmarshal(rawEnv, &env)
			}
			if err != nil {
				return fmt.Errorf("call: unreadable binary frame: %w", err)
			}
			if string(env.ID) != "1" {
				fmt.Fprintf(stderr, "binary push %s (%d bytes)\n", env.Event, len(payload))
				continue
			}
			_, err = stdout.Write(payload)
			return err
		}
		var msg struct {
			ID    json.RawMessage `json:"id"`
			Event string          `json:"event"`
			Data  json.RawMessage `json:"data"`
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(frame, &msg); err != nil {
			return fmt.Errorf("call: unreadable frame %q: %w", frame, err)
		}
		if string(msg.ID) != "1" {
			fmt.Fprintf(stderr, "push %s %s\n", msg.Event, msg.Data)
			continue
		}
		if msg.Error != nil {
			return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("error %s: %s", msg.Error.Code, msg.Error.Message)}
		}
		fmt.Fprintf(stdout, "%s\n", msg.Data)
		return nil
	}
}
