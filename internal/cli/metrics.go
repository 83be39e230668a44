package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// StartMetrics serves h as GET /metrics on addr, a listener of its own that
// the public address never exposes (as -debug-addr is). It returns the
// address it listens on, and stop, which closes the listener and waits for
// its server to end.
func StartMetrics(addr string, h http.Handler, log *slog.Logger) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen on -metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Warn("metrics listener", "error", err)
		}
	}()
	bound = ln.Addr().String()
	log.Info("metrics listening", "addr", bound, "path", "/metrics")
	return bound, func() {
		_ = srv.Close()
		<-done
	}, nil
}
