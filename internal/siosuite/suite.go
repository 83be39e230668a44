package siosuite

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The server settings the suite hard-codes.
const (
	// PingInterval is the ping interval the server must announce and use.
	PingInterval = 300 * time.Millisecond
	// PingTimeout is the ping timeout the server must announce and use.
	PingTimeout = 200 * time.Millisecond
	// MaxPayload is the maxPayload the server must announce.
	MaxPayload = 1000000
	// ConnectTimeout is how long the reference server waits for a first
	// CONNECT before it closes a connection; a server under test should
	// use about the same (the suite needs more than ~900 ms).
	ConnectTimeout = time.Second
)

// The deadlines of the subtests: mocha's default timeout, and the
// heartbeat describe's this.timeout(5000).
const (
	testTimeout      = 2 * time.Second
	heartbeatTimeout = 5 * time.Second
	// timerSlack is added to the one sleep of the suite that ends exactly
	// when the server's timer should fire (PingInterval + PingTimeout).
	timerSlack = 100 * time.Millisecond
)

// suite is what every subtest of one Run shares.
type suite struct {
	url    string // "http://host:port", without a trailing slash
	wsURL  string // the same with ws://
	client *http.Client
}

// Run runs the official Socket.IO v5 test suite against the server at
// baseURL ("http://127.0.0.1:PORT", the URL the JavaScript suite hard-codes
// as http://localhost:3000), whose endpoint is baseURL + "/socket.io/".
//
// The subtests of each of the suite's two top-level describes run in
// parallel with each other; Run returns when all have finished.
func Run(t *testing.T, baseURL string) {
	t.Helper()
	base := strings.TrimSuffix(baseURL, "/")
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	s := &suite{
		url:    base,
		wsURL:  "ws" + strings.TrimPrefix(base, "http"),
		client: &http.Client{Transport: tr},
	}
	t.Run("Engine.IO protocol", s.engineIO)
	t.Run("Socket.IO protocol", s.socketIO)
}

// describe runs fn as a group of subtests named title, in parallel with its
// sibling groups.
func describe(t *testing.T, title string, fn func(t *testing.T)) {
	t.Helper()
	t.Run(title, func(t *testing.T) {
		t.Parallel()
		fn(t)
	})
}

// it runs one test of the suite as a parallel subtest named title, bounded
// by timeout.
func (s *suite) it(t *testing.T, title string, timeout time.Duration, fn func(c *tc)) {
	t.Helper()
	t.Run(title, func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		t.Cleanup(cancel)
		fn(&tc{T: t, ctx: ctx, s: s})
	})
}

// tc is one running test: its testing.T, its deadline and the suite.
type tc struct {
	*testing.T
	ctx context.Context
	s   *suite
}

// sleep waits for d, the suite's sleep(delay), failing if the test's
// deadline comes first.
func (c *tc) sleep(d time.Duration) {
	c.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-c.ctx.Done():
		c.Fatalf("sleep(%v): %v", d, context.Cause(c.ctx))
	}
}
