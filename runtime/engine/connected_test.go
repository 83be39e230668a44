package engine

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const connectedModule = `
export function connected(socket) {
  const mode = socket.handshake.query.mode;
  if (mode === "throw") throw new Error("boom");
  socket.join("welcome");
  socket.data = { greeted: true };
  socket.emit("welcome", { id: socket.id }, 2);
  if (mode === "async") return new Promise(r => setTimeout(() => { socket.emit("later", 1); r() }, 20));
}
`

// lockedBuffer is a log destination that the test and worker goroutines
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestConnectedHook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		mode           string
		pushesAtStart  []string // what the socket got when started was called
		pushesAtTheEnd []string
		failed         bool // the hook's failure is logged
	}{
		{name: "sync", mode: "sync", pushesAtStart: []string{`welcome {"id":"c"} rest=[2]`}},
		{name: "async", mode: "async", pushesAtStart: []string{`welcome {"id":"c"} rest=[2]`},
			pushesAtTheEnd: []string{`welcome {"id":"c"} rest=[2]`, `later 1`}},
		{name: "throw", mode: "throw", failed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			e := newEngine(t, map[string]string{"_connection.js": connectedModule, "api.js": "export function x() { return 1 }"},
				Config{PoolSize: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			sock := newSocket("c")
			sock.handshake = []byte(`{"headers":{},"query":{"mode":"` + tc.mode + `"},"address":"a","time":"t","auth":null,"namespace":"/","claims":null}`)
			var starts atomic.Int32
			started := make(chan []string, 1)
			e.Connected(sock, func() {
				if starts.Add(1) == 1 {
					sock.mu.Lock()
					started <- slices.Clone(sock.pushes)
					sock.mu.Unlock()
				}
			})
			select {
			case got := <-started:
				if !slices.Equal(got, tc.pushesAtStart) {
					t.Errorf("pushes when started: %q, want %q", got, tc.pushesAtStart)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("started was not called")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := e.WaitHooks(ctx); err != nil {
				t.Fatal(err)
			}
			if n := starts.Load(); n != 1 {
				t.Errorf("started called %d times", n)
			}
			want := tc.pushesAtTheEnd
			if want == nil {
				want = tc.pushesAtStart
			}
			sock.mu.Lock()
			pushes, rooms, data := slices.Clone(sock.pushes), slices.Clone(sock.rooms), string(sock.data)
			sock.mu.Unlock()
			if !slices.Equal(pushes, want) {
				t.Errorf("pushes %q, want %q", pushes, want)
			}
			if failed := strings.Contains(logs.String(), "connected hook failed"); failed != tc.failed {
				t.Errorf("logged a failure: %v; log:\n%s", failed, logs.String())
			}
			if !tc.failed && (!slices.Equal(rooms, []string{"welcome"}) || data != `{"greeted":true}`) {
				t.Errorf("rooms %q, data %s", rooms, data)
			}
			// The engine serves on.
			ok(t, runCall(t, e, context.Background(), sock, "api.x", ""), "1")
		})
	}
}

func TestConnectedWithoutHook(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"no hooks module":     {"api.js": "export function x() {}"},
		"no connected export": {"api.js": "export function x() {}", "_connection.js": "export function disconnect() {}"},
	} {
		e := newEngine(t, files, Config{PoolSize: 1})
		var starts int
		e.Connected(newSocket("c"), func() { starts++ })
		if starts != 1 { // at once, on this goroutine
			t.Errorf("%s: started called %d times", name, starts)
		}
		e.Connected(newSocket("c"), nil)
	}
	// A closed engine starts nothing, and says so at once.
	e := newEngine(t, map[string]string{"_connection.js": connectedModule}, Config{PoolSize: 1})
	e.Close()
	var starts int
	e.Connected(newSocket("c"), func() { starts++ })
	if starts != 1 {
		t.Errorf("closed engine: started called %d times", starts)
	}
	if err := e.WaitHooks(context.Background()); err != nil {
		t.Error(err)
	}
}
