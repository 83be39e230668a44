package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
)

// safety bounds every run in these tests so that a bug fails a test instead
// of hanging the suite. It is not a speed assertion.
const safety = 30 * time.Second

// startServer serves h behind host.New on a loopback port until the test
// ends and returns its WebSocket URL.
func startServer(t testing.TB, h host.Handler, cfg host.Config) string {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	ts := httptest.NewServer(host.New(h, cfg))
	t.Cleanup(ts.Close)
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
}

// testContext is bounded by safety and ends with the test.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), safety)
	t.Cleanup(cancel)
	return ctx
}

// runLoad calls Run and fails the test on an error.
func runLoad(t testing.TB, cfg Config) Result {
	t.Helper()
	res, err := Run(testContext(t), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// echo answers every call with its data.
var echo = host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
	return host.Reply{Data: c.Data, Binary: c.Binary}, nil
})

// counting echoes and counts the calls.
type counting struct{ calls atomic.Int64 }

func (h *counting) Call(ctx context.Context, c *host.Call) {
	h.calls.Add(1)
	echo.Call(ctx, c)
}

// codedError is a handler error with a wire code.
type codedError string

func (e codedError) Error() string     { return "failed on purpose" }
func (e codedError) ErrorCode() string { return string(e) }

// failing fails every third call with the code "teapot".
type failing struct{ calls, failed atomic.Int64 }

func (h *failing) Call(_ context.Context, c *host.Call) {
	if h.calls.Add(1)%3 == 0 {
		h.failed.Add(1)
		c.Done(host.Reply{}, codedError("teapot"))
	} else {
		c.Done(host.Reply{Data: c.Data}, nil)
	}
	c.Started()
}

// silent never answers every tenth call (it lets the connection's next
// request go, but never calls Done); it answers the others.
type silent struct{ calls, unanswered atomic.Int64 }

func (h *silent) Call(_ context.Context, c *host.Call) {
	c.Started()
	if h.calls.Add(1)%10 == 0 {
		h.unanswered.Add(1)
		return
	}
	c.Done(host.Reply{Data: c.Data}, nil)
}

// pushing pushes an event before each reply.
var pushing = host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
	_ = c.Conn.Emit("tick", host.Payload{Data: []byte(`{"n":1}`)})
	return host.Reply{Data: c.Data}, nil
})

// closing closes the connection on its fifth call.
type closing struct{ calls atomic.Int64 }

func (h *closing) Call(_ context.Context, c *host.Call) {
	if h.calls.Add(1) == 5 {
		_ = c.Conn.Close(4000, "bye")
	}
	c.Done(host.Reply{Data: c.Data}, nil)
	c.Started()
}

// checkLatency checks that the percentiles are positive and ordered.
func checkLatency(t testing.TB, l Latency) {
	t.Helper()
	if l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
		t.Errorf("latency %+v: want 0 < p50 <= p90 <= p99 <= max", l)
	}
}
