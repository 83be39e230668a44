package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
)

func TestRunEcho(t *testing.T) {
	t.Parallel()
	url := startServer(t, echo, host.Config{})
	res := runLoad(t, Config{URL: url, Connections: 2, InFlight: 4, Duration: 200 * time.Millisecond, Grace: time.Second})
	if res.Sent == 0 || res.OK != res.Sent || res.Lost != 0 || len(res.Errors) != 0 {
		t.Fatalf("sent %d ok %d lost %d errors %v: want every request answered", res.Sent, res.OK, res.Lost, res.Errors)
	}
	if !res.Success() || res.ConnectErrors != 0 || res.Disconnects != 0 || res.Unexpected != 0 || res.Interrupted {
		t.Errorf("result %+v: want a clean success", res)
	}
	if res.Elapsed < 200*time.Millisecond || res.MsgsPerSecond() <= 0 {
		t.Errorf("elapsed %s, %.1f msgs/s: want at least the duration and a positive rate", res.Elapsed, res.MsgsPerSecond())
	}
	checkLatency(t, res.Latency)
}

// TestRunCount: -n sends exactly n requests over all connections.
func TestRunCount(t *testing.T) {
	t.Parallel()
	h := &counting{}
	url := startServer(t, h, host.Config{})
	res := runLoad(t, Config{URL: url, Connections: 4, InFlight: 8, Requests: 1000, Grace: 5 * time.Second})
	if res.Sent != 1000 || res.OK != 1000 || res.Lost != 0 || !res.Success() {
		t.Fatalf("sent %d ok %d lost %d errors %v: want exactly 1000 sent and answered", res.Sent, res.OK, res.Lost, res.Errors)
	}
	if n := h.calls.Load(); n != 1000 {
		t.Errorf("the server got %d calls, want 1000", n)
	}
	checkLatency(t, res.Latency)
}

func TestRunErrorReplies(t *testing.T) {
	t.Parallel()
	h := &failing{}
	url := startServer(t, h, host.Config{})
	res := runLoad(t, Config{URL: url, Connections: 2, InFlight: 4, Requests: 300, Grace: 5 * time.Second})
	if res.Errors["teapot"] != h.failed.Load() || len(res.Errors) != 1 {
		t.Errorf("errors %v, want teapot: %d", res.Errors, h.failed.Load())
	}
	if res.OK+res.Errors["teapot"] != res.Sent || res.Lost != 0 || res.Sent != 300 {
		t.Errorf("sent %d ok %d errors %v lost %d: want 300 answered", res.Sent, res.OK, res.Errors, res.Lost)
	}
	if res.Success() {
		t.Error("Success with error replies")
	}
}

// TestRunLostReplies: requests the handler never answers are lost after the
// grace period, and the rest still count.
func TestRunLostReplies(t *testing.T) {
	t.Parallel()
	h := &silent{}
	url := startServer(t, h, host.Config{CallTimeout: time.Hour})
	res := runLoad(t, Config{URL: url, Connections: 2, InFlight: 4, Duration: 300 * time.Millisecond, Grace: 2 * time.Second})
	if res.Lost == 0 || res.Lost != h.unanswered.Load() {
		t.Errorf("lost %d, want the %d calls never answered", res.Lost, h.unanswered.Load())
	}
	if res.OK+res.Lost != res.Sent || res.Success() {
		t.Errorf("sent %d ok %d lost %d success %v", res.Sent, res.OK, res.Lost, res.Success())
	}
}

// TestRunStall: a connection whose only request is never answered stops
// sending after the grace period instead of waiting for the whole run.
func TestRunStall(t *testing.T) {
	t.Parallel()
	h := &silent{}
	url := startServer(t, h, host.Config{CallTimeout: time.Hour})
	res := runLoad(t, Config{URL: url, Requests: 1000, Grace: time.Second})
	if res.Stalled != 1 || res.Sent != 10 || res.OK != 9 || res.Lost != 1 {
		t.Errorf("stalled %d sent %d ok %d lost %d: want one stalled connection after the tenth request", res.Stalled, res.Sent, res.OK, res.Lost)
	}
}

func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	url := startServer(t, echo, host.Config{})
	ctx, cancel := context.WithTimeout(testContext(t), 200*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, Config{URL: url, Connections: 2, InFlight: 2, Duration: time.Hour, Grace: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Sent == 0 || res.OK != res.Sent || !res.Success() {
		t.Errorf("interrupted %v sent %d ok %d lost %d: want the replies in flight counted", res.Interrupted, res.Sent, res.OK, res.Lost)
	}
}

// TestRunWarmup: requests of the warm-up reach the server but are not counted.
func TestRunWarmup(t *testing.T) {
	t.Parallel()
	h := &counting{}
	url := startServer(t, h, host.Config{})
	res := runLoad(t, Config{URL: url, InFlight: 2, Warmup: 100 * time.Millisecond, Duration: 100 * time.Millisecond, Grace: 5 * time.Second})
	if res.WarmupSent == 0 || res.Sent == 0 || res.OK != res.Sent || !res.Success() {
		t.Errorf("warm-up %d sent %d ok %d: want both phases, the measured one answered", res.WarmupSent, res.Sent, res.OK)
	}
	if n := h.calls.Load(); n != res.Sent+res.WarmupSent {
		t.Errorf("server got %d calls, want %d + %d", n, res.Sent, res.WarmupSent)
	}
}

func TestRunPushesIgnored(t *testing.T) {
	t.Parallel()
	url := startServer(t, pushing, host.Config{})
	res := runLoad(t, Config{URL: url, InFlight: 4, Requests: 200, Grace: 5 * time.Second})
	if res.OK != 200 || res.Pushes != 200 || !res.Success() || res.Unexpected != 0 {
		t.Errorf("ok %d pushes %d unexpected %d: want 200 of each", res.OK, res.Pushes, res.Unexpected)
	}
}

func TestRunDisconnect(t *testing.T) {
	t.Parallel()
	h := &closing{}
	url := startServer(t, h, host.Config{})
	res := runLoad(t, Config{URL: url, Connections: 1, InFlight: 1, Duration: 5 * time.Second, Grace: time.Second})
	if res.Disconnects != 1 || res.Disconnect == nil || res.Success() {
		t.Errorf("disconnects %d (%v), success %v: want the server's close reported", res.Disconnects, res.Disconnect, res.Success())
	}
	if res.Elapsed >= 5*time.Second {
		t.Errorf("elapsed %s: the run should end with its only connection", res.Elapsed)
	}
}

func TestRunConnectError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res := runLoad(t, Config{URL: "ws://" + addr + "/ws", Connections: 3, Duration: 50 * time.Millisecond})
	if res.ConnectErrors != 3 || res.ConnectError == nil || res.Sent != 0 || res.Success() {
		t.Errorf("connect errors %d (%v) sent %d: want 3 failed connections", res.ConnectErrors, res.ConnectError, res.Sent)
	}
}

func TestRunInvalidConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"bad data", Config{Data: []byte(`{x`)}},
		{"http url", Config{URL: "http://127.0.0.1/ws"}},
		{"negative connections", Config{Connections: -1}},
		{"negative grace", Config{Grace: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Run(t.Context(), tc.cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}
