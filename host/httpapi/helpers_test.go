package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/httpapi"
	"github.com/eventhost/eventhost/internal/wstest"
)

// safety bounds every wait of the tests; it is not a speed assertion.
const safety = 10 * time.Second

// token is the API token of the servers under test.
const token = "test-token-0123456789abcdef"

var discard = slog.New(slog.DiscardHandler)

// rooms is the Handler of the servers under test: "hello" replies the
// connection's id, "join" joins the room named by its data (a string).
var rooms = host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
	switch call.Event {
	case "hello":
		id, _ := json.Marshal(call.Conn.ID())
		return host.Reply{Data: id}, nil
	case "join":
		var room string
		if err := json.Unmarshal(call.Data, &room); err != nil {
			return host.Reply{}, err
		}
		return host.Reply{}, call.Conn.Join(room)
	}
	return host.Reply{}, errors.New("unknown event " + call.Event)
})

// apiServer is a host.Server with the API mounted, on loopback.
type apiServer struct {
	*host.Server
	url   string // http://127.0.0.1:port
	wsURL string
}

// newAPIServer starts a Server with the API mounted under token; broker,
// when not nil, makes it a node of a cluster.
func newAPIServer(t testing.TB, token string, broker host.Broker) *apiServer {
	t.Helper()
	srv := host.New(rooms, host.Config{Logger: discard})
	if broker != nil {
		srv.UseBroker(broker)
	}
	httpapi.Mount(srv, token, discard)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &apiServer{Server: srv, url: ts.URL, wsURL: "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"}
}

// client is a WebSocket client with its socket id.
type client struct {
	*wstest.Client
	id string
}

// dial connects a client and joins it to rooms.
func (s *apiServer) dial(t testing.TB, rooms ...string) *client {
	t.Helper()
	c := wstest.Dial(t, s.wsURL)
	f := c.Call(t, "hello", "")
	if f.Error != nil {
		t.Fatalf("hello: %s", f.Raw)
	}
	cl := &client{Client: c, id: wstest.Str(t, f.Data)}
	for _, r := range rooms {
		b, _ := json.Marshal(r)
		c.OK(t, "join", string(b), "null")
	}
	return cl
}

// wantPush checks that the next frame is the push of event with data
// (byte for byte), and that nothing follows it (Sync).
func (c *client) wantPush(t testing.TB, event, data string) {
	t.Helper()
	if got := string(wstest.WantPush(t, c.Next(t), event)); got != data {
		t.Fatalf("client %s: push %s with data %s, want %s", c.id, event, got, data)
	}
	c.Sync(t)
}

// wantNothing checks that no frame came for the client (Sync: the server
// queues an emit's pushes before the HTTP answer, so one would come first).
func (c *client) wantNothing(t testing.TB) {
	t.Helper()
	c.Sync(t)
}

// answer is an HTTP answer of the API.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]json.RawMessage
}

// post sends body to path with the test token and a JSON Content-Type.
func (s *apiServer) post(t testing.TB, path, body string) answer {
	t.Helper()
	return s.do(t, http.MethodPost, path, strings.NewReader(body), http.Header{
		"Authorization": {"Bearer " + token},
		"Content-Type":  {"application/json"},
	})
}

// do sends a request and decodes the JSON answer.
func (s *apiServer) do(t testing.TB, method, path string, body io.Reader, h http.Header) answer {
	t.Helper()
	a, err := s.tryDo(method, path, body, h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tryDo is do without the test: for goroutines other than the test's.
func (s *apiServer) tryDo(method, path string, body io.Reader, h http.Header) (answer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, body)
	if err != nil {
		return answer{}, err
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if ct := resp.Header.Get("Content-Type"); ct == "application/json" {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			return a, fmt.Errorf("%s %s: answer %q is not a JSON object: %w", method, path, raw, err)
		}
	}
	return a, nil
}

// want checks the answer's status and that its body is exactly the JSON
// object want (members compared as JSON values, "error.message" excepted:
// "*" there accepts any message).
func (a answer) want(t testing.TB, status int, want string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d (%s), want %d", a.status, a.raw, status)
	}
	if a.body == nil {
		t.Fatalf("answer %q is not JSON (Content-Type %q)", a.raw, a.header.Get("Content-Type"))
	}
	var got, exp map[string]any
	_ = json.Unmarshal(a.raw, &got)
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	if e, ok := exp["error"].(map[string]any); ok && e["message"] == "*" {
		if g, ok := got["error"].(map[string]any); ok {
			if m, _ := g["message"].(string); m != "" {
				e["message"] = m
			}
		}
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("answer %s, want %s", gb, eb)
	}
}

// refused checks a refusal: status, code, and a message containing msg.
func (a answer) refused(t testing.TB, status int, code, msg string) {
	t.Helper()
	a.want(t, status, `{"ok":false,"error":{"code":"`+code+`","message":"*"}}`)
	var body struct {
		Error struct{ Message string } `json:"error"`
	}
	_ = json.Unmarshal(a.raw, &body)
	if !strings.Contains(body.Error.Message, msg) {
		t.Fatalf("message %q does not contain %q", body.Error.Message, msg)
	}
}

// broker is a host.Broker for the tests of what the API answers when a
// cluster refuses: there is no other node, and Publish and Disconnect fail
// with err when it is set. (The cluster's own path is tested with real
// nodes on NATS where the NATS broker lives.)
type broker struct {
	mu        sync.Mutex
	err       error
	published int
}

func (b *broker) Publish(*host.Fanout) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.published++
	}
	return b.err
}
func (b *broker) Subscribe(string, string) func() { return nil }
func (b *broker) Unsubscribe(string, string)      {}
func (b *broker) Count(context.Context, host.Target) (host.RoomCount, error) {
	return host.RoomCount{}, nil
}
func (b *broker) Disconnect(context.Context, string, int, string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return false, b.err
}
func (b *broker) Status() any { return map[string]any{"nodes": 1} }

func (b *broker) setErr(err error) {
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
}

func (b *broker) publishedCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.published
}
