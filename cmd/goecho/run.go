package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/eventhost/eventhost/internal/cli"

	"github.com/eventhost/eventhost/host"
)

// DefaultAddr is where goecho listens unless told otherwise: beside
// eventhost's :8080.
const DefaultAddr = ":8081"

// run is the whole program: main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runReady(ctx, args, stdout, stderr, nil)
}

// runReady is run with a hook that, when set, is told the address the server
// listens on once it accepts connections (for tests on 127.0.0.1:0).
func runReady(ctx context.Context, args []string, _, stderr io.Writer, ready func(addr string)) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if ee := (*cli.ExitError)(nil); errors.As(err, &ee) && ee.Code == 0 {
			return nil // -h
		}
		return err
	}
	return serve(ctx, cfg, stderr, ready)
}

// config is everything goecho is told. The flags are eventhost serve's that
// concern the host, with the same defaults.
type config struct {
	addr            string
	timeout         time.Duration
	shutdownTimeout time.Duration
	maxMessage      cli.ByteSize
	maxInflight     int
	sendBuffer      int
	allowOrigins    cli.List
	logFormat       string
	logLevel        slog.Level
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{maxMessage: host.DefaultMaxMessage}
	fs := flag.NewFlagSet("goecho", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: goecho [flags]\n\nServes eventhost's WebSocket protocol with a Go handler that echoes every request's data.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", DefaultAddr, "address to listen on")
	fs.DurationVar(&cfg.timeout, "timeout", host.DefaultCallTimeout, "time limit of each call, from arrival to reply")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 0, "on SIGINT/SIGTERM, how long calls in flight may finish (default: -timeout)")
	fs.Var(&cfg.maxMessage, "max-message", "largest frame accepted (bytes, or with KiB/MiB); larger closes the connection with 1009")
	fs.IntVar(&cfg.maxInflight, "max-inflight", host.DefaultMaxInflight, "requests one connection may have in flight; the excess is answered with overloaded")
	fs.IntVar(&cfg.sendBuffer, "send-buffer", host.DefaultSendBuffer, "outbound frames a connection may have queued before it is disconnected as a slow consumer")
	fs.Var(&cfg.allowOrigins, "allow-origin", "Origin accepted besides the server's own host (comma-separated or repeated; * for any)")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log format: text or json")
	fs.TextVar(&cfg.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, &cli.ExitError{Code: 0}
		}
		return cfg, &cli.ExitError{Code: 2}
	}
	switch {
	case fs.NArg() > 0:
		return cfg, &cli.ExitError{Code: 2, Msg: fmt.Sprintf("goecho: unexpected argument %q", fs.Arg(0))}
	case cfg.logFormat != "text" && cfg.logFormat != "json":
		return cfg, &cli.ExitError{Code: 2, Msg: fmt.Sprintf("goecho: -log-format must be text or json, not %q", cfg.logFormat)}
	case cfg.maxInflight < 1 || cfg.sendBuffer < 1 || cfg.timeout <= 0 || cfg.maxMessage < 1:
		return cfg, &cli.ExitError{Code: 2, Msg: "goecho: -max-inflight, -send-buffer, -timeout and -max-message must be positive"}
	}
	if cfg.shutdownTimeout <= 0 {
		cfg.shutdownTimeout = cfg.timeout
	}
	return cfg, nil
}

// echo answers every call with its own data: JSON text as a text reply
// (null when absent), a binary payload as a binary reply.
func echo(_ context.Context, c *host.Call) (host.Reply, error) {
	return host.Reply{Data: c.Data, Binary: c.Binary}, nil
}

// serve runs the server until ctx ends, then shuts it down gracefully, as
// eventhost serve does. ready, when set, is told the address it listens on.
func serve(ctx context.Context, cfg config, logw io.Writer, ready func(addr string)) error {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	var log *slog.Logger
	if cfg.logFormat == "json" {
		log = slog.New(slog.NewJSONHandler(logw, opts))
	} else {
		log = slog.New(slog.NewTextHandler(logw, opts))
	}
	srv := host.New(host.HandlerFunc(echo), host.Config{
		CallTimeout:  cfg.timeout,
		MaxMessage:   int64(cfg.maxMessage),
		MaxInflight:  cfg.maxInflight,
		SendBuffer:   cfg.sendBuffer,
		AllowOrigins: cfg.allowOrigins,
		Status:       func() any { return map[string]any{"handler": "go echo"} },
		Logger:       log,
	})
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "handler", "go echo", "timeout", cfg.timeout,
		"max_message", int64(cfg.maxMessage), "max_inflight", cfg.maxInflight)
	if ready != nil {
		ready(ln.Addr().String())
	}

	return srv.Serve(ctx, ln, cfg.shutdownTimeout)
}
