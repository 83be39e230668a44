package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/internal/wstest"
)

// modes are the eval modes every JS behaviour is tested in.
var modes = []string{"preload", "reeval"}

// safety bounds every wait in these tests so that a bug fails a test instead
// of hanging the suite. It is not a speed assertion.
const safety = 20 * time.Second

// syncBuffer is a log sink that tests can read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a real eventhost serving on a loopback port.
type testServer struct {
	addr string
	url  string
	logs *syncBuffer
	stop func() error
}

// startServer runs serve with the given flags (plus -addr 127.0.0.1:0, and
// -db with an SQLite file of its own unless args name one) until the test
// ends.
func startServer(t testing.TB, args ...string) *testServer {
	t.Helper()
	if !slices.Contains(args, "-db") {
		args = append([]string{"-db", filepath.Join(t.TempDir(), "eventhost.db")}, args...)
	}
	cfg, err := parseServeFlags(append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, logs, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v\nlogs:\n%s", err, logs)
	}
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(safety):
				stopErr = errors.New("server did not stop")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stopping the server: %v", err)
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", logs)
		}
	})
	return &testServer{addr: addr, url: "ws://" + addr + "/ws", logs: logs, stop: stop}
}

// frame is a wstest.Frame under the field names these tests use.
type frame struct {
	binary  bool
	raw     []byte
	id      string // raw JSON of the id, "" when absent
	event   string
	data    json.RawMessage
	err     *wstest.Error
	payload []byte
}

func view(f wstest.Frame) frame {
	return frame{binary: f.Binary, raw: f.Raw, id: f.ID, event: f.Event, data: f.Data, err: f.Error, payload: f.Payload}
}

func views(fs []wstest.Frame) []frame {
	var out []frame
	for _, f := range fs {
		out = append(out, view(f))
	}
	return out
}

// frameBuffer is how many frames a client queues: these tests send many
// requests before they read.
const frameBuffer = 100000

// client is a wstest.Client bound to its test, under the method names these
// tests use. Its methods fail t, so they belong on the test's goroutine.
type client struct {
	*wstest.Client
	t    testing.TB
	conn *websocket.Conn
}

func dial(t testing.TB, url string) *client {
	t.Helper()
	c, _, err := dialHeader(t, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return c
}

// dialHeader dials url with header h; a failed handshake is returned, with
// the server's answer when there was one.
func dialHeader(t testing.TB, url string, h http.Header) (*client, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: wstest.Timeout}
	conn, resp, err := d.Dial(url, h)
	if err != nil {
		return nil, resp, err
	}
	return &client{Client: wstest.New(t, conn, wstest.Options{Buffer: frameBuffer}), t: t, conn: conn}, resp, nil
}

// send writes a text frame.
func (c *client) send(frame string) {
	c.t.Helper()
	c.Send(c.t, frame)
}

// sendBinary writes a binary frame.
func (c *client) sendBinary(b []byte) {
	c.t.Helper()
	c.SendBinary(c.t, b)
}

// request sends event with data (JSON text, "" for none) and returns its id.
func (c *client) request(event, data string) string {
	c.t.Helper()
	return c.Request(c.t, event, data)
}

// next returns the next frame; one that does not decode is reported.
func (c *client) next() frame {
	c.t.Helper()
	f := c.Next(c.t)
	if err := wstest.DecodeErr(f); err != nil {
		c.t.Errorf("%v", err)
	}
	return view(f)
}

// reply waits for the reply to id, collecting the pushes before it.
func (c *client) reply(id string) (frame, []frame) {
	c.t.Helper()
	f, pushes := c.Reply(c.t, id)
	return view(f), views(pushes)
}

// call sends a request and returns its reply.
func (c *client) call(event, data string) frame {
	c.t.Helper()
	return view(c.Call(c.t, event, data))
}

// ok calls and expects a successful reply with the given JSON data.
func (c *client) ok(event, data, want string) {
	c.t.Helper()
	c.OK(c.t, event, data, want)
}

// fails calls and expects an error reply with code.
func (c *client) fails(event, data, code string) string {
	c.t.Helper()
	return c.Fails(c.t, event, data, code)
}

// waitClose waits for the connection to end and returns the close error.
func (c *client) waitClose() error {
	c.t.Helper()
	_, err := c.Closed(c.t)
	return err
}

func jsonEqual(a, b string) bool { return wstest.JSONEqual(a, b) }

// eventually polls cond until it holds or the safety bound passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, safety)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logsContain waits for the server log to contain every part.
func (s *testServer) logsContain(t testing.TB, parts ...string) {
	t.Helper()
	eventually(t, fmt.Sprintf("log containing %q", parts), func() bool {
		logs := s.logs.String()
		for _, p := range parts {
			if !strings.Contains(logs, p) {
				return false
			}
		}
		return true
	})
}

// isClose reports whether err is a close frame with code and reason.
func isClose(err error, code int, reason string) bool { return wstest.IsClose(err, code, reason) }
