package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"

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
	cli.HostFlags
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("goecho", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: goecho [flags]\n\nServes eventhost's WebSocket protocol with a Go handler that echoes every request's data.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	cfg.Register(fs, DefaultAddr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, &cli.ExitError{Code: 0}
		}
		return cfg, &cli.ExitError{Code: 2}
	}
	if fs.NArg() > 0 {
		return cfg, &cli.ExitError{Code: 2, Msg: fmt.Sprintf("goecho: unexpected argument %q", fs.Arg(0))}
	}
	if err := cfg.Check(); err != nil {
		return cfg, &cli.ExitError{Code: 2, Msg: "goecho: " + err.Error()}
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
	log := cfg.Logger(logw)
	hostCfg := cfg.Config(log)
	hostCfg.Status = func() any { return map[string]any{"handler": "go echo"} }
	srv := host.New(host.HandlerFunc(echo), hostCfg)
	cli.MountSocketIO(srv, cfg.SocketIOConfig(log)) // the same echo over Socket.IO, for side-by-side load
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	stopDebug, err := cfg.StartDebug(log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopDebug()
	log.Info("listening", "addr", ln.Addr().String(), "handler", "go echo", "timeout", cfg.Timeout,
		"max_message", int64(cfg.MaxMessage), "max_inflight", cfg.MaxInflight)
	if ready != nil {
		ready(ln.Addr().String())
	}

	return srv.Serve(ctx, ln, cfg.ShutdownTimeout)
}
