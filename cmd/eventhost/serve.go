package main

import (
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eventhost/eventhost/internal/cli"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/httpapi"
	"github.com/eventhost/eventhost/host/socketio"
	"github.com/eventhost/eventhost/metrics"
	"github.com/eventhost/eventhost/runtime/bundle"
	"github.com/eventhost/eventhost/runtime/engine"
	"github.com/eventhost/eventhost/runtime/fetch"
)

// serveConfig is everything the serve command is told.
type serveConfig struct {
	cli.HostFlags
	scripts      string
	mode         string
	pool         int
	queue        int
	watch        bool
	jwtSecret    string
	jwtPublicKey string
	db           dbConfig

	fetchTimeout     time.Duration
	fetchMaxBody     cli.ByteSize
	fetchMaxInflight int
	fetchAllow       string // comma-separated

	ui          bool   // serve the page to try events at GET /
	metricsAddr string // Prometheus /metrics on a listener of its own; off when empty

	cluster clusterConfig // -nats-url and the HTTP API
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("eventhost serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs, ":8080")
	fs.StringVar(&cfg.scripts, "scripts", "./scripts", "folder of the handler modules")
	fs.StringVar(&cfg.mode, "mode", string(engine.DefaultMode), "eval mode: preload (evaluate each module once per VM) or reeval (evaluate the handler's module on every call)")
	fs.IntVar(&cfg.pool, "pool", runtime.NumCPU(), "number of JS VMs")
	fs.IntVar(&cfg.queue, "queue", engine.DefaultQueueSize, "calls that may wait for a VM; beyond it calls are answered with overloaded")
	fs.StringVar(&cfg.jwtSecret, "jwt-secret", "", "HMAC secret (HS256/384/512): every connection must present a valid JWT")
	fs.StringVar(&cfg.jwtPublicKey, "jwt-public-key", "", "PEM file of an RSA (RS256) or EC P-256 (ES256) public key: every connection must present a valid JWT")
	cfg.fetchMaxBody = engine.DefaultFetchMaxBody
	fs.DurationVar(&cfg.fetchTimeout, "fetch-timeout", engine.DefaultFetchTimeout, "bound of one fetch from a script (the call's deadline bounds it too)")
	fs.Var(&cfg.fetchMaxBody, "fetch-max-body", "largest response body a fetch reads (bytes, or with KiB/MiB); larger rejects the fetch")
	fs.IntVar(&cfg.fetchMaxInflight, "fetch-max-inflight", engine.DefaultFetchMaxInflight, "fetches in flight server-wide; more wait for a slot")
	fs.StringVar(&cfg.fetchAllow, "fetch-allow", "", "comma-separated hosts (*.example.com for subdomains), host:port pairs and CIDRs fetch may reach; empty allows all")
	fs.BoolVar(&cfg.watch, "watch", true, "rebuild and serve the new code when scripts/, package.json or the imported node_modules change (-watch=false in production)")
	cfg.db.register(fs)
	fs.BoolVar(&cfg.ui, "ui", true, "serve a page to try events at GET / (and the route table at GET /api/routes)")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", "", "address of a separate listener for Prometheus metrics (/metrics); off when empty")
	cfg.cluster.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, &cli.ExitError{Code: 0}
		}
		return cfg, &cli.ExitError{Code: 2}
	}
	if fs.NArg() > 0 {
		return cfg, &cli.ExitError{Code: 2, Msg: fmt.Sprintf("eventhost serve: unexpected argument %q", fs.Arg(0))}
	}
	if err := applyEnv(fs, getenv); err != nil {
		return cfg, &cli.ExitError{Code: 2, Msg: "eventhost serve: " + err.Error()}
	}
	if cfg.mode != string(engine.ModePreload) && cfg.mode != string(engine.ModeReeval) {
		return cfg, &cli.ExitError{Code: 2, Msg: fmt.Sprintf("eventhost serve: -mode must be preload or reeval, not %q", cfg.mode)}
	}
	if cfg.pool < 1 || cfg.queue < 1 {
		return cfg, &cli.ExitError{Code: 2, Msg: "eventhost serve: -pool and -queue must be positive"}
	}
	if err := cfg.db.check(); err != nil {
		return cfg, &cli.ExitError{Code: 2, Msg: "eventhost serve: " + err.Error()}
	}
	if cfg.fetchTimeout <= 0 || cfg.fetchMaxBody < 1 || cfg.fetchMaxInflight < 1 {
		return cfg, &cli.ExitError{Code: 2, Msg: "eventhost serve: -fetch-timeout, -fetch-max-body and -fetch-max-inflight must be positive"}
	}
	if err := fetch.CheckAllow(cfg.fetchAllowList()); err != nil {
		return cfg, &cli.ExitError{Code: 2, Msg: "eventhost serve: -fetch-allow: " + err.Error()}
	}
	if err := cfg.Check(); err != nil {
		return cfg, &cli.ExitError{Code: 2, Msg: "eventhost serve: " + err.Error()}
	}
	cfg.scripts = resolveScripts(cfg.scripts)
	return cfg, nil
}

// fetchAllowList splits -fetch-allow into its entries.
func (cfg serveConfig) fetchAllowList() []string {
	var list []string
	for _, e := range strings.Split(cfg.fetchAllow, ",") {
		if e = strings.TrimSpace(e); e != "" {
			list = append(list, e)
		}
	}
	return list
}

// resolveScripts returns the scripts folder with symbolic links resolved:
// walking a folder and watching it do not follow a link at its root. A
// path that does not resolve is kept, for the build to report.
func resolveScripts(dir string) string {
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		return resolved
	}
	return dir
}

// serve runs the server until ctx ends, then shuts it down gracefully.
// ready, when set, is told the address it listens on.
func serve(ctx context.Context, cfg serveConfig, logw io.Writer, ready func(addr string)) error {
	log := cfg.Logger(logw)
	var publicKey crypto.PublicKey
	if cfg.jwtPublicKey != "" {
		pem, err := os.ReadFile(cfg.jwtPublicKey)
		if err != nil {
			return fmt.Errorf("-jwt-public-key: %w", err)
		}
		if publicKey, err = host.ParsePublicKeyPEM(pem); err != nil {
			return fmt.Errorf("-jwt-public-key %s: %w", cfg.jwtPublicKey, err)
		}
	}
	// Opened before the engine, closed after it (defers run in reverse).
	database, err := openDatabase(ctx, cfg.db, log)
	if err != nil {
		return &cli.ExitError{Code: 1, Msg: "eventhost: " + err.Error()}
	}
	defer func() {
		if err := database.Close(); err != nil {
			log.Warn("shutdown: closing the database", "error", err)
		}
	}()
	hub := &serverHub{}
	// Made before the engine (it hears each call's wait for a VM, and the
	// scripts' fetches and database calls); what it reads at a scrape is set
	// below as it is made.
	var mx *metrics.Metrics
	var mxSrc metricsSources
	if cfg.metricsAddr != "" {
		mx = newMetrics(&mxSrc)
	}
	obs := observers(mx)
	eng, err := engine.New(ctx, engine.Config{
		DB:          sqlDatabase{database},
		BeforeBuild: migrator(database, cfg.scripts, log),
		Dir:         cfg.scripts,
		Mode:        engine.Mode(cfg.mode),
		PoolSize:    cfg.pool,
		QueueSize:   cfg.queue,
		Logger:      log,
		Hub:         hub,
		HookTimeout: cfg.Timeout,

		FetchTimeout:     cfg.fetchTimeout,
		FetchMaxBody:     int64(cfg.fetchMaxBody),
		FetchMaxInflight: cfg.fetchMaxInflight,
		FetchAllow:       cfg.fetchAllowList(),
		QueueWait:        obs.queueWait,
		ObserveFetch:     obs.fetch,
		ObserveDB:        obs.db,
	})
	if err != nil {
		var be *bundle.Error
		if errors.As(err, &be) {
			for _, m := range be.Messages {
				log.Error("build error: " + m.String())
			}
			return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("eventhost: %s does not build:\n%s", cfg.scripts, be.Error())}
		}
		var me *migrationError
		if errors.As(err, &me) {
			log.Error("migration failed", "error", me.Error())
			return &cli.ExitError{Code: 1, Msg: "eventhost: a migration failed, not starting: " + me.Error()}
		}
		return fmt.Errorf("start engine: %w", err)
	}
	defer eng.Close()
	gen := eng.Current()
	for _, r := range eng.Routes() {
		log.Info("route", "event", r.Event, "file", r.File, "export", r.Export)
	}
	log.Info("scripts built", "dir", cfg.scripts, "modules", gen.Modules, "routes", gen.Routes, "build_time", gen.Duration.Round(time.Millisecond))

	var reload *reloader
	if cfg.watch {
		if reload, err = newReloader(eng, cfg.scripts, log); err != nil {
			return err
		}
	}

	var jwtSecret []byte
	if cfg.jwtSecret != "" {
		jwtSecret = []byte(cfg.jwtSecret)
	}
	hostCfg := cfg.Config(log)
	hostCfg.JWTSecret = jwtSecret
	hostCfg.JWTPublicKey = publicKey
	hostCfg.Hooks = jsHooks{eng}
	hostCfg.Status = func() any { return status(eng, cfg.watch) }
	if mx != nil {
		hostCfg.Observer = mx
	}
	srv := host.New(jsHandler{eng}, hostCfg)
	hub.srv.Store(srv)
	sioCfg := cfg.SocketIOConfig(log)
	sioCfg.Namespace = func(ns string) bool { return hasNamespace(eng, ns) }
	sioCfg.HasRoute = eng.HasRoute
	sio := cli.MountSocketIO(srv, sioCfg)
	if cfg.ui {
		mountUI(srv, eng, cfg.scripts, cfg.watch, jwtSecret != nil || publicKey != nil)
	}
	httpapi.Mount(srv, cfg.cluster.apiToken, log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	node, err := joinCluster(ctx, cfg.cluster, srv, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if node != nil {
		// Left after the connections have closed (defers run in reverse):
		// the others drop this node from their counts at once.
		defer func() {
			if err := node.Close(); err != nil {
				log.Warn("shutdown: leaving the cluster", "error", err)
			}
		}()
	}
	if mx != nil {
		mxSrc.eng, mxSrc.srv, mxSrc.sio, mxSrc.node = eng, srv, sio, node
		_, stopMetrics, err := cli.StartMetrics(cfg.metricsAddr, mx.Handler(), log)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stopMetrics()
	}
	stopDebug, err := cfg.StartDebug(log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopDebug()
	watchCtx, stopWatching := context.WithCancel(ctx)
	watched := make(chan error, 1)
	if reload != nil {
		go func() { watched <- reload.run(watchCtx) }()
	} else {
		watched <- nil
	}
	defer func() {
		stopWatching()
		if err := <-watched; err != nil {
			log.Warn("watch", "error", err)
		}
	}()
	log.Info("listening", "addr", ln.Addr().String(), "mode", cfg.mode, "pool", cfg.pool, "timeout", cfg.Timeout,
		"max_message", int64(cfg.MaxMessage), "max_inflight", cfg.MaxInflight, "watch", cfg.watch,
		"jwt", jwtSecret != nil || publicKey != nil, "cluster", cfg.cluster.natsURL != "", "http_api", cfg.cluster.apiToken != "")
	if cfg.ui {
		log.Info("try events in a browser", "url", pageURL(ln.Addr().String()))
	}
	if ready != nil {
		ready(ln.Addr().String())
	}

	err = srv.Serve(ctx, ln, cfg.ShutdownTimeout)
	// Every connection has ended and started its disconnect hook: let the
	// hooks finish before the engine closes, within one more -timeout.
	hooksCtx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	defer cancel()
	if werr := eng.WaitHooks(hooksCtx); werr != nil {
		log.Warn("shutdown: disconnect hooks still running were cut", "error", werr)
	}
	return err
}

// hasNamespace reports whether Socket.IO namespace ns is served: "/x" is
// when scripts/x/ holds routes.
func hasNamespace(eng *engine.Engine, ns string) bool {
	prefix := socketio.EventPrefix(ns)
	if prefix == "" || prefix == "." {
		return true
	}
	for _, r := range eng.Routes() {
		if strings.HasPrefix(r.Event, prefix) {
			return true
		}
	}
	return false
}

// status is what GET /healthz reports of the scripts.
func status(eng *engine.Engine, watching bool) any {
	g := eng.Current()
	var lastError any
	if f := eng.LastFailure(); f != nil {
		lastError = map[string]any{"message": f.Err.Error(), "at": f.At.UTC().Format(time.RFC3339Nano)}
	}
	return map[string]any{
		"watching":   watching,
		"last_error": lastError,
		"mode":       eng.Mode(),
		"generation": g.ID,
		"built":      g.Built.UTC().Format(time.RFC3339Nano),
		"build_time": g.Duration.String(),
		"modules":    g.Modules,
		"routes":     g.Routes,
		"pool":       eng.Stats(),
	}
}

// jsHandler lets the engine serve the host's calls.
type jsHandler struct{ eng *engine.Engine }

// Call hands a host call to the engine.
func (h jsHandler) Call(ctx context.Context, c *host.Call) {
	h.eng.Call(ctx, &engine.Request{
		Event:       c.Event,
		Data:        c.Data,
		Binary:      c.Binary,
		Rest:        c.Rest,
		Attachments: c.Attachments,
		Socket:      connSocket{c.Conn},
		Started:     c.Started,
		Done:        func(r engine.Result, err error) { c.Done(host.Payload(r), err) },
	})
}

// jsHooks runs the scripts' connection hooks for the host.
type jsHooks struct{ eng *engine.Engine }

// Connect runs the connect hook with the handshake.
func (h jsHooks) Connect(ctx context.Context, hs *host.Handshake) ([]byte, error) {
	return h.eng.Connect(ctx, hs.JSON())
}

// Connected runs the connected hook of a connection that has opened.
func (h jsHooks) Connected(c *host.Conn, started func()) { h.eng.Connected(connSocket{c}, started) }

// Disconnect runs the disconnect hook.
func (h jsHooks) Disconnect(c *host.Conn, reason string) { h.eng.Disconnect(connSocket{c}, reason) }

// connSocket is a host connection as the engine's Socket.
type connSocket struct{ *host.Conn }

// Handshake returns the handshake as JSON text.
func (s connSocket) Handshake() []byte { return s.Conn.Handshake().JSON() }

// Emit pushes to the connection.
func (s connSocket) Emit(event string, p engine.Payload) error {
	return s.Conn.Emit(event, host.Payload(p))
}

// serverHub is the host server as the engine's Hub. The server is made after
// the engine (it needs the engine as its handler), so it is set later; until
// then, messages reach nobody.
type serverHub struct{ srv atomic.Pointer[host.Server] }

// EmitTarget pushes to t's connections on every node. The Broker's error
// (the other nodes will not get the push) is dropped here: the Broker
// counts and logs it, and this node's delivery does not depend on it.
func (h *serverHub) EmitTarget(t engine.Target, event string, p engine.Payload) int {
	if s := h.srv.Load(); s != nil {
		n, _ := s.EmitTarget(host.Target(t), event, host.Payload(p))
		return n
	}
	return 0
}

// Count counts t's connections on every node.
func (h *serverHub) Count(ctx context.Context, t engine.Target) (engine.RoomCount, error) {
	if s := h.srv.Load(); s != nil {
		rc, err := s.Count(ctx, host.Target(t))
		return engine.RoomCount(rc), err
	}
	return engine.RoomCount{Nodes: 1}, nil
}
