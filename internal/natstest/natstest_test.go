package natstest_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/internal/natstest"
)

// TestStopRestart: the server accepts connections, refuses them while
// stopped, and accepts them again on the same port after Restart.
func TestStopRestart(t *testing.T) {
	s := natstest.Start(t)
	addr := strings.TrimPrefix(s.URL(), "nats://")
	dial := func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err
	}
	if err := dial(); err != nil {
		t.Fatalf("dial a running server: %v", err)
	}
	s.Stop()
	if err := dial(); err == nil {
		t.Fatal("a stopped server accepted a connection")
	}
	s.Stop() // twice is fine
	s.Restart(t)
	if err := dial(); err != nil {
		t.Fatalf("dial after restart: %v", err)
	}
}
