package host

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host/protocol"
)

// goingAwayReason is the close reason of a server shutting down, with
// close code 1001 (going away).
const goingAwayReason = "server shutting down"

// goingAway is the close message of a server shutting down.
var goingAway = melody.FormatCloseMessage(websocket.CloseGoingAway, goingAwayReason)

// errShuttingDown answers the calls still open when the grace period ends.
var errShuttingDown = protocol.Errorf(protocol.CodeOverloaded, "server is shutting down")

// closeWait bounds the close handshakes after the grace period.
const closeWait = 2 * time.Second

// Shutdown drains the server: new requests are answered with overloaded,
// calls in flight may finish until ctx ends (those still open then are
// answered with overloaded; those of connections that have ended are
// answered at once), then every connection is closed with 1001
// (going away). It returns nil when every call finished in time and every
// connection went; an error wrapping ctx's when the grace period ended with
// calls open, or one saying how many connections were cut. Connections it
// closes end with ReasonServerShutdown, and their Hooks.Disconnect has run
// when it returns (unless a connection had to be cut and still did not end).
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.abortOrphanCalls()
	var errs []error
	if err := waitZero(ctx, &s.calls); err != nil {
		n := s.calls.Load()
		s.log.Warn("shutdown: grace period over: answering the calls still in flight", "calls", n)
		errs = append(errs, fmt.Errorf("host: shutdown: %d calls were in flight when the grace period ended: %w", n, err))
		s.abortCalls()
		_ = waitZero(context.Background(), &s.calls) // answered at once by abortCalls
	}
	s.liveMu.Lock()
	s.closing = true
	open := make([]*Conn, 0, len(s.live))
	for _, c := range s.live {
		c.setCloseReason(ReasonServerShutdown)
		open = append(open, c)
	}
	s.liveMu.Unlock()
	// Each close goes behind the frames queued before it, the answers of
	// the calls just aborted among them. melody's own close of every session
	// would overtake them.
	for _, c := range open {
		_ = c.tr.Close(websocket.CloseGoingAway, goingAwayReason)
	}
	defer func() { _ = s.melody.Close() }() // stops melody's hub; every session has ended or been cut
	closeCtx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	if waitZero(closeCtx, &s.conns) != nil {
		s.liveMu.Lock()
		errs = append(errs, fmt.Errorf("host: shutdown: %d connections did not close within %s and were cut", len(s.live), closeWait))
		for _, c := range s.live {
			c.tr.Cut()
		}
		s.liveMu.Unlock()
		// Cut connections end at once; let their Disconnect hooks run.
		cutCtx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		_ = waitZero(cutCtx, &s.conns)
	}
	s.closers.Wait()
	s.onShutdownMu.Lock()
	for _, f := range s.onShutdown {
		f()
	}
	s.onShutdownMu.Unlock()
	return errors.Join(errs...)
}

// abortOrphanCalls answers the calls in flight of connections that have
// ended: their answers cannot be delivered, so the drain does not wait for
// them.
func (s *Server) abortOrphanCalls() {
	s.orphansMu.Lock()
	orphans := make([]*Conn, 0, len(s.orphans))
	for c := range s.orphans {
		orphans = append(orphans, c)
	}
	s.orphansMu.Unlock()
	for _, c := range orphans {
		c.abortCalls()
	}
}

// abortCalls answers every call in flight with errShuttingDown and ends its
// context; calls dispatched from now on are answered the same way.
func (s *Server) abortCalls() {
	s.aborted.Store(true)
	var conns []*Conn
	s.liveMu.RLock()
	for _, c := range s.live {
		conns = append(conns, c)
	}
	s.liveMu.RUnlock()
	s.orphansMu.Lock()
	for c := range s.orphans {
		conns = append(conns, c)
	}
	s.orphansMu.Unlock()
	for _, c := range conns {
		c.abortCalls()
	}
}

// waitZero waits until n is zero or ctx ends. Shutdown is rare and short, so
// it polls rather than couple every call to a notification.
func waitZero(ctx context.Context, n *atomic.Int64) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for n.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
