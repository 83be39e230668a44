package sioclient

import (
	"encoding/json"
	"slices"
)

// Options are socket.io-client's io(url, opts) options, passed through as
// JSON (values from [Bytes] become Buffers). Nil means the defaults.
type Options map[string]any

// Socket is one named socket.io-client socket of a [Client].
type Socket struct {
	c    *Client
	name string
}

// Connect creates the socket name with io(url + namespace, opts) and
// returns at once: wait for its connect with [Socket.WaitConnect]. url is
// the server's base URL ("http://127.0.0.1:PORT"); namespace "" means "/".
func (c *Client) Connect(name, url, namespace string, opts Options) *Socket {
	c.tb.Helper()
	if namespace == "" {
		namespace = "/"
	}
	if opts == nil {
		opts = Options{}
	}
	c.send(map[string]any{"cmd": "connect", "socket": name, "url": url, "namespace": namespace, "opts": opts})
	return &Socket{c: c, name: name}
}

// Name is the socket's name in the client's lines.
func (s *Socket) Name() string { return s.name }

// Next takes the socket's oldest buffered event of one of types (any type
// if none is given), waiting for one until the client's timeout.
func (s *Socket) Next(types ...string) Event {
	s.c.tb.Helper()
	return s.c.take("waiting for "+describeTypes(types), s.name, func(ev Event) bool {
		return ev.Socket == s.name && (len(types) == 0 || slices.Contains(types, ev.Type))
	})
}

func describeTypes(types []string) string {
	if len(types) == 0 {
		return "any event"
	}
	b, _ := json.Marshal(types)
	return string(b)
}

// WaitConnect waits for the socket's connect, failing the test on a
// connect_error.
func (s *Socket) WaitConnect() Event {
	s.c.tb.Helper()
	ev := s.Next(TypeConnect, TypeConnectError)
	if ev.Type != TypeConnect {
		s.c.tb.Fatalf("sioclient: %s: want connect, got %s%s", s.name, ev.raw, s.c.diagnostics(s.name))
	}
	return ev
}

// WaitConnectError waits for the socket's connect_error, failing the test
// if it connects instead.
func (s *Socket) WaitConnectError() Event {
	s.c.tb.Helper()
	ev := s.Next(TypeConnect, TypeConnectError)
	if ev.Type != TypeConnectError {
		s.c.tb.Fatalf("sioclient: %s: want connect_error, got %s%s", s.name, ev.raw, s.c.diagnostics(s.name))
	}
	return ev
}

// WaitDisconnect waits for the socket's disconnect.
func (s *Socket) WaitDisconnect() Event {
	s.c.tb.Helper()
	return s.Next(TypeDisconnect)
}

// WaitEvent takes the oldest buffered event named name that the server
// emitted to the socket, waiting for one until the client's timeout.
func (s *Socket) WaitEvent(name string) Event {
	s.c.tb.Helper()
	return s.c.take("waiting for event "+name, s.name, func(ev Event) bool {
		return ev.Socket == s.name && ev.Type == TypeEvent && ev.Name == name
	})
}

// Emit is socket.emit(event, ...args) without an ack. Use [Bytes] for
// binary arguments.
func (s *Socket) Emit(event string, args ...any) {
	s.c.tb.Helper()
	s.c.send(map[string]any{"cmd": "emit", "socket": s.name, "event": event, "args": nonNil(args)})
}

// EmitAck is socket.emit(event, ...args, ack): it waits for the ack and
// returns its arguments.
func (s *Socket) EmitAck(event string, args ...any) []json.RawMessage {
	s.c.tb.Helper()
	return s.EmitAckEvent(event, args...).Args
}

// EmitAckEvent is [Socket.EmitAck] returning the whole ack line, whose
// [Event.Arg] and [Event.Bytes] decode the arguments.
func (s *Socket) EmitAckEvent(event string, args ...any) Event {
	s.c.tb.Helper()
	id := s.c.send(map[string]any{"cmd": "emit", "socket": s.name, "event": event, "args": nonNil(args), "ack": true})
	return s.c.take("waiting for the ack of "+event, s.name, func(ev Event) bool {
		return ev.Socket == s.name && ev.ID == id && (ev.Type == TypeAck || ev.Type == TypeAckError)
	})
}

// Disconnect is socket.disconnect(): the socket sees a disconnect with
// reason "io client disconnect" and does not reconnect.
func (s *Socket) Disconnect() {
	s.c.tb.Helper()
	s.c.send(map[string]any{"cmd": "disconnect", "socket": s.name})
}

// Open is socket.connect(): connects a disconnected socket again.
func (s *Socket) Open() {
	s.c.tb.Helper()
	s.c.send(map[string]any{"cmd": "open", "socket": s.name})
}

// State asks for socket.connected, socket.id and the transport name now.
func (s *Socket) State() Event {
	s.c.tb.Helper()
	id := s.c.send(map[string]any{"cmd": "state", "socket": s.name})
	return s.c.take("waiting for its state", s.name, func(ev Event) bool {
		return ev.Socket == s.name && ev.ID == id && ev.Type == TypeState
	})
}

func nonNil(args []any) []any {
	if args == nil {
		return []any{}
	}
	return args
}
