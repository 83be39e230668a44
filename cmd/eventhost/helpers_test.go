package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
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

// frame is one frame a client received.
type frame struct {
	binary  bool
	raw     []byte
	id      string // raw JSON of the id, "" when absent
	event   string
	data    json.RawMessage
	err     *struct{ Code, Message string }
	payload []byte
}

// client is a real WebSocket client with a reader goroutine that stops when
// the connection closes.
type client struct {
	t      testing.TB
	conn   *websocket.Conn
	frames chan frame
	closed chan error // the read error that ended the connection
	nextID atomic.Int64
	wmu    sync.Mutex
}

func dial(t testing.TB, url string) *client {
	t.Helper()
	c, _, err := dialHeader(t, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return c
}

func dialHeader(t testing.TB, url string, h http.Header) (*client, *http.Response, error) {
	conn, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		return nil, resp, err
	}
	c := &client{t: t, conn: conn, frames: make(chan frame, 100000), closed: make(chan error, 1)}
	go c.read()
	t.Cleanup(func() { conn.Close() })
	return c, resp, nil
}

func (c *client) read() {
	for {
		kind, msg, err := c.conn.ReadMessage()
		if err != nil {
			c.closed <- err
			close(c.frames)
			return
		}
		f := frame{binary: kind == websocket.BinaryMessage, raw: msg}
		if f.binary {
			var env struct {
				ID    json.RawMessage `json:"id"`
				Event string          `json:"event"`
			}
			n := int(binary.BigEndian.Uint32(msg))
			if err := json.Unmarshal(msg[4:4+n], &env); err != nil {
				c.t.Errorf("undecodable binary frame %x: %v", msg, err)
			}
			f.id, f.event, f.payload = string(env.ID), env.Event, msg[4+n:]
		} else {
			var m struct {
				ID    json.RawMessage                 `json:"id"`
				Event string                          `json:"event"`
				Data  json.RawMessage                 `json:"data"`
				Error *struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(msg, &m); err != nil {
				c.t.Errorf("unparsable frame %q: %v", msg, err)
			}
			f.id, f.event, f.data, f.err = string(m.ID), m.Event, m.Data, m.Error
		}
		c.frames <- f
	}
}

// send writes a text frame.
func (c *client) send(frame string) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) sendBinary(b []byte) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.conn.WriteMessage(websocket.BinaryMessage, b); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// request sends event with data (JSON text, "" for none) and returns its id.
func (c *client) request(event, data string) string {
	c.t.Helper()
	id := fmt.Sprint(c.nextID.Add(1))
	msg := `{"event":` + string(protocol.AppendString(nil, event)) + `,"id":` + id
	if data != "" {
		msg += `,"data":` + data
	}
	c.send(msg + "}")
	return id
}

// next returns the next frame.
func (c *client) next() frame {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.t.Fatalf("connection closed while waiting for a frame: %v", <-c.closedErr())
		}
		return f
	case <-time.After(safety):
		c.t.Fatalf("no frame within %s", safety)
	}
	return frame{}
}

func (c *client) closedErr() chan error {
	ch := make(chan error, 1)
	select {
	case err := <-c.closed:
		ch <- err
	default:
		ch <- nil
	}
	return ch
}

// reply waits for the reply to id, collecting the pushes before it.
func (c *client) reply(id string) (frame, []frame) {
	c.t.Helper()
	var pushes []frame
	for {
		f := c.next()
		if f.id == id {
			return f, pushes
		}
		if f.id != "" {
			c.t.Fatalf("reply to %s while waiting for %s: %s", f.id, id, f.raw)
		}
		pushes = append(pushes, f)
	}
}

// call sends a request and returns its reply.
func (c *client) call(event, data string) frame {
	c.t.Helper()
	f, _ := c.reply(c.request(event, data))
	return f
}

// ok calls and expects a successful reply with the given JSON data.
func (c *client) ok(event, data, want string) {
	c.t.Helper()
	f := c.call(event, data)
	if f.err != nil {
		c.t.Fatalf("%s %s: error %s: %s", event, data, f.err.Code, f.err.Message)
	}
	if got := string(f.data); !jsonEqual(got, want) {
		c.t.Fatalf("%s %s: data %s, want %s", event, data, got, want)
	}
}

// fails calls and expects an error reply with code.
func (c *client) fails(event, data, code string) string {
	c.t.Helper()
	f := c.call(event, data)
	if f.err == nil {
		c.t.Fatalf("%s %s: got data %s, want error %s", event, data, f.data, code)
	}
	if f.err.Code != code {
		c.t.Fatalf("%s %s: error %s (%s), want %s", event, data, f.err.Code, f.err.Message, code)
	}
	return f.err.Message
}

// waitClose waits for the connection to end and returns the close error.
func (c *client) waitClose() error {
	c.t.Helper()
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				return <-c.closed
			}
		case <-time.After(safety):
			c.t.Fatalf("connection not closed within %s", safety)
		}
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

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
func isClose(err error, code int, reason string) bool {
	var ce *websocket.CloseError
	return errors.As(err, &ce) && ce.Code == code && ce.Text == reason
}
