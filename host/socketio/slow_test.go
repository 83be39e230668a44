package socketio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio"
)

// reasonHooks reports each connection's disconnect reason.
type reasonHooks struct{ reasons chan string }

func (reasonHooks) Connect(context.Context, *host.Handshake) ([]byte, error) { return nil, nil }
func (h reasonHooks) Disconnect(_ *host.Conn, reason string)                 { h.reasons <- reason }
func (reasonHooks) Connected(_ *host.Conn, started func())                   { started() }

// A WebSocket client that reads nothing while pushes pile up past the send
// buffer (melody's channel and the outbox together) is cut as a slow
// consumer.
func TestWebSocketSlowConsumer(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 1<<20)
	flood := host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
		for range 200 {
			if c.Conn.Emit("big", host.Payload{Data: []byte(`"` + big + `"`)}) != nil {
				break
			}
		}
		return host.Reply{}, nil
	})
	hooks := reasonHooks{reasons: make(chan string, 1)}
	ts, _ := newServer(t, flood, host.Config{Hooks: hooks}, socketio.Config{SendBuffer: 4})
	c := dialWS(t, ts, "")
	if open := c.next(); !strings.HasPrefix(open, `0{"sid":`) {
		t.Fatalf("open packet %q", open)
	}
	c.send("40")
	if got := c.next(); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("connect answer %q", got)
	}
	c.send(`42["flood"]`) // and read nothing more
	select {
	case reason := <-hooks.reasons:
		if reason != host.ReasonSlowConsumer {
			t.Fatalf("disconnect reason %q, want %q", reason, host.ReasonSlowConsumer)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the client that reads nothing was not disconnected")
	}
}
