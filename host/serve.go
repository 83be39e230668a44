package host

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves HTTP on ln until ctx ends, then shuts down: it stops
// accepting, drains calls for up to grace (Shutdown), and returns nil. It
// returns early with the error if serving fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	httpSrv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("host: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", grace, "connections", s.Connections())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// The listener closes and plain HTTP requests in progress may finish
	// while the sockets drain, not before: net/http waits for connections
	// that are not idle, and one that stalls in its headers would otherwise
	// spend the whole grace period before draining began.
	httpDone := make(chan error, 1)
	go func() { httpDone <- httpSrv.Shutdown(shutdownCtx) }()
	if err := s.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("shutdown: connections cut after the grace period", "error", err)
	}
	cancel() // the sockets are closed: HTTP connections still open get no more time
	if err := <-httpDone; err != nil {
		s.log.Info("shutdown: closing the HTTP connections still open")
		_ = httpSrv.Close()
	}
	<-served // http.ErrServerClosed
	s.log.Info("stopped")
	return nil
}
