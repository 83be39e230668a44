package host_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
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

// frame is one WebSocket data frame received by a client.
type frame struct {
	binary bool
	data   []byte
}

func (f frame) String() string {
	if f.binary {
		return fmt.Sprintf("binary %q", f.data)
	}
	return fmt.Sprintf("text %s", f.data)
}

// client is a real WebSocket client. Its reader goroutine queues the frames
// it receives and ends when the connection does.
type client struct {
	ws     *websocket.Conn
	frames chan frame
	ended  chan struct{} // closed when the reader has stopped
	err    error         // why the reader stopped; set before ended closes
	stop   chan struct{}
	wmu    sync.Mutex
	seq    atomic.Int64
}

// dial connects to url and starts reading.
func dial(t testing.TB, url string) *client {
	t.Helper()
	return dialHeader(t, url, nil)
}

func dialHeader(t testing.TB, url string, h http.Header) *client {
	t.Helper()
	return newClient(t, dialRaw(t, url, h))
}

// newClient starts reading ws, a connection set up by the caller.
func newClient(t testing.TB, ws *websocket.Conn) *client {
	t.Helper()
	c := &client{ws: ws, frames: make(chan frame, 64), ended: make(chan struct{}), stop: make(chan struct{})}
	go c.read()
	t.Cleanup(func() {
		close(c.stop)
		_ = ws.Close()
		<-c.ended
	})
	return c
}

// dialRaw connects to url without a reader: the caller reads, or not.
func dialRaw(t testing.TB, url string, h http.Header) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: safety}
	ws, resp, err := d.Dial(url, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws
}

func (c *client) read() {
	defer close(c.ended)
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			close(c.frames)
			return
		}
		select {
		case c.frames <- frame{binary: kind == websocket.BinaryMessage, data: data}:
		case <-c.stop:
			c.err = fmt.Errorf("client stopped")
			close(c.frames)
			return
		}
	}
}

// send writes a text frame.
func (c *client) send(t testing.TB, text string) {
	t.Helper()
	c.write(t, websocket.TextMessage, []byte(text))
}

// trySend writes a text frame and ignores a failure: for frames the server
// may already have stopped reading.
func (c *client) trySend(text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(safety))
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(text))
}

// sendBinary writes a binary frame.
func (c *client) sendBinary(t testing.TB, b []byte) {
	t.Helper()
	c.write(t, websocket.BinaryMessage, b)
}

func (c *client) write(t testing.TB, kind int, b []byte) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(safety))
	if err := c.ws.WriteMessage(kind, b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// request returns the text of a request; id and data are JSON text, left out
// when empty.
func request(id, event, data string) string {
	var b strings.Builder
	b.WriteString(`{"event":`)
	ev, _ := json.Marshal(event)
	b.Write(ev)
	if id != "" {
		b.WriteString(`,"id":`)
		b.WriteString(id)
	}
	if data != "" {
		b.WriteString(`,"data":`)
		b.WriteString(data)
	}
	b.WriteString("}")
	return b.String()
}

// call sends a request and returns the next frame.
func (c *client) call(t testing.TB, id, event, data string) frame {
	t.Helper()
	c.send(t, request(id, event, data))
	return c.next(t)
}

// next returns the next frame, failing the test when the connection ends or
// nothing comes within the safety timeout.
func (c *client) next(t testing.TB) frame {
	t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			t.Fatalf("connection ended while waiting for a frame: %v", c.err)
		}
		return f
	case <-time.After(safety):
		t.Fatalf("no frame within %s", safety)
	}
	panic("unreachable")
}

// sync proves that every frame the server owes for what was sent so far has
// arrived: it sends a request without event, which the host answers itself
// on the read goroutine after everything sent before it, and expects that
// answer to be the very next frame.
func (c *client) sync(t testing.TB) {
	t.Helper()
	id := fmt.Sprintf(`"sync-%d"`, c.seq.Add(1))
	c.send(t, `{"id":`+id+`}`)
	f := c.next(t)
	if msg := wantErrorReply(t, f, id, "bad_request"); !strings.Contains(msg, "missing event") {
		t.Fatalf("sync reply message %q", msg)
	}
}

// closed waits for the connection to end and returns how many data frames
// came before the end, and why it ended.
func (c *client) closed(t testing.TB) (int, error) {
	t.Helper()
	timeout := time.After(safety)
	n := 0
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				return n, c.err
			}
			n++
		case <-timeout:
			t.Fatalf("the connection did not end within %s (%d frames read)", safety, n)
		}
	}
}

// wantClose waits for the connection to end with a close frame of code and,
// unless reason is "*", that reason. No data frame may come first.
func (c *client) wantClose(t testing.TB, code int, reason string) {
	t.Helper()
	n, err := c.closed(t)
	if n != 0 {
		t.Errorf("%d unexpected frames before the close", n)
	}
	wantCloseError(t, err, code, reason)
}

func wantCloseError(t testing.TB, err error, code int, reason string) {
	t.Helper()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("connection ended with %v (%T), want a close frame %d", err, err, code)
	}
	if ce.Code != code || (reason != "*" && ce.Text != reason) {
		t.Fatalf("close %d %q, want %d %q", ce.Code, ce.Text, code, reason)
	}
}

// object decodes a JSON object and checks that it has exactly keys.
func object(t testing.TB, b []byte, keys ...string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %s: %v", b, err)
	}
	if len(m) != len(keys) {
		t.Fatalf("members of %s: want exactly %v", b, keys)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("members of %s: want exactly %v", b, keys)
		}
	}
	return m
}

func str(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a string", raw)
	}
	return s
}

// wantReply checks that f is {"id":id,"data":data}, id and data byte for byte.
func wantReply(t testing.TB, f frame, id, data string) {
	t.Helper()
	if f.binary {
		t.Fatalf("got %v, want a text reply", f)
	}
	m := object(t, f.data, "id", "data")
	if string(m["id"]) != id || string(m["data"]) != data {
		t.Fatalf("got %s, want id %s and data %s", f.data, id, data)
	}
}

// wantErrorReply checks that f is {"id":id,"error":{"code":code,"message":...}}
// and returns the message.
func wantErrorReply(t testing.TB, f frame, id, code string) string {
	t.Helper()
	if f.binary {
		t.Fatalf("got %v, want a text error reply", f)
	}
	m := object(t, f.data, "id", "error")
	if string(m["id"]) != id {
		t.Fatalf("got %s, want id %s", f.data, id)
	}
	e := object(t, m["error"], "code", "message")
	if got := str(t, e["code"]); got != code {
		t.Fatalf("got %s, want code %s", f.data, code)
	}
	return str(t, e["message"])
}

// wantErrorPush checks that f is {"event":"error","data":{"code":code,
// "message":...,"event":event}} and returns the message.
func wantErrorPush(t testing.TB, f frame, code, event string) string {
	t.Helper()
	d := wantPush(t, f, "error")
	e := object(t, d, "code", "message", "event")
	if got := str(t, e["code"]); got != code {
		t.Fatalf("got %s, want code %s", f.data, code)
	}
	if got := str(t, e["event"]); got != event {
		t.Fatalf("got %s, want event %q", f.data, event)
	}
	return str(t, e["message"])
}

// wantPush checks that f is {"event":event,"data":...} and returns the data.
func wantPush(t testing.TB, f frame, event string) json.RawMessage {
	t.Helper()
	if f.binary {
		t.Fatalf("got %v, want a text push", f)
	}
	m := object(t, f.data, "event", "data")
	if got := str(t, m["event"]); got != event {
		t.Fatalf("got %s, want event %q", f.data, event)
	}
	return m["data"]
}

// wantBinary checks that f is a binary frame, 4-byte big-endian envelope
// length, envelope, payload, and returns the envelope and the payload.
func wantBinary(t testing.TB, f frame) ([]byte, []byte) {
	t.Helper()
	if !f.binary {
		t.Fatalf("got %v, want a binary frame", f)
	}
	if len(f.data) < 4 {
		t.Fatalf("binary frame of %d bytes", len(f.data))
	}
	n := binary.BigEndian.Uint32(f.data)
	if uint64(n) > uint64(len(f.data)-4) {
		t.Fatalf("binary envelope length %d in a frame of %d bytes", n, len(f.data))
	}
	return f.data[4 : 4+n], f.data[4+n:]
}

// binaryFrame builds a binary request frame.
func binaryFrame(envelope string, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(envelope)))
	b = append(b, envelope...)
	return append(b, payload...)
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

// refusal is how a handshake the server refused was answered.
type refusal struct {
	status int
	body   string // trimmed
	header http.Header
}

// tryDial dials url with h. It returns the connection when the upgrade
// succeeded, else the server's refusal; a failure without an HTTP answer
// fails the test.
func tryDial(t testing.TB, url string, h http.Header) (*websocket.Conn, refusal) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: safety}
	ws, resp, err := d.Dial(url, h)
	if err == nil {
		t.Cleanup(func() { _ = ws.Close() })
		return ws, refusal{status: resp.StatusCode, header: resp.Header}
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return nil, refusal{status: resp.StatusCode, body: strings.TrimSpace(string(b)), header: resp.Header}
}

// wantRefused checks that a handshake was refused with status and body.
func wantRefused(t testing.TB, ws *websocket.Conn, r refusal, status int, body string) {
	t.Helper()
	if ws != nil {
		t.Fatalf("connected, want HTTP %d %q", status, body)
	}
	if r.status != status || r.body != body {
		t.Fatalf("HTTP %d %q, want %d %q", r.status, r.body, status, body)
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
func (l *lifecycle) hello(t testing.TB, c *client) *host.Conn {
	t.Helper()
	c.call(t, `"hello"`, "hello", "")
	return l.conn(t)
}

// join makes c join room.
func join(t testing.TB, c *client, room string) {
	t.Helper()
	r, _ := json.Marshal(room)
	wantReply(t, c.call(t, `"join"`, "join", string(r)), `"join"`, `null`)
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
