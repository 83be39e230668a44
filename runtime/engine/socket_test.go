package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const socketModule = `
import { io } from "eventhost";
export function setName(socket, name) { socket.data.name = name; socket.data.count = (socket.data.count ?? 0) + 1; return socket.data }
export function getData(socket) { return socket.data }
export function replace(socket) { socket.data = { replaced: true } }
export async function later(socket) { await null; socket.data.later = true; return 1 }
export function bad(socket) { socket.data = { f: 10n } }
export function who(socket) { return { query: socket.handshake.query, auth: socket.auth, address: socket.handshake.address } }
export function rooms(socket, room) { socket.join(room); return { rooms: socket.rooms, to: socket.to(room).emit("hi", 1), all: socket.broadcast.emit("all", 2) } }
export async function ioAll(socket) { return { all: io.emit("news", "x"), room: io.to("r").emit("r", 1), count: await io.in("r").count() } }
`

// recordingHub is the server side of io, reduced to recording: each emit
// as "[namespace ]rooms[ -except] event payload", rooms "all" when none.
type recordingHub struct {
	mu      sync.Mutex
	sent    []string
	targets []Target // every emit's target, copied
	// count answers Count; nil: one node, with len(ns)-1 plus the rooms'
	// name lengths (an id in Except takes one off).
	count func(ctx context.Context, t Target) (RoomCount, error)
}

// EmitTarget records the push and says it reached 3 connections for a
// namespace, 2 per room for rooms, one fewer per id left out.
func (h *recordingHub) EmitTarget(t Target, event string, p Payload) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sent = append(h.sent, describeTarget(t)+" "+event+" "+payloadText(p))
	h.targets = append(h.targets, Target{t.Namespace, slices.Clone(t.Rooms), slices.Clone(t.Except)})
	n := 3
	if len(t.Rooms) > 0 {
		n = 2 * len(t.Rooms)
	}
	return n - len(t.Except)
}

func (h *recordingHub) Count(ctx context.Context, t Target) (RoomCount, error) {
	if h.count != nil {
		return h.count(ctx, t)
	}
	n := len(t.Namespace) - 1 - len(t.Except)
	for _, r := range t.Rooms {
		n += len(r)
	}
	return RoomCount{Count: n, Nodes: 1}, nil
}

// describeTarget writes a target as recordingHub records it.
func describeTarget(t Target) string {
	text := "all"
	if len(t.Rooms) > 0 {
		text = strings.Join(t.Rooms, ",")
	}
	if len(t.Except) > 0 {
		text += " -" + strings.Join(t.Except, ",")
	}
	if t.Namespace != "/" {
		text = t.Namespace + " " + text
	}
	return text
}

func ok(t *testing.T, o *outcome, want string) {
	t.Helper()
	if o.err != nil || string(o.res.Data) != want {
		t.Fatalf("got %s, %v; want %s", o.res.Data, o.err, want)
	}
}

func TestSocketData(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModePreload, ModeReeval} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, map[string]string{"s.js": socketModule}, Config{PoolSize: 2, Mode: mode})
			sock := newSocket("a")
			ctx := context.Background()
			ok(t, runCall(t, e, ctx, sock, "s.setName", `"Ada"`), `{"name":"Ada","count":1}`)
			// Whichever VM serves them, later calls see the connection's data.
			for i := 2; i <= 6; i++ {
				o := runCall(t, e, ctx, sock, "s.getData", "")
				if o.err != nil || !slices.Contains([]string{`{"name":"Ada","count":1}`}, string(o.res.Data)) {
					t.Fatalf("call %d: %s %v", i, o.res.Data, o.err)
				}
			}
			ok(t, runCall(t, e, ctx, sock, "s.later", ""), "1")
			ok(t, runCall(t, e, ctx, sock, "s.getData", ""), `{"name":"Ada","count":1,"later":true}`)
			ok(t, runCall(t, e, ctx, sock, "s.replace", ""), "")
			ok(t, runCall(t, e, ctx, sock, "s.getData", ""), `{"replaced":true}`)
			runCall(t, e, ctx, sock, "s.bad", "")
			ok(t, runCall(t, e, ctx, sock, "s.getData", ""), `{"replaced":true}`)
			// Another connection has its own.
			ok(t, runCall(t, e, ctx, newSocket("b"), "s.getData", ""), `{}`)
		})
	}
}

func TestSocketHandshakeRoomsAndIO(t *testing.T) {
	t.Parallel()
	hub := &recordingHub{}
	e := newEngine(t, map[string]string{"s.js": socketModule}, Config{PoolSize: 1, Hub: hub})
	sock := newSocket("a")
	ctx := context.Background()
	ok(t, runCall(t, e, ctx, sock, "s.who", ""), `{"query":{"name":"ada"},"auth":{"sub":"u1"},"address":"127.0.0.1:1"}`)
	ok(t, runCall(t, e, ctx, sock, "s.rooms", `"lobby"`), `{"rooms":["lobby"],"to":1,"all":2}`)
	ok(t, runCall(t, e, ctx, sock, "s.ioAll", ""), `{"all":3,"room":2,"count":{"count":1,"nodes":1,"partial":false}}`)
	if want := []string{"lobby -a hi 1", "all -a all 2", `all news "x"`, "r r 1"}; !slices.Equal(hub.sent, want) {
		t.Errorf("hub %q, want %q", hub.sent, want)
	}
	if len(sock.pushes) != 0 {
		t.Errorf("pushes to the socket itself: %q", sock.pushes)
	}
}

const hooksModule = `
export function connect(handshake) {
  if (handshake.query.deny === "forbidden") throw Object.assign(new Error("not you"), { code: "forbidden" });
  if (handshake.query.deny === "refuse") return false;
  if (handshake.query.deny === "throw") throw new Error("nope");
  return { name: handshake.query.name, sub: handshake.auth?.sub };
}
export function disconnect(socket, reason) { socket.emit("bye", reason + " from " + socket.rooms.join(",") + " as " + socket.data.name); }
`

func TestConnectionHooks(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"_connection.ts": hooksModule, "api.js": "export function x() {}"}, Config{PoolSize: 1})
	ctx := context.Background()
	hs := func(query string) []byte {
		return []byte(`{"headers":{},"query":` + query + `,"address":"a","time":"t","auth":{"sub":"u1"}}`)
	}
	data, err := e.Connect(ctx, hs(`{"name":"ada"}`))
	if err != nil || string(data) != `{"name":"ada","sub":"u1"}` {
		t.Fatalf("connect: %s %v", data, err)
	}
	var he *HandlerError
	if _, err := e.Connect(ctx, hs(`{"deny":"forbidden"}`)); !errors.As(err, &he) || he.Code != "forbidden" || he.Message != "not you" {
		t.Errorf("forbidden: %v", err)
	}
	if _, err := e.Connect(ctx, hs(`{"deny":"refuse"}`)); !errors.Is(err, ErrRefused) {
		t.Errorf("refuse: %v", err)
	}
	if _, err := e.Connect(ctx, hs(`{"deny":"throw"}`)); !errors.As(err, &he) || he.Code != "handler_error" {
		t.Errorf("throw: %v", err)
	}
	// The hooks are no routes.
	for _, event := range []string{"_connection.connect", "(connect)", "connect"} {
		if o := runCall(t, e, ctx, newSocket("s"), event, ""); !errors.Is(o.err, ErrUnknownEvent) {
			t.Errorf("%s: %v", event, o.err)
		}
	}
	sock := newSocket("gone")
	_ = sock.Join("lobby")
	sock.SetData([]byte(`{"name":"ada"}`))
	e.Disconnect(sock, "client closed")
	sock.mu.Lock()
	sock.rooms, sock.data = nil, nil // the host forgets them right after
	sock.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sock.mu.Lock()
		n := len(sock.pushes)
		sock.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("disconnect hook did not run")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if sock.pushes[0] != `bye "client closed from lobby as ada"` {
		t.Errorf("disconnect: %q", sock.pushes)
	}

	// Without a hooks module, Connect accepts with no data.
	plain := newEngine(t, map[string]string{"api.js": "export function x() {}"}, Config{PoolSize: 1})
	if data, err := plain.Connect(ctx, hs(`{}`)); data != nil || err != nil {
		t.Errorf("no hooks: %s %v", data, err)
	}
}

// TestSocketDataWrittenOnce: a call that touches socket.data writes it back
// once when it is answered synchronously, and again when it is answered
// after awaiting (its continuation may have changed it).
func TestSocketDataWrittenOnce(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"s.js": socketModule + `
export function waitAndSet(socket) { socket.data.a = 1; return new Promise(r => setTimeout(() => { socket.data.b = 2; r(3) }, 1)) }
`}, Config{PoolSize: 1})
	var writes int
	sock := &hookSocket{recordingSocket: newSocket("a"), onSetData: func() { writes++ }} // on the worker goroutine only
	ctx := context.Background()
	ok(t, runCall(t, e, ctx, sock, "s.setName", `"Ada"`), `{"name":"Ada","count":1}`)
	if writes != 1 {
		t.Errorf("sync call: socket.data written %d times", writes)
	}
	ok(t, runCall(t, e, ctx, sock, "s.later", ""), "1")
	if writes != 2 {
		t.Errorf("already-settled promise: socket.data written %d times in all", writes)
	}
	ok(t, runCall(t, e, ctx, sock, "s.waitAndSet", ""), "3")
	ok(t, runCall(t, e, ctx, sock, "s.getData", ""), `{"name":"Ada","count":1,"later":true,"a":1,"b":2}`)
	if writes != 5 { // twice for waitAndSet (sync part, answer), once for getData
		t.Errorf("socket.data written %d times in all, want 5", writes)
	}
}
