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
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("shutdown: http server", "error", err)
	}
	if err := s.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("shutdown: connections cut after the grace period", "error", err)
	}
	<-served // http.ErrServerClosed
	s.log.Info("stopped")
	return nil
}
