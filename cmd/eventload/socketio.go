package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
)

// Socket.IO v5 over Engine.IO v4, WebSocket transport: every WebSocket text
// message is one Engine.IO packet, a type digit and its data; a MESSAGE (4)
// carries one Socket.IO packet, again a type digit and its data. Binary
// messages are the attachments of a BINARY_EVENT or BINARY_ACK.
//
// eventload connects to the namespace "/" only, sends every request as
// EVENT with an ack id, 42<id>["<event>",<data>], and counts the ACK
// 43<id>[...] as the reply.

// handshakeWait bounds the Engine.IO open and the Socket.IO CONNECT of one
// connection.
const handshakeWait = 10 * time.Second

// maxAttachments bounds the attachment count eventload accepts in a binary
// packet (the reference server refuses more than 10).
const maxAttachments = 10

// errSocketIO marks a Socket.IO handshake the server did not complete.
var errSocketIO = errors.New("eventload: socket.io handshake")

// socketIOTemplate is the Socket.IO request frame: 42ID["EVENT",DATA]
func socketIOTemplate(event string, data json.RawMessage) template {
	tail := append([]byte(`[`), protocol.AppendString(nil, event)...)
	tail = append(tail, ',')
	tail = append(tail, data...)
	tail = append(tail, ']')
	return template{head: []byte("42"), tail: tail}
}

// sioOpen is the part of the Engine.IO open packet eventload reads (it
// answers pings whenever they come, so it needs no interval).
type sioOpen struct {
	SID        string `json:"sid"`
	MaxPayload int64  `json:"maxPayload"`
}

// socketIOHandshake reads the Engine.IO open packet, sends CONNECT to "/"
// and waits for the server's CONNECT, answering pings meanwhile. A request
// frame of requestSize bytes (without its id) must fit the server's
// maxPayload.
func socketIOHandshake(ctx context.Context, ws *websocket.Conn, requestSize int) error {
	deadline := time.Now().Add(handshakeWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = ws.SetReadDeadline(deadline)
	_ = ws.SetWriteDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = ws.SetReadDeadline(time.Now()) })
	defer func() {
		stop()
		_ = ws.SetReadDeadline(time.Time{})
		_ = ws.SetWriteDeadline(time.Time{})
	}()

	typ, msg, err := ws.ReadMessage()
	if err != nil {
		return fmt.Errorf("%w: read open packet: %w", errSocketIO, err)
	}
	var open sioOpen
	if typ != websocket.TextMessage || len(msg) == 0 || msg[0] != '0' || json.Unmarshal(msg[1:], &open) != nil || open.SID == "" {
		return fmt.Errorf("%w: want an Engine.IO open packet, got %.100q", errSocketIO, msg)
	}
	if open.MaxPayload > 0 && int64(requestSize+20) > open.MaxPayload {
		return fmt.Errorf("%w: a request frame of %d bytes exceeds the server's maxPayload %d", errSocketIO, requestSize+20, open.MaxPayload)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("40")); err != nil {
		return fmt.Errorf("%w: write CONNECT: %w", errSocketIO, err)
	}
	for {
		typ, msg, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("%w: wait for CONNECT: %w", errSocketIO, err)
		}
		switch {
		case typ == websocket.TextMessage && string(msg) == "2":
			if err := ws.WriteMessage(websocket.TextMessage, []byte("3")); err != nil {
				return fmt.Errorf("%w: write pong: %w", errSocketIO, err)
			}
		case typ == websocket.TextMessage && string(msg) == "6":
		case typ == websocket.TextMessage && bytes.HasPrefix(msg, []byte("40{")):
			var ok struct {
				SID string `json:"sid"`
			}
			if json.Unmarshal(msg[2:], &ok) != nil || ok.SID == "" {
				return fmt.Errorf("%w: CONNECT without a sid: %.100q", errSocketIO, msg)
			}
			return nil
		case typ == websocket.TextMessage && bytes.HasPrefix(msg, []byte("44")):
			return fmt.Errorf("%w: CONNECT refused: %.200s", errSocketIO, msg[2:])
		default:
			return fmt.Errorf("%w: want CONNECT, got %.100q", errSocketIO, msg)
		}
	}
}

// sioParser classifies the packets of one Socket.IO connection. Its state
// is the number of binary attachments still to come.
type sioParser struct {
	attachments int
}

func (p *sioParser) parse(typ int, frame []byte) (frameKind, uint64, []byte) {
	if typ == websocket.BinaryMessage {
		if p.attachments > 0 {
			p.attachments--
			return frameControl, 0, nil
		}
		return frameOther, 0, nil
	}
	if p.attachments > 0 { // text while attachments are awaited
		p.attachments = 0
		return frameOther, 0, nil
	}
	if len(frame) == 0 {
		return frameOther, 0, nil
	}
	switch frame[0] {
	case '4':
		return p.message(frame[1:])
	case '2':
		if len(frame) == 1 {
			return framePing, 0, nil
		}
	case '6':
		if len(frame) == 1 {
			return frameControl, 0, nil
		}
	case '1':
		return frameClose, 0, nil
	}
	return frameOther, 0, nil
}

// message classifies a Socket.IO packet: m is an Engine.IO MESSAGE's data.
func (p *sioParser) message(m []byte) (frameKind, uint64, []byte) {
	if len(m) == 0 {
		return frameOther, 0, nil
	}
	rest := m[1:]
	switch m[0] {
	case '3': // ACK
		id, args, ok := cutNumber(rest)
		if !ok || id == 0 || len(args) == 0 || args[0] != '[' {
			return frameOther, 0, nil
		}
		if code, isErr := ackError(args); isErr {
			return frameError, id, code
		}
		return frameOK, id, nil
	case '2': // EVENT, from the server: a push
		if len(rest) > 0 && (rest[0] == '[' || rest[0] >= '0' && rest[0] <= '9') {
			return framePush, 0, nil
		}
	case '5', '6': // BINARY_EVENT, BINARY_ACK: <n>-[<nsp>,][<id>][...]
		n, after, ok := cutNumber(rest)
		if !ok || n == 0 || n > maxAttachments || len(after) == 0 || after[0] != '-' {
			return frameOther, 0, nil
		}
		p.attachments = int(n)
		after = after[1:]
		if len(after) > 0 && after[0] == '/' {
			return frameOther, 0, nil // another namespace
		}
		if m[0] == '5' {
			return framePush, 0, nil
		}
		id, args, ok := cutNumber(after)
		if !ok || id == 0 || len(args) == 0 || args[0] != '[' {
			return frameOther, 0, nil
		}
		return frameOK, id, nil
	case '1': // DISCONNECT from "/"
		if len(rest) == 0 {
			return frameClose, 0, nil
		}
	}
	return frameOther, 0, nil
}

// cutNumber reads the decimal number b starts with, a uint64 without a
// leading zero. ok is false when b does not start with one.
func cutNumber(b []byte) (n uint64, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, b, false
		}
		n = n*10 + d
	}
	if i == 0 || (b[0] == '0' && i > 1) {
		return 0, b, false
	}
	return n, b[i:], true
}

// ackError reports whether an ACK's argument array is a single object whose
// only key is "error", an object with a string "code" (empty: "unknown").
// Arrays without the text "error" are OK replies without being decoded.
func ackError(args []byte) (code []byte, isErr bool) {
	if !bytes.Contains(args, []byte(`"error"`)) {
		return nil, false
	}
	if code, ok := fastAckError(args); ok {
		return code, true
	}
	return decodeAckError(args)
}

// decodeAckError is ackError's slow path: it decodes args.
func decodeAckError(args []byte) (code []byte, isErr bool) {
	var list []map[string]json.RawMessage
	if json.Unmarshal(args, &list) != nil || len(list) != 1 || len(list[0]) != 1 || list[0]["error"] == nil {
		return nil, false
	}
	var e struct {
		Code *string `json:"code"`
	}
	if json.Unmarshal(list[0]["error"], &e) != nil || e.Code == nil {
		return nil, false
	}
	if *e.Code == "" {
		return []byte("unknown"), true
	}
	return []byte(*e.Code), true
}

// fastAckError reads, without decoding, an error ack as servers write it:
// [{"error":{"code":"CODE","message":"MESSAGE"}}] with no escape in CODE.
// ok is false for anything else, which ackError then decodes. Like the
// native fast path it does not validate: on valid JSON it agrees with
// decodeAckError.
func fastAckError(args []byte) (code []byte, ok bool) {
	const head, middle, tail = `[{"error":{"code":"`, `","message":"`, `"}}]`
	rest, found := bytes.CutPrefix(args, []byte(head))
	end := bytes.IndexByte(rest, '"')
	if !found || end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return nil, false
	}
	code, rest = rest[:end], rest[end:]
	msg, found := bytes.CutPrefix(rest, []byte(middle))
	if !found || !bytes.HasSuffix(msg, []byte(tail)) {
		return nil, false
	}
	msg = msg[:len(msg)-len(tail)]
	for i := 0; i < len(msg); i++ { // the message is one JSON string
		switch msg[i] {
		case '\\':
			if i == len(msg)-1 {
				return nil, false // it escapes the closing quote
			}
			i++
		case '"':
			return nil, false
		}
	}
	if len(code) == 0 {
		return []byte("unknown"), true
	}
	return code, true
}
