package main

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/internal/wsframe"
)

// template is every request frame of a run but its id: head, id, tail.
type template struct{ head, tail []byte }

// nativeTemplate is the native request frame:
// {"event":EVENT,"data":DATA,"id":ID}
func nativeTemplate(event string, data json.RawMessage) template {
	head := append([]byte(`{"event":`), protocol.AppendString(nil, event)...)
	head = append(head, `,"data":`...)
	head = append(head, data...)
	head = append(head, `,"id":`...)
	return template{head: head, tail: []byte("}")}
}

// size is the length of a request frame without its id.
func (t template) size() int { return len(t.head) + len(t.tail) }

// appendRequest appends a whole request frame with the given id. It does
// not allocate when dst has room.
func (t template) appendRequest(dst []byte, id uint64) []byte {
	dst = append(dst, t.head...)
	dst = strconv.AppendUint(dst, id, 10)
	return append(dst, t.tail...)
}

// frameKind says what a frame from the server is.
type frameKind uint8

const (
	frameOther   frameKind = iota // not a frame of the protocol, or a reply whose id eventload did not send
	frameOK                       // a reply with data
	frameError                    // a reply with an error
	framePush                     // a push: an event without an id
	framePing                     // a heartbeat the client must answer (Socket.IO: Engine.IO ping)
	frameControl                  // a frame of the protocol that carries no reply (Socket.IO: noop, attachment of a push)
	frameClose                    // the server ended the session (Socket.IO: DISCONNECT or Engine.IO close)
)

// parseFrame classifies a frame from the server. For replies it returns the
// id, which eventload always sends as a positive integer, and for error
// replies the code (aliasing frame). The server's own replies start with
// {"id":N, and are read without decoding the JSON; anything else is decoded.
func parseFrame(messageType int, frame []byte) (kind frameKind, id uint64, code []byte) {
	if messageType == websocket.BinaryMessage {
		return parseDecoded(true, frame)
	}
	const (
		head      = `{"id":`
		dataTail  = `,"data":`
		errorTail = `,"error":{"code":"`
	)
	if rest, ok := bytes.CutPrefix(frame, []byte(head)); ok {
		// At most 19 digits, so n cannot overflow; no leading zero.
		var n uint64
		i := 0
		for ; i < len(rest) && i < 19 && rest[i] >= '0' && rest[i] <= '9'; i++ {
			n = n*10 + uint64(rest[i]-'0')
		}
		if n > 0 && rest[0] != '0' {
			switch tail := rest[i:]; {
			case bytes.HasPrefix(tail, []byte(dataTail)):
				return frameOK, n, nil
			case bytes.HasPrefix(tail, []byte(errorTail)):
				c := tail[len(errorTail):]
				if end := bytes.IndexByte(c, '"'); end > 0 && bytes.IndexByte(c[:end], '\\') < 0 {
					return frameError, n, c[:end]
				}
			}
		}
	}
	return parseDecoded(false, frame)
}

// parseDecoded is parseFrame's slow path, for binary frames and the text
// frames the fast path leaves: the frame decoded in full by wsframe.
func parseDecoded(binary bool, frame []byte) (frameKind, uint64, []byte) {
	f, err := wsframe.Decode(binary, frame)
	if err != nil {
		return frameOther, 0, nil
	}
	if !f.IsReply() {
		if f.IsPush() {
			return framePush, 0, nil
		}
		return frameOther, 0, nil
	}
	n, err := strconv.ParseUint(f.ID, 10, 64)
	if err != nil || n == 0 {
		return frameOther, 0, nil
	}
	if f.Error != nil {
		code := f.Error.Code
		if code == "" {
			code = "unknown"
		}
		return frameError, n, []byte(code)
	}
	return frameOK, n, nil
}
