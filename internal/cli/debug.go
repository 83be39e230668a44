package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// StartDebug serves Go's runtime profiles (net/http/pprof, under
// /debug/pprof/) on -debug-addr, a listener of their own that the public
// address never exposes. Without -debug-addr it does nothing. stop closes
// the listener and waits for its server to end.
func (h *HostFlags) StartDebug(log *slog.Logger) (stop func(), err error) {
	if h.DebugAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", h.DebugAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on -debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Warn("debug listener", "error", err)
		}
	}()
	log.Info("debug listening", "addr", ln.Addr().String(), "profiles", "/debug/pprof/")
	return func() {
		_ = srv.Close()
		<-done
	}, nil
}
