package socketio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/host/socketio/wire"
)

// socket is a session's connection to one namespace: one host.Conn.
type socket struct {
	sess   *session
	ns     string
	prefix string // what the namespace adds before event names: "" for "/", "chat." for "/chat"
	conn   *host.Conn
}

// EventPrefix returns what namespace ns puts before the names of the events
// sent on it: "" for "/", its path with dots otherwise ("/chat" → "chat.",
// "/a/b" → "a.b."), so that they resolve inside scripts/chat/.
func EventPrefix(ns string) string {
	if ns == "/" {
		return ""
	}
	return strings.ReplaceAll(strings.Trim(ns, "/"), "/", ".") + "."
}

// sendRaw queues a Socket.IO packet of the session's own (CONNECT,
// CONNECT_ERROR, DISCONNECT).
func (ss *session) sendRaw(packet []byte) {
	frame := append([]byte{byte(wire.Message)}, packet...)
	_ = ss.send(host.Message{Frame: frame})
}

// onMessage takes an Engine.IO message: a Socket.IO packet, or one of its
// attachments. A packet that does not decode closes the session, as the
// reference server does. Under inMu.
func (ss *session) onMessage(data []byte, binary bool) {
	var d wire.Decoded
	var done bool
	var err error
	if binary {
		d, done, err = ss.dec.Binary(data)
	} else {
		d, done, err = ss.dec.Text(data)
	}
	if err != nil {
		ss.srv.log.Debug("socket.io: bad packet", "sid", ss.sid, "error", err)
		ss.finish(host.ReasonProtocolError)
		return
	}
	if !done {
		return
	}
	switch d.Type {
	case wire.Connect:
		// On a goroutine of its own, waited for: the admission (hooks,
		// handshake, logging) runs deep, and the stack it grows would stay
		// with the WebSocket's read goroutine for the connection's life
		// (4 KB of every idle connection).
		done := make(chan struct{})
		go func() {
			defer close(done)
			ss.connect(d)
		}()
		<-done
		return
	case wire.Ack, wire.BinaryAck:
		return // the server asks for no acks
	}
	ss.mu.Lock()
	sock := ss.sockets[d.Namespace]
	ss.mu.Unlock()
	if sock == nil {
		// A packet for a namespace the client has not joined.
		ss.finish(host.ReasonProtocolError)
		return
	}
	switch d.Type {
	case wire.Disconnect:
		ss.mu.Lock()
		delete(ss.sockets, d.Namespace)
		ss.mu.Unlock()
		sock.conn.End(host.ReasonClientClosed)
	case wire.Event, wire.BinaryEvent:
		sock.event(d)
	default:
		ss.finish(host.ReasonProtocolError)
	}
}

// connect admits the session to a namespace, or refuses it with a
// CONNECT_ERROR: exactly {"message":"Invalid namespace"} for one that is not
// served, {"message", "data":{"code"}} when the server refuses it.
func (ss *session) connect(d wire.Decoded) {
	ns := d.Namespace
	cfg := &ss.srv.cfg
	if ns != "/" && (cfg.Namespace == nil || !cfg.Namespace(ns)) {
		ss.sendRaw(wire.AppendConnectError(nil, ns, "Invalid namespace", nil))
		return
	}
	ss.mu.Lock()
	_, dup := ss.sockets[ns]
	ss.mu.Unlock()
	if dup {
		return
	}
	sock := &socket{sess: ss, ns: ns, prefix: EventPrefix(ns)}
	auth := d.Data
	if auth == nil {
		auth = []byte("{}") // what socket.handshake.auth is without a payload
	}
	conn, err := ss.srv.host.Accept(context.Background(), host.Admission{
		Request: ss.req, Namespace: ns, Auth: auth, Codec: codec{ns}, Transport: nsTransport{sock}, Protocol: host.ProtocolSocketIO,
	})
	if err != nil {
		code, msg := protocol.CodeInternal, "internal error"
		var pe *protocol.Error
		if errors.As(err, &pe) {
			code, msg = pe.Code, pe.Message
		}
		data := append([]byte(`{"code":`), protocol.AppendString(nil, string(code))...)
		data = append(data, '}')
		ss.sendRaw(wire.AppendConnectError(nil, ns, msg, data))
		return
	}
	sock.conn = conn
	ss.mu.Lock()
	if ss.state != stateOpen {
		ss.mu.Unlock()
		conn.End(host.ReasonConnectionLost)
		return
	}
	ss.sockets[ns] = sock
	ss.connected = true
	ss.mu.Unlock()
	ss.sendRaw(wire.AppendConnect(nil, ns, conn.ID()))
	conn.Opened()
}

// event hands an EVENT to the handlers: ["name", data, rest...] with the
// namespace's prefix before the name.
func (sock *socket) event(d wire.Decoded) {
	args, err := wire.SplitArray(d.Data)
	if err != nil || len(args) == 0 {
		sock.sess.finish(host.ReasonProtocolError)
		return
	}
	name, err := wire.UnquoteString(args[0])
	if err != nil {
		sock.sess.finish(host.ReasonProtocolError)
		return
	}
	var data, rest []byte
	if len(args) > 1 {
		data = args[1]
	}
	if len(args) > 2 {
		rest = joinArray(args[2:])
	}
	event := sock.prefix + name
	if name == "event" {
		event, data = sock.legacyEvent(event, data)
	}
	var id []byte
	if d.HasID {
		id = appendInt(make([]byte, 0, 8), d.ID)
	}
	sock.conn.Receive(id, event, host.Payload{Data: data, Rest: rest, Attachments: d.Buffers})
}

// legacyEvent routes the shape of the project eventhost grew from,
// emit("event", {event, data}), by its inner event, unless a route is
// literally named event.
func (sock *socket) legacyEvent(event string, data []byte) (string, []byte) {
	has := sock.sess.srv.cfg.HasRoute
	if has != nil && has(event) {
		return event, data
	}
	var inner struct {
		Event *string         `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if json.Unmarshal(data, &inner) != nil || inner.Event == nil {
		return event, data
	}
	return sock.prefix + *inner.Event, inner.Data
}

// joinArray makes a JSON array of raw elements.
func joinArray(elems [][]byte) []byte {
	n := 2
	for _, e := range elems {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, ']')
}

// appendInt appends a non-negative ack id.
func appendInt(b []byte, n int64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// parseID reads an ack id back.
func parseID(id []byte) int64 {
	var n int64
	for _, c := range id {
		n = n*10 + int64(c-'0')
	}
	return n
}

// nsTransport carries a namespace connection's messages on its session.
type nsTransport struct{ sock *socket }

// Send queues m on the session.
func (t nsTransport) Send(m host.Message) error { return t.sock.sess.send(m) }

// Close closes the namespace connection's Engine.IO session after what is
// queued: the client sees "transport close" and reconnects, as it does when
// a server goes away (code 1001 means the server is shutting down; other
// codes mean nothing to Socket.IO). A Socket.IO server's DISCONNECT, after
// which the client would not reconnect, is not what /ws's close means.
func (t nsTransport) Close(code int, _ string) error {
	reason := host.ReasonClosedByScript
	if code == websocket.CloseGoingAway {
		reason = host.ReasonServerShutdown
	}
	if !t.sock.sess.closeGracefully(reason) {
		return host.ErrConnClosed
	}
	return nil
}

// Cut ends the session at once.
func (t nsTransport) Cut() { t.sock.sess.finish(host.ReasonConnectionLost) }

// codec encodes a namespace's replies and pushes as Socket.IO packets
// inside Engine.IO messages. It is a value, so that the connections of a
// namespace share it in fan-outs.
type codec struct{ ns string }

// args turns a Payload into the encoder's arguments. A binary first
// argument among other attachments takes placeholder 0, as the reference
// server numbers them in argument order.
func args(p host.Payload) wire.Args {
	if p.Binary && len(p.Attachments) > 0 {
		rest := p.Rest
		for n := len(p.Attachments) - 1; n >= 0; n-- {
			rest = bytes.ReplaceAll(rest, host.Placeholder(n), host.Placeholder(n+1))
		}
		atts := append([][]byte{p.Data}, p.Attachments...)
		return wire.Args{First: host.Placeholder(0), Rest: rest, Attachments: atts}
	}
	return wire.Args{First: p.Data, FirstBinary: p.Binary, Rest: p.Rest, Attachments: p.Attachments}
}

// Reply encodes an ACK of the request with id.
func (c codec) Reply(id []byte, p host.Payload) host.Message {
	frame := append(make([]byte, 0, 16+len(p.Data)+len(p.Rest)), byte(wire.Message))
	frame, atts := wire.AppendAck(frame, c.ns, parseID(id), args(p))
	return host.Message{Frame: frame, Attachments: atts}
}

// Error encodes a failed request: an ACK with {"error":{"code","message"}}
// when it asked for one, else the event "error" with {code, message, event}.
func (c codec) Error(id []byte, event string, code protocol.Code, message string) host.Message {
	frame := append(make([]byte, 0, 64+len(message)), byte(wire.Message))
	if id != nil {
		obj := append([]byte(`{"error":{"code":`), protocol.AppendString(nil, string(code))...)
		obj = append(obj, `,"message":`...)
		obj = protocol.AppendString(obj, message)
		obj = append(obj, "}}"...)
		frame, _ = wire.AppendAck(frame, c.ns, parseID(id), wire.Args{First: obj})
		return host.Message{Frame: frame}
	}
	obj := append([]byte(`{"code":`), protocol.AppendString(nil, string(code))...)
	obj = append(obj, `,"message":`...)
	obj = protocol.AppendString(obj, message)
	obj = append(obj, `,"event":`...)
	obj = protocol.AppendString(obj, event)
	obj = append(obj, '}')
	frame, _ = wire.AppendEvent(frame, c.ns, "error", -1, wire.Args{First: obj})
	return host.Message{Frame: frame}
}

// Push encodes an EVENT.
func (c codec) Push(event string, p host.Payload) host.Message {
	frame := append(make([]byte, 0, 16+len(event)+len(p.Data)+len(p.Rest)), byte(wire.Message))
	frame, atts := wire.AppendEvent(frame, c.ns, event, -1, args(p))
	return host.Message{Frame: frame, Attachments: atts}
}
