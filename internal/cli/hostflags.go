package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio"
)

// HostFlags are the flags of the network side and the log, shared by every
// command that serves eventhost's protocol (eventhost serve, goecho), with
// the same names and defaults.
type HostFlags struct {
	Addr            string
	Timeout         time.Duration
	ShutdownTimeout time.Duration
	MaxMessage      ByteSize
	MaxInflight     int
	SendBuffer      int
	AllowOrigins    List
	LogFormat       string
	LogLevel        slog.Level
	DebugAddr       string

	SIOPingInterval   time.Duration
	SIOPingTimeout    time.Duration
	SIOConnectTimeout time.Duration
}

// Register defines the flags on fs, with defaultAddr as -addr's default.
func (h *HostFlags) Register(fs *flag.FlagSet, defaultAddr string) {
	h.MaxMessage = host.DefaultMaxMessage
	fs.StringVar(&h.Addr, "addr", defaultAddr, "address to listen on")
	fs.DurationVar(&h.Timeout, "timeout", host.DefaultCallTimeout, "time limit of each call, from arrival to reply")
	fs.DurationVar(&h.ShutdownTimeout, "shutdown-timeout", 0, "on SIGINT/SIGTERM, how long calls in flight may finish (default: -timeout)")
	fs.Var(&h.MaxMessage, "max-message", "largest frame accepted (bytes, or with KiB/MiB); larger closes the connection with 1009")
	fs.IntVar(&h.MaxInflight, "max-inflight", host.DefaultMaxInflight, "requests one connection may have in flight; the excess is answered with overloaded")
	fs.IntVar(&h.SendBuffer, "send-buffer", host.DefaultSendBuffer, "outbound frames a connection may have queued before it is disconnected as a slow consumer")
	fs.Var(&h.AllowOrigins, "allow-origin", "Origin accepted besides the server's own host (comma-separated or repeated; * for any)")
	fs.StringVar(&h.LogFormat, "log-format", "text", "log format: text or json")
	fs.TextVar(&h.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.StringVar(&h.DebugAddr, "debug-addr", "", "address of a separate listener for Go's profiles (/debug/pprof/); off when empty; keep it on loopback")
	fs.DurationVar(&h.SIOPingInterval, "sio-ping-interval", socketio.DefaultPingInterval, "Socket.IO: how often the server pings each client")
	fs.DurationVar(&h.SIOPingTimeout, "sio-ping-timeout", socketio.DefaultPingTimeout, "Socket.IO: how long a pong may take before the connection is closed")
	fs.DurationVar(&h.SIOConnectTimeout, "sio-connect-timeout", socketio.DefaultConnectTimeout, "Socket.IO: a connection that sends no CONNECT within it is closed")
}

// Check validates the values and fills ShutdownTimeout's default.
func (h *HostFlags) Check() error {
	switch {
	case h.LogFormat != "text" && h.LogFormat != "json":
		return fmt.Errorf("-log-format must be text or json, not %q", h.LogFormat)
	case h.MaxInflight < 1 || h.SendBuffer < 1 || h.Timeout <= 0 || h.MaxMessage < 1:
		return errors.New("-max-inflight, -send-buffer, -timeout and -max-message must be positive")
	case h.SIOPingInterval <= 0 || h.SIOPingTimeout <= 0 || h.SIOConnectTimeout <= 0:
		return errors.New("-sio-ping-interval, -sio-ping-timeout and -sio-connect-timeout must be positive")
	case h.SendBuffer <= h.MaxInflight:
		return fmt.Errorf("-send-buffer (%d) must be more than -max-inflight (%d): the answers to every call in flight, and a close after them, must fit", h.SendBuffer, h.MaxInflight)
	}
	if h.ShutdownTimeout <= 0 {
		h.ShutdownTimeout = h.Timeout
	}
	return nil
}

// Logger returns the log/slog logger the flags ask for, writing to w.
func (h *HostFlags) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: h.LogLevel}
	if h.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Config returns the host configuration the flags ask for; the caller adds
// what is its own (handler hooks, authentication, status).
func (h *HostFlags) Config(log *slog.Logger) host.Config {
	return host.Config{
		CallTimeout:  h.Timeout,
		MaxMessage:   int64(h.MaxMessage),
		MaxInflight:  h.MaxInflight,
		SendBuffer:   h.SendBuffer,
		AllowOrigins: h.AllowOrigins,
		Logger:       log,
	}
}

// SocketIOConfig returns the Socket.IO endpoint's configuration the flags
// ask for: its own heartbeat, and the host's limits (maxPayload is
// -max-message); the caller adds the namespaces and routes.
func (h *HostFlags) SocketIOConfig(log *slog.Logger) socketio.Config {
	return socketio.Config{
		PingInterval:   h.SIOPingInterval,
		PingTimeout:    h.SIOPingTimeout,
		ConnectTimeout: h.SIOConnectTimeout,
		MaxPayload:     int64(h.MaxMessage),
		SendBuffer:     h.SendBuffer,
		Logger:         log,
	}
}

// MountSocketIO serves Socket.IO beside srv's own endpoints, at /socket.io/
// with and without the trailing slash.
func MountSocketIO(srv *host.Server, cfg socketio.Config) *socketio.Server {
	sio := socketio.New(srv, cfg)
	srv.Handle("/socket.io/", sio)
	srv.Handle("/socket.io", sio)
	return sio
}
