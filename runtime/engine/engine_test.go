package engine

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingSocket is the network side's Socket reduced to recording pushes.
type recordingSocket struct {
	id        string
	done      chan struct{}
	mu        sync.Mutex
	pushes    []string
	payloads  []Payload // what pushes wrote, copied
	panics    bool
	data      []byte
	rooms     []string
	handshake []byte // nil: a fixed one without "namespace"
}

func newSocket(id string) *recordingSocket {
	return &recordingSocket{id: id, done: make(chan struct{})}
}

func (s *recordingSocket) ID() string { return s.id }
func (s *recordingSocket) Emit(event string, p Payload) error {
	if s.panics {
		panic("emit exploded")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushes = append(s.pushes, event+" "+payloadText(p))
	s.payloads = append(s.payloads, copyPayload(p))
	return nil
}

// payloadText is how the recording fakes write a Payload: its Data, then
// " rest=" and its Rest when it has one, then " atts=" and its attachments
// in hex when it has some.
func payloadText(p Payload) string {
	s := string(p.Data)
	if p.Binary {
		s = "bin:" + hex.EncodeToString(p.Data)
	}
	if p.Rest != nil {
		s += " rest=" + string(p.Rest)
	}
	if len(p.Attachments) > 0 {
		var atts []string
		for _, a := range p.Attachments {
			atts = append(atts, hex.EncodeToString(a))
		}
		s += " atts=" + strings.Join(atts, ",")
	}
	return s
}

// copyPayload copies p, which is only valid during the call it is given to.
func copyPayload(p Payload) Payload {
	c := Payload{Data: bytes.Clone(p.Data), Binary: p.Binary, Rest: bytes.Clone(p.Rest)}
	for _, a := range p.Attachments {
		c.Attachments = append(c.Attachments, bytes.Clone(a))
	}
	return c
}
func (s *recordingSocket) Close(int, string) error { return nil }
func (s *recordingSocket) Done() <-chan struct{}   { return s.done }
func (s *recordingSocket) Data() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}
func (s *recordingSocket) SetData(d []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = append([]byte(nil), d...)
}
func (s *recordingSocket) Handshake() []byte {
	if s.handshake != nil {
		return s.handshake
	}
	return []byte(`{"headers":{},"query":{"name":"ada"},"address":"127.0.0.1:1","time":"2026-01-01T00:00:00Z","auth":{"sub":"u1"}}`)
}
func (s *recordingSocket) Join(room string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms = append(s.rooms, room)
	return nil
}
func (s *recordingSocket) Leave(string) {}
func (s *recordingSocket) Rooms() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rooms...)
}

// Namespace is the handshake's "namespace", "/" when it names none.
func (s *recordingSocket) Namespace() string {
	var hs struct{ Namespace string }
	if json.Unmarshal(s.Handshake(), &hs) != nil || hs.Namespace == "" {
		return "/"
	}
	return hs.Namespace
}

// outcome is what Done and Started reported for one call.
type outcome struct {
	res      Result
	err      error
	dones    atomic.Int32
	starts   atomic.Int32
	finished chan struct{}
}

// call runs one request and waits for its outcome.
func runCall(t testing.TB, e *Engine, ctx context.Context, sock Socket, event, data string) *outcome {
	t.Helper()
	o := start(e, ctx, sock, event, data)
	select {
	case <-o.finished:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no outcome", event)
	}
	return o
}

func start(e *Engine, ctx context.Context, sock Socket, event, data string) *outcome {
	o := &outcome{finished: make(chan struct{})}
	req := &Request{Event: event, Socket: sock, Started: func() { o.starts.Add(1) }}
	if data != "" {
		req.Data = []byte(data)
	}
	req.Done = func(r Result, err error) {
		o.res = copyPayload(r)
		o.err = err
		if o.dones.Add(1) == 1 {
			close(o.finished)
		}
	}
	e.Call(ctx, req)
	return o
}

// writeScripts writes files (slash-separated names) into a fresh folder
// and returns it.
func writeScripts(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newEngine(t testing.TB, files map[string]string, cfg Config) *Engine {
	t.Helper()
	cfg.Dir = writeScripts(t, files)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

const testModule = `
let n = 0;
export function echo(socket, data) { return data }
export function inc() { return ++n }
export function push(socket, data) { socket.emit("p", data); return "pushed" }
export function wait(socket, data) { return new Promise(r => setTimeout(() => r(data), data)) }
export function busy(socket, data) { const t = Date.now() + data; while (Date.now() < t) {} return data }
export function bytes() { return new Uint8Array([1, 2]) }
`

func TestPanicUnderACallIsInternal(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": testModule}, Config{PoolSize: 1})
	sock := newSocket("s1")
	sock.panics = true
	o := runCall(t, e, context.Background(), sock, "m.push", `1`)
	var coded interface{ ErrorCode() string }
	if !errors.As(o.err, &coded) || coded.ErrorCode() != "internal" {
		t.Fatalf("err = %v, want an internal error", o.err)
	}
	if e.Stats().VMResets != 1 {
		t.Errorf("stats %+v: the VM was not replaced", e.Stats())
	}
	// The engine lives on, on a fresh VM.
	if o := runCall(t, e, context.Background(), newSocket("s2"), "m.inc", ""); o.err != nil || string(o.res.Data) != "1" {
		t.Fatalf("after the panic: %s, %v", o.res.Data, o.err)
	}
	if o.dones.Load() != 1 || o.starts.Load() != 1 {
		t.Errorf("done %d, started %d times", o.dones.Load(), o.starts.Load())
	}
}

func TestQueueBound(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": testModule}, Config{PoolSize: 1, QueueSize: 1})
	sock := newSocket("s")
	first := start(e, context.Background(), sock, "m.busy", "300")
	for e.Stats().Queued != 0 { // wait until the VM has taken the first call
		time.Sleep(time.Millisecond)
	}
	second := start(e, context.Background(), sock, "m.echo", "2")
	third := start(e, context.Background(), sock, "m.echo", "3")
	<-third.finished
	if !errors.Is(third.err, ErrQueueFull) || third.starts.Load() != 1 {
		t.Fatalf("third: %v (started %d)", third.err, third.starts.Load())
	}
	<-first.finished
	<-second.finished
	if first.err != nil || second.err != nil || string(second.res.Data) != "2" {
		t.Fatalf("first %v, second %v %s", first.err, second.err, second.res.Data)
	}
	if s := e.Stats(); s.VMsCreated != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestExpiredWhileQueued(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": testModule}, Config{PoolSize: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	busy := start(e, context.Background(), newSocket("a"), "m.busy", "400")
	o := runCall(t, e, ctx, newSocket("b"), "m.echo", "1")
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", o.err)
	}
	<-busy.finished
	eventuallyStarted(t, o)
	if o.dones.Load() != 1 {
		t.Errorf("done %d times", o.dones.Load())
	}
	if e.Stats().VMResets != 0 {
		t.Errorf("a call that never ran reset a VM")
	}
}

func eventuallyStarted(t *testing.T, o *outcome) {
	t.Helper()
	for i := 0; o.starts.Load() == 0; i++ {
		if i > 2000 {
			t.Fatal("Started never called")
		}
		time.Sleep(time.Millisecond)
	}
	if o.starts.Load() != 1 {
		t.Fatalf("Started called %d times", o.starts.Load())
	}
}

func TestCloseFailsAwaitingCalls(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": testModule}, Config{PoolSize: 1})
	o := start(e, context.Background(), newSocket("a"), "m.wait", "60000")
	eventuallyStarted(t, o)
	e.Close()
	<-o.finished
	if !errors.Is(o.err, ErrClosed) {
		t.Fatalf("err = %v", o.err)
	}
	late := runCall(t, e, context.Background(), newSocket("b"), "m.echo", "1")
	if !errors.Is(late.err, ErrClosed) {
		t.Fatalf("call after Close: %v", late.err)
	}
}

func TestResultKinds(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModePreload, ModeReeval} {
		e := newEngine(t, map[string]string{"m.js": testModule}, Config{PoolSize: 1, Mode: mode})
		sock := newSocket("s")
		if o := runCall(t, e, context.Background(), sock, "m.bytes", ""); !o.res.Binary || string(o.res.Data) != "\x01\x02" {
			t.Errorf("%s bytes: %+v %v", mode, o.res, o.err)
		}
		if o := runCall(t, e, context.Background(), sock, "m.echo", ""); o.res.Data != nil || o.err != nil {
			t.Errorf("%s undefined: %+v %v", mode, o.res, o.err)
		}
		if o := runCall(t, e, context.Background(), sock, "m.push", `{"a":1}`); string(o.res.Data) != `"pushed"` || len(sock.pushes) != 1 || sock.pushes[0] != `p {"a":1}` {
			t.Errorf("%s push: %+v %v %v", mode, o.res, o.err, sock.pushes)
		}
		if o := runCall(t, e, context.Background(), sock, "m.nope", ""); !errors.Is(o.err, ErrUnknownEvent) {
			t.Errorf("%s unknown: %v", mode, o.err)
		}
	}
}
