package sioclient

import (
	"bytes"
	"encoding/json"
	"testing"
)

// RunBehaviours checks, with the real socket.io-client, a server that has
// the behaviours of testdata/socketio (the reference server, or eventhost
// serving testdata/socketio/scripts) at baseURL: default transports
// (polling, then the upgrade), websocket only, acks with several arguments,
// binary both ways, a custom namespace, connect_error on an unknown
// namespace and on a refusal (with err.data), reconnection after the server
// closes the connection, two sockets of one client on two namespaces, and
// a client-side disconnect. Its subtests, grouped under "socket.io-client",
// run in parallel; it returns when all have finished.
func RunBehaviours(t *testing.T, baseURL string) {
	t.Helper()
	t.Run("socket.io-client", func(t *testing.T) { runBehaviours(t, baseURL) })
}

func runBehaviours(t *testing.T, base string) {

	t.Run("default transports: polling, then upgrade to websocket", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", nil)
		// The Engine.IO connection opens on polling; whether the upgrade
		// has completed by the Socket.IO connect is a race.
		if ev := s.Next(TypeOpen); ev.Transport != "polling" {
			t.Fatalf("open: %s, want transport polling", ev)
		}
		if ev := s.WaitConnect(); ev.SID == "" {
			t.Fatalf("connect: %s, want a sid", ev)
		}
		if ev := s.Next(TypeUpgrade); ev.Transport != "websocket" {
			t.Fatalf("upgrade: %s, want websocket", ev)
		}
		expectArgs(t, s.WaitEvent("auth").Args, `[{}]`)
		if st := s.State(); !st.Connected || st.Transport != "websocket" {
			t.Fatalf("state after the upgrade: %s", st)
		}
		s.Emit("message", "hello", 2)
		expectArgs(t, s.WaitEvent("message-back").Args, `["hello",2]`)
	})

	t.Run("websocket only", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", Options{"transports": []string{"websocket"}})
		if ev := s.WaitConnect(); ev.Transport != "websocket" {
			t.Fatalf("connect: %s, want transport websocket", ev)
		}
		s.Emit("message", map[string]any{"x": []int{1}})
		expectArgs(t, s.WaitEvent("message-back").Args, `[{"x":[1]}]`)
	})

	t.Run("acks with several arguments", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", nil)
		s.WaitConnect()
		expectArgs(t, s.EmitAck("message-with-ack", 1, "2", map[string]any{"3": []bool{false}}), `[1,"2",{"3":[false]}]`)
		expectArgs(t, s.EmitAck("message-with-ack"), `[]`)
	})

	t.Run("binary both ways", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", Options{"transports": []string{"polling"}})
		s.WaitConnect()
		s.Emit("message", Bytes([]byte{1, 2, 3}), map[string]any{"nested": []any{Bytes([]byte{4, 5})}})
		ev := s.WaitEvent("message-back")
		if b, ok := ev.Bytes(0); !ok || !bytes.Equal(b, []byte{1, 2, 3}) {
			t.Fatalf("message-back argument 0: %s, want bytes 1 2 3", ev)
		}
		var nested struct{ Nested []json.RawMessage }
		if err := ev.Arg(1, &nested); err != nil {
			t.Fatal(err)
		}
		if len(nested.Nested) != 1 {
			t.Fatalf("message-back argument 1: %s", ev)
		}
		if b, ok := DecodeBytes(nested.Nested[0]); !ok || !bytes.Equal(b, []byte{4, 5}) {
			t.Fatalf("message-back nested bytes: %s, want 4 5", ev)
		}
		ack := s.EmitAckEvent("message-with-ack", Bytes([]byte{0, 255}))
		if b, ok := ack.Bytes(0); !ok || !bytes.Equal(b, []byte{0, 255}) {
			t.Fatalf("ack: %s, want bytes 0 255", ack)
		}
	})

	t.Run("custom namespace", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/custom", Options{"auth": map[string]any{"token": "abc"}})
		s.WaitConnect()
		expectArgs(t, s.WaitEvent("auth").Args, `[{"token":"abc"}]`)
		s.Emit("message", "on custom")
		expectArgs(t, s.WaitEvent("message-back").Args, `["on custom"]`)
	})

	t.Run("connect_error on an unknown namespace", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/random", nil)
		if ev := s.WaitConnectError(); ev.Message != "Invalid namespace" {
			t.Fatalf("connect_error: %s, want message %q", ev, "Invalid namespace")
		}
	})

	t.Run("connect_error on refusal, with err.data", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", Options{"auth": map[string]any{"refuse": true}})
		ev := s.WaitConnectError()
		if ev.Message != "refused" {
			t.Fatalf("connect_error: %s, want message refused", ev)
		}
		expectArgs(t, []json.RawMessage{ev.Data}, `[{"code":"forbidden"}]`)
	})

	t.Run("reconnection after a server-side close", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", Options{"reconnectionDelay": 100, "reconnectionDelayMax": 200})
		first := s.WaitConnect()
		s.WaitEvent("auth")
		s.Emit("server-close")
		if ev := s.WaitDisconnect(); ev.Reason != "transport close" {
			t.Fatalf("disconnect: %s, want reason %q", ev, "transport close")
		}
		s.Next(TypeReconnectAttempt)
		again := s.WaitConnect()
		if again.SID == "" || again.SID == first.SID {
			t.Fatalf("reconnected with sid %q, first was %q: want a new one", again.SID, first.SID)
		}
		s.Next(TypeReconnect)
		s.WaitEvent("auth")
		expectArgs(t, s.EmitAck("message-with-ack", "after"), `["after"]`)
	})

	t.Run("two sockets of one client, on two namespaces", func(t *testing.T) {
		t.Parallel()
		c := Start(t)
		main := c.Connect("main", base, "/", nil)
		custom := c.Connect("custom", base, "/custom", nil)
		main.WaitConnect()
		custom.WaitConnect()
		custom.Emit("message", "to custom")
		main.Emit("message", "to main")
		expectArgs(t, custom.WaitEvent("message-back").Args, `["to custom"]`)
		expectArgs(t, main.WaitEvent("message-back").Args, `["to main"]`)
		custom.Disconnect()
		custom.WaitDisconnect()
		expectArgs(t, main.EmitAck("message-with-ack", "still here"), `["still here"]`)
	})

	t.Run("client disconnect", func(t *testing.T) {
		t.Parallel()
		s := Start(t).Connect("a", base, "/", nil)
		s.WaitConnect()
		s.Disconnect()
		if ev := s.WaitDisconnect(); ev.Reason != "io client disconnect" {
			t.Fatalf("disconnect: %s, want reason %q", ev, "io client disconnect")
		}
	})
}

// expectArgs fails unless args, as a JSON array, equals want.
func expectArgs(t *testing.T, args []json.RawMessage, want string) {
	t.Helper()
	if args == nil {
		args = []json.RawMessage{}
	}
	got, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gn, _ := json.Marshal(g)
	wn, _ := json.Marshal(w)
	if !bytes.Equal(gn, wn) {
		t.Fatalf("arguments %s, want %s", got, want)
	}
}
