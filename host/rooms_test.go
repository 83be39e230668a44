package host_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

func TestJoinLeave(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	conn := l.hello(t, c)
	rooms := func() string {
		t.Helper()
		return string(replyData(t, c.CallID(t, `"r"`, "rooms", ""), `"r"`))
	}
	if got := rooms(); got != `[]` {
		t.Fatalf("rooms of a new connection: %s", got)
	}
	join(t, c, "b")
	join(t, c, "a")
	join(t, c, "a") // twice is fine
	if got := rooms(); got != `["a","b"]` {
		t.Errorf("rooms %s, want sorted [a b]", got)
	}
	if n := srv.RoomSize("/", "a"); n != 1 {
		t.Errorf("RoomSize(a) = %d", n)
	}
	wstest.WantReply(t, c.CallID(t, "1", "leave", `"a"`), "1", "null")
	wstest.WantReply(t, c.CallID(t, "2", "leave", `"nowhere"`), "2", "null")
	if got := rooms(); got != `["b"]` {
		t.Errorf("rooms %s after leaving a", got)
	}
	if n := srv.RoomSize("/", "a"); n != 0 {
		t.Errorf("RoomSize(a) = %d after the only member left", n)
	}

	tests := []struct {
		name string
		room string
		err  error
	}{
		{name: "empty", room: "", err: host.ErrRoomName},
		{name: "too long", room: strings.Repeat("x", host.MaxRoomName+1), err: host.ErrRoomName},
		{name: "longest", room: strings.Repeat("x", host.MaxRoomName)},
		{name: "unicode", room: "salle à manger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := conn.Join(tt.room); !errors.Is(err, tt.err) {
				t.Fatalf("Join(%d bytes) = %v, want %v", len(tt.room), err, tt.err)
			}
			if want := 0; tt.err == nil {
				want = 1
				if n := srv.RoomSize("/", tt.room); n != want {
					t.Errorf("RoomSize = %d, want %d", n, want)
				}
				conn.Leave(tt.room)
			}
		})
	}
	msg := wstest.WantErrorReply(t, c.CallID(t, "3", "join", `""`), "3", "bad_request")
	if !strings.Contains(msg, "1 to 256 bytes") {
		t.Errorf("message %q", msg)
	}
}

// TestFanout: who receives what. Three clients: a and b in room r, c not.
func TestFanout(t *testing.T) {
	t.Parallel()
	type want struct {
		n     int    // the count returned
		event string // pushed to each of to
		to    string // of "abc"
	}
	tests := []struct {
		name string
		emit func(t *testing.T, srv *testServer, cl map[byte]*wstest.Client, id map[byte]string) int
		want want
	}{
		{name: "EmitTo from a member", want: want{1, "hi", "b"}, emit: func(t *testing.T, _ *testServer, cl map[byte]*wstest.Client, _ map[byte]string) int {
			return count(t, cl['a'].CallID(t, "1", "emitTo", `{"room":"r","event":"hi","data":{"from":"a"}}`))
		}},
		{name: "EmitTo from outside", want: want{2, "hi", "ab"}, emit: func(t *testing.T, _ *testServer, cl map[byte]*wstest.Client, _ map[byte]string) int {
			return count(t, cl['c'].CallID(t, "1", "emitTo", `{"room":"r","event":"hi","data":{"from":"a"}}`))
		}},
		{name: "EmitTo an empty room", want: want{0, "", ""}, emit: func(t *testing.T, _ *testServer, cl map[byte]*wstest.Client, _ map[byte]string) int {
			return count(t, cl['a'].CallID(t, "1", "emitTo", `{"room":"nobody","event":"hi","data":{"from":"a"}}`))
		}},
		{name: "Broadcast", want: want{2, "all", "bc"}, emit: func(t *testing.T, _ *testServer, cl map[byte]*wstest.Client, _ map[byte]string) int {
			return count(t, cl['a'].CallID(t, "1", "broadcast", `{"event":"all","data":{"from":"a"}}`))
		}},
		{name: "Server.Emit", want: want{3, "all", "abc"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, _ map[byte]string) int {
			return srv.Emit("/", "all", host.Payload{Data: []byte(`{"from":"a"}`)})
		}},
		{name: "Server.EmitToRoom", want: want{2, "hi", "ab"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, _ map[byte]string) int {
			return srv.EmitToRoom("/", "r", "hi", host.Payload{Data: []byte(`{"from":"a"}`)})
		}},
		// a is in r and s: one copy.
		{name: "EmitTarget to two rooms", want: want{2, "hi", "ab"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, _ map[byte]string) int {
			return emitTarget(t, srv, host.Target{Rooms: []string{"r", "s"}})
		}},
		{name: "EmitTarget to a socket id", want: want{1, "hi", "c"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			return emitTarget(t, srv, host.Target{Rooms: []string{id['c']}})
		}},
		{name: "EmitTarget to a room and a member's id", want: want{2, "hi", "ab"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			return emitTarget(t, srv, host.Target{Rooms: []string{"r", id['a']}})
		}},
		{name: "EmitTarget to a room and an outsider's id", want: want{3, "hi", "abc"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			return emitTarget(t, srv, host.Target{Rooms: []string{"r", id['c']}})
		}},
		{name: "EmitTarget except", want: want{1, "hi", "b"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			return emitTarget(t, srv, host.Target{Rooms: []string{"r", "s"}, Except: []string{id['a']}})
		}},
		{name: "EmitTarget to everyone except two", want: want{1, "hi", "b"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			return emitTarget(t, srv, host.Target{Except: []string{id['a'], id['c']}})
		}},
		// Over the scan limit, the ids become a set.
		{name: "EmitTarget except many", want: want{1, "hi", "b"}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			except := []string{id['a'], id['c']}
			for i := range 100 {
				except = append(except, fmt.Sprintf("NOTANIDNOTANID%02d", i))
			}
			return emitTarget(t, srv, host.Target{Except: except})
		}},
		{name: "EmitTarget to another namespace", want: want{0, "", ""}, emit: func(t *testing.T, srv *testServer, _ map[byte]*wstest.Client, id map[byte]string) int {
			return emitTarget(t, srv, host.Target{Namespace: "/chat", Rooms: []string{"r", id['c']}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLifecycle()
			srv := newServer(t, l, host.Config{})
			cl := map[byte]*wstest.Client{}
			id := map[byte]string{}
			for _, name := range []byte("abc") {
				cl[name] = wstest.Dial(t, srv.wsURL)
				id[name] = l.hello(t, cl[name]).ID()
			}
			join(t, cl['a'], "r")
			join(t, cl['b'], "r")
			join(t, cl['a'], "s")
			if n := srv.RoomSize("/", "r"); n != 2 {
				t.Fatalf("RoomSize = %d", n)
			}
			if n := tt.emit(t, srv, cl, id); n != tt.want.n {
				t.Errorf("sent to %d, want %d", n, tt.want.n)
			}
			for _, name := range []byte("abc") {
				if strings.IndexByte(tt.want.to, name) >= 0 {
					if d := wstest.WantPush(t, cl[name].Next(t), tt.want.event); string(d) != `{"from":"a"}` {
						t.Errorf("%c got data %s", name, d)
					}
				}
				cl[name].Sync(t) // and nothing else
			}
		})
	}
}

// emitTarget pushes "hi" to t with Server.EmitTarget, single node.
func emitTarget(t *testing.T, srv *testServer, tg host.Target) int {
	t.Helper()
	n, err := srv.EmitTarget(tg, "hi", host.Payload{Data: []byte(`{"from":"a"}`)})
	if err != nil {
		t.Fatalf("EmitTarget without a broker: %v", err)
	}
	return n
}

// TestLocalCount: counts of socket-id rooms, unions and exceptions.
func TestLocalCount(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	var ids []string
	for i := range 3 {
		c := wstest.Dial(t, srv.wsURL)
		ids = append(ids, l.hello(t, c).ID())
		if i < 2 {
			join(t, c, "r")
		}
	}
	if !host.IsConnID(ids[0]) || host.IsConnID("r") || host.IsConnID(strings.ToLower(ids[0])) {
		t.Fatalf("IsConnID: %q is an id, r and the lower-case id are not", ids[0])
	}
	tests := []struct {
		name string
		t    host.Target
		want int
	}{
		{"room", host.Target{Rooms: []string{"r"}}, 2},
		{"socket id", host.Target{Rooms: []string{ids[2]}}, 1},
		{"room and a member's id", host.Target{Rooms: []string{"r", ids[0]}}, 2},
		{"room and an outsider's id", host.Target{Rooms: []string{"r", ids[2]}}, 3},
		{"room except a member", host.Target{Rooms: []string{"r"}, Except: []string{ids[1]}}, 1},
		{"everyone", host.Target{}, 3},
		{"an unknown id", host.Target{Rooms: []string{"AAAAAAAAAAAAAAAA"}}, 0},
		{"another namespace", host.Target{Namespace: "/x", Rooms: []string{ids[0]}}, 0},
	}
	for _, tt := range tests {
		if n := srv.LocalCount(tt.t); n != tt.want {
			t.Errorf("%s: LocalCount = %d, want %d", tt.name, n, tt.want)
		}
		rc, err := srv.Count(context.Background(), tt.t)
		if err != nil || rc != (host.RoomCount{Count: tt.want, Nodes: 1}) {
			t.Errorf("%s: Count = %+v, %v; want %d of 1 node, not partial", tt.name, rc, err, tt.want)
		}
	}
	if n := srv.RoomSize("/", ids[1]); n != 1 {
		t.Errorf("RoomSize(socket id) = %d, want 1", n)
	}
}

// TestDisconnectSocket closes a connection by id, with the client seeing
// the code and reason.
func TestDisconnectSocket(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	id := l.hello(t, c).ID()
	if found, err := srv.DisconnectSocket(context.Background(), "AAAAAAAAAAAAAAAA", 4000, "x"); found || err != nil {
		t.Fatalf("DisconnectSocket(unknown) = %v, %v", found, err)
	}
	if found, err := srv.DisconnectSocket(context.Background(), id, 4001, "kicked"); !found || err != nil {
		t.Fatalf("DisconnectSocket(%s) = %v, %v", id, found, err)
	}
	c.WantClose(t, 4001, "kicked")
}

// count decodes the reply to "1" as a number.
func count(t testing.TB, f wstest.Frame) int {
	t.Helper()
	var n int
	if err := json.Unmarshal(replyData(t, f, "1"), &n); err != nil {
		t.Fatalf("reply %s: %v", f.Raw, err)
	}
	return n
}

func TestFanoutBinary(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	a, b := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)
	ca := l.hello(t, a)
	l.hello(t, b)
	join(t, a, "r")
	join(t, b, "r")
	payload := []byte{0, 1, 2, 0xff}
	if n := srv.EmitToRoom("/", "r", "img", host.Payload{Data: payload, Binary: true}); n != 2 {
		t.Errorf("EmitToRoom sent to %d", n)
	}
	if n := ca.EmitTo("r", "img", host.Payload{Data: payload, Binary: true}); n != 1 {
		t.Errorf("EmitTo sent to %d", n)
	}
	if n := ca.Broadcast("img", host.Payload{Data: payload, Binary: true}); n != 1 {
		t.Errorf("Broadcast sent to %d", n)
	}
	if n := srv.Emit("/", "img", host.Payload{Data: payload, Binary: true}); n != 2 {
		t.Errorf("Emit sent to %d", n)
	}
	for c, frames := range map[*wstest.Client]int{a: 2, b: 4} {
		for range frames {
			env, got := wstest.WantBinary(t, c.Next(t))
			if string(env) != `{"event":"img"}` || string(got) != string(payload) {
				t.Errorf("binary push %s % x", env, got)
			}
		}
		c.Sync(t)
	}
}

// TestFanoutSlowConsumer: a member that does not read is disconnected with
// 4008 when its buffer fills, and the others keep getting every push.
func TestFanoutSlowConsumer(t *testing.T) {
	t.Parallel()
	hk, l := newHooks(), newLifecycle()
	srv := newServer(t, l, host.Config{SendBuffer: 8, Hooks: hk})
	fast := []*wstest.Client{wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)}
	for _, c := range fast {
		l.hello(t, c)
		join(t, c, "r")
	}
	slow := wstest.DialRaw(t, srv.wsURL, nil)
	_ = slow.SetReadDeadline(time.Now().Add(safety))
	for _, req := range []string{wstest.Request("1", "hello", ""), wstest.Request("2", "join", `"r"`)} {
		if err := slow.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := slow.ReadMessage(); err != nil {
			t.Fatal(err)
		}
	}
	slowConn := l.conn(t)

	push := []byte(`"` + strings.Repeat("p", 64<<10) + `"`)
	sent := 0
	for ; sent < 5000; sent++ {
		n := srv.EmitToRoom("/", "r", "big", host.Payload{Data: push})
		for _, c := range fast {
			if d := wstest.WantPush(t, c.Next(t), "big"); len(d) != len(push) {
				t.Fatalf("push of %d bytes", len(d))
			}
		}
		if n == 2 {
			break
		}
		if n != 3 {
			t.Fatalf("EmitToRoom sent to %d, want 3", n)
		}
	}
	t.Logf("the slow member was dropped after %d pushes of 64 KiB", sent)
	// The 4008 close waits behind the frame being written: read.
	var err error
	for err == nil {
		_, _, err = slow.ReadMessage()
	}
	wstest.WantCloseError(t, err, host.CloseSlowConsumer, "*")
	if d := hk.nextDisconnect(t); d.conn != slowConn || d.reason != host.ReasonSlowConsumer {
		t.Errorf("Disconnect(%s, %q), want the slow one with %q", d.conn.ID(), d.reason, host.ReasonSlowConsumer)
	}
	closedWithin(t, slowConn.Done(), "Conn.Done")
	if n := srv.RoomSize("/", "r"); n != 2 {
		t.Errorf("RoomSize = %d after the slow one went", n)
	}
	if n := srv.EmitToRoom("/", "r", "after", host.Payload{Data: nil}); n != 2 {
		t.Errorf("EmitToRoom after: sent to %d", n)
	}
	for _, c := range fast {
		wstest.WantPush(t, c.Next(t), "after")
	}
}

func TestData(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	conn := l.hello(t, c)
	wstest.WantReply(t, c.CallID(t, "1", "data", ""), "1", `{}`)
	wstest.WantReply(t, c.CallID(t, "2", "setData", `{"score":3,"name":"ada"}`), "2", `null`)
	wstest.WantReply(t, c.CallID(t, "3", "data", ""), "3", `{"score":3,"name":"ada"}`)
	if got := string(conn.Data()); got != `{"score":3,"name":"ada"}` {
		t.Errorf("Data() = %s", got)
	}
	// SetData copies.
	b := []byte(`{"n":1}`)
	conn.SetData(b)
	b[5] = '2'
	if got := string(conn.Data()); got != `{"n":1}` {
		t.Errorf("Data() = %s after the caller changed its slice", got)
	}
	conn.SetData(nil)
	if got := string(conn.Data()); got != `{}` {
		t.Errorf("Data() = %s after SetData(nil)", got)
	}
}

// TestConcurrentState: Data, SetData, Join, Leave, Rooms and fan-out from
// many goroutines at once, for the race detector.
func TestConcurrentState(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{SendBuffer: 4096})
	var conns []*host.Conn
	for range 3 {
		c := wstest.Dial(t, srv.wsURL)
		conns = append(conns, l.hello(t, c))
	}
	valid := map[string]bool{`{}`: true}
	for i := range 8 {
		valid[fmt.Sprintf(`{"w":%d}`, i)] = true
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			conn := conns[i%len(conns)]
			room := fmt.Sprintf("room%d", i%2)
			for j := range 200 {
				conn.SetData(fmt.Appendf(nil, `{"w":%d}`, i))
				if d := string(conns[j%len(conns)].Data()); !valid[d] {
					t.Errorf("Data() = %s", d)
					return
				}
				_ = conn.Join(room)
				conn.EmitTo(room, "tick", host.Payload{})
				_ = conn.Rooms()
				_ = srv.RoomSize("/", room)
				if j%3 == 0 {
					conn.Leave(room)
				}
				_ = conn.Handshake().JSON()
			}
		})
	}
	wg.Wait()
	if r := conns[0].Rooms(); !slices.IsSorted(r) {
		t.Errorf("Rooms() = %q", r)
	}
}

// TestRoomsWithoutHooks: a connection leaves its rooms when it ends, with no
// hooks configured too.
func TestRoomsWithoutHooks(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	a, b := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)
	ca := l.hello(t, a)
	l.hello(t, b)
	join(t, a, "r")
	join(t, b, "r")
	a.Write(t, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	closedWithin(t, ca.Done(), "Conn.Done")
	if n := srv.RoomSize("/", "r"); n != 1 {
		t.Errorf("RoomSize = %d, want 1", n)
	}
	if n := srv.EmitToRoom("/", "r", "x", host.Payload{Data: nil}); n != 1 {
		t.Errorf("EmitToRoom sent to %d", n)
	}
	wstest.WantPush(t, b.Next(t), "x")

	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.RoomSize("/", "r"); n != 0 {
		t.Errorf("RoomSize = %d after Shutdown", n)
	}
}

func TestRoomCounts(t *testing.T) {
	t.Parallel()
	l := newLifecycle()
	srv := newServer(t, l, host.Config{})
	a, b := wstest.Dial(t, srv.wsURL), wstest.Dial(t, srv.wsURL)
	join(t, a, "one")
	join(t, a, "two")
	join(t, b, "two")
	if rooms, members := srv.RoomCounts(); rooms != 2 || members != 3 {
		t.Errorf("RoomCounts = %d, %d; want 2, 3", rooms, members)
	}
}
