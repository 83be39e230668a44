package host_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

// safety bounds every wait of the tests: reaching it fails the test instead
// of hanging it. It is not a speed assertion.
const safety = 10 * time.Second

// discard is the logger of the servers under test.
var discard = slog.New(slog.DiscardHandler)

// testServer is a host.Server mounted on a loopback httptest.Server.
type testServer struct {
	*host.Server
	http  *httptest.Server
	wsURL string
}

// newServer starts h behind host.New on loopback. A nil cfg.Logger becomes a
// discarding one.
func newServer(t testing.TB, h host.Handler, cfg host.Config) *testServer {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = discard
	}
	return mount(t, host.New(h, cfg))
}

func mount(t testing.TB, srv *host.Server) *testServer {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &testServer{Server: srv, http: ts, wsURL: "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"}
}

// health GETs /healthz and decodes its JSON body.
func (s *testServer) health(t testing.TB) (int, map[string]json.RawMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.http.URL+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET /healthz: Content-Type %q, want application/json", ct)
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /healthz: body: %v", err)
	}
	return resp.StatusCode, body
}

// waitDraining returns once /healthz reports the server as draining. Shutdown
// offers no signal of its own for that moment, so this polls.
func (s *testServer) waitDraining(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for {
		if code, _ := s.health(t); code == http.StatusServiceUnavailable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not start draining")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// echo answers every call with its own data, text or binary.
var echo = host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
	return host.Reply{Data: call.Data, Binary: call.Binary}, nil
})

// holder hands the calls of the events in hold to the test through calls,
// calling Started right away when start is set; it echoes every other event.
// It never blocks: calls is buffered beyond what a test sends.
type holder struct {
	hold  map[string]bool
	start bool
	calls chan held
}

// held is a call the test completes, with its ctx.
type held struct {
	*host.Call
	ctx context.Context
}

func newHolder(start bool, events ...string) *holder {
	h := &holder{hold: make(map[string]bool), start: start, calls: make(chan held, 1024)}
	for _, e := range events {
		h.hold[e] = true
	}
	return h
}

func (h *holder) Call(ctx context.Context, call *host.Call) {
	if !h.hold[call.Event] {
		call.Started()
		call.Done(host.Reply{Data: call.Data, Binary: call.Binary}, nil)
		return
	}
	if h.start {
		call.Started()
	}
	h.calls <- held{call, ctx}
}

// next returns the next held call.
func (h *holder) next(t testing.TB) held {
	t.Helper()
	select {
	case c := <-h.calls:
		return c
	case <-time.After(safety):
		t.Fatalf("no call reached the handler within %s", safety)
	}
	panic("unreachable")
}

// none checks that no call is waiting.
func (h *holder) none(t testing.TB) {
	t.Helper()
	select {
	case c := <-h.calls:
		t.Fatalf("unexpected call %s %s", c.Event, c.Data)
	default:
	}
}

// closedWithin waits for ch to close.
func closedWithin(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(safety):
		t.Fatalf("%s: not closed within %s", what, safety)
	}
}

// hooks is a host.Hooks that records what it is told. connect, when set,
// decides Connect's outcome; otherwise Connect accepts with no data.
type hooks struct {
	connect func(ctx context.Context, hs *host.Handshake) ([]byte, error)

	mu          sync.Mutex
	connects    []connected
	ends        map[*host.Conn]int
	disconnects chan disconnected
}

// connected is one Connect call.
type connected struct {
	hs       *host.Handshake
	deadline time.Time
	ok       bool // ctx had a deadline
}

// disconnected is one Disconnect call, with what the hook saw.
type disconnected struct {
	conn   *host.Conn
	reason string
	rooms  []string
	data   string
}

func newHooks() *hooks {
	return &hooks{ends: make(map[*host.Conn]int), disconnects: make(chan disconnected, 1024)}
}

func (h *hooks) Connect(ctx context.Context, hs *host.Handshake) ([]byte, error) {
	dl, ok := ctx.Deadline()
	h.mu.Lock()
	h.connects = append(h.connects, connected{hs: hs, deadline: dl, ok: ok})
	connect := h.connect
	h.mu.Unlock()
	if connect != nil {
		return connect(ctx, hs)
	}
	return nil, nil
}

// setConnect replaces connect while the server runs.
func (h *hooks) setConnect(f func(ctx context.Context, hs *host.Handshake) ([]byte, error)) {
	h.mu.Lock()
	h.connect = f
	h.mu.Unlock()
}

func (h *hooks) Disconnect(c *host.Conn, reason string) {
	h.mu.Lock()
	h.ends[c]++
	h.mu.Unlock()
	h.disconnects <- disconnected{conn: c, reason: reason, rooms: c.Rooms(), data: string(c.Data())}
}

// connected returns the Connect calls so far.
func (h *hooks) connected() []connected {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.connects)
}

// ended returns how many times Disconnect was called for c.
func (h *hooks) ended(c *host.Conn) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ends[c]
}

// nextDisconnect returns the next Disconnect call.
func (h *hooks) nextDisconnect(t testing.TB) disconnected {
	t.Helper()
	select {
	case d := <-h.disconnects:
		return d
	case <-time.After(safety):
		t.Fatalf("no Disconnect within %s", safety)
	}
	panic("unreachable")
}

// noDisconnect checks that no Disconnect call is waiting.
func (h *hooks) noDisconnect(t testing.TB) {
	t.Helper()
	select {
	case d := <-h.disconnects:
		t.Fatalf("unexpected Disconnect(%s, %q)", d.conn.ID(), d.reason)
	default:
	}
}

// lifecycle is the Handler of the lifecycle tests; it does with its
// connection what a script would:
//
//	hello              hands the *host.Conn to the test (conns) and replies its id
//	join, leave        data: the room name; join fails with bad_request
//	rooms              replies c.Rooms()
//	emitTo             data: {"room","event","data"}; replies c.EmitTo's count
//	broadcast          data: {"event","data"}; replies c.Broadcast's count
//	data, setData      reply c.Data(); c.SetData(data)
//	handshake          replies c.Handshake().JSON()
//	close              c.Close(4001, "bye")
type lifecycle struct {
	conns chan *host.Conn
}

func newLifecycle() *lifecycle { return &lifecycle{conns: make(chan *host.Conn, 1024)} }

// conn returns the connection of the next hello.
func (l *lifecycle) conn(t testing.TB) *host.Conn {
	t.Helper()
	select {
	case c := <-l.conns:
		return c
	case <-time.After(safety):
		t.Fatalf("no hello within %s", safety)
	}
	panic("unreachable")
}

func (l *lifecycle) Call(ctx context.Context, call *host.Call) {
	host.HandlerFunc(l.call).Call(ctx, call)
}

func (l *lifecycle) call(_ context.Context, call *host.Call) (host.Reply, error) {
	c := call.Conn
	reply := func(v any) (host.Reply, error) {
		b, err := json.Marshal(v)
		return host.Reply{Data: b}, err
	}
	var push struct {
		Room  string          `json:"room"`
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	switch call.Event {
	case "hello":
		l.conns <- c
		return reply(c.ID())
	case "join", "leave":
		var room string
		if err := json.Unmarshal(call.Data, &room); err != nil {
			return host.Reply{}, &codedError{"bad_request", err.Error()}
		}
		if call.Event == "leave" {
			c.Leave(room)
		} else if err := c.Join(room); err != nil {
			return host.Reply{}, &codedError{"bad_request", err.Error()}
		}
		return host.Reply{}, nil
	case "rooms":
		return reply(c.Rooms())
	case "emitTo", "broadcast":
		if err := json.Unmarshal(call.Data, &push); err != nil {
			return host.Reply{}, &codedError{"bad_request", err.Error()}
		}
		if call.Event == "emitTo" {
			return reply(c.EmitTo(push.Room, push.Event, host.Payload{Data: push.Data}))
		}
		return reply(c.Broadcast(push.Event, host.Payload{Data: push.Data}))
	case "data":
		return host.Reply{Data: c.Data()}, nil
	case "setData":
		c.SetData(call.Data)
		return host.Reply{}, nil
	case "handshake":
		return host.Reply{Data: c.Handshake().JSON()}, nil
	case "close":
		return host.Reply{}, c.Close(4001, "bye")
	}
	return host.Reply{}, &codedError{"unknown_event", call.Event}
}

// hello introduces c to l and returns its server side.
func (l *lifecycle) hello(t testing.TB, c *wstest.Client) *host.Conn {
	t.Helper()
	c.CallID(t, `"hello"`, "hello", "")
	return l.conn(t)
}

// join makes c join room.
func join(t testing.TB, c *wstest.Client, room string) {
	t.Helper()
	r, _ := json.Marshal(room)
	wstest.WantReply(t, c.CallID(t, `"join"`, "join", string(r)), `"join"`, `null`)
}

// shutdownPastGrace runs srv.Shutdown with a grace period of grace, which
// the test makes sure calls outlast, and checks that it reports the grace
// ended (context.DeadlineExceeded) and returns within the safety bound: the
// calls still open were answered.
func shutdownPastGrace(t testing.TB, srv *testServer, grace time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	select {
	case err := <-shut:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(safety):
		t.Fatal("Shutdown did not return: a call was not answered")
	}
}
