package host

import (
	"bytes"
	"encoding/base64"
	"strconv"

	"github.com/eventhost/eventhost/host/protocol"
)

// Payload is the arguments of a reply or a push, as the JS side hands them
// over: the first argument, the ones after it, and the binary values either
// refers to. Every protocol's Codec encodes the same Payload its own way.
type Payload struct {
	// Data is the JSON text of the first argument (nil means null), or its
	// bytes when Binary is set.
	Data []byte
	// Binary reports that Data is a binary value.
	Binary bool
	// Rest is the JSON array text of the arguments after the first; nil (or
	// "[]") when there are none.
	Rest []byte
	// Attachments are binary values that Data and Rest refer to, anywhere
	// in them, as {"_placeholder":true,"num":N}, N indexing Attachments.
	Attachments [][]byte
}

// Reply is a handler's result: a Payload.
type Reply = Payload

// hasRest reports whether p has arguments after the first.
func (p *Payload) hasRest() bool { return len(p.Rest) > 2 }

// Message is what a Codec encodes for the wire: one frame and, for
// protocols that send binary values apart, the binary frames that follow it.
type Message struct {
	// Frame is the encoded frame. It is never modified once made: a fan-out
	// queues the same Message on every receiver.
	Frame []byte
	// Binary sends Frame as a binary frame.
	Binary bool
	// Attachments are sent as binary frames right after Frame.
	Attachments [][]byte
}

// Codec encodes what a connection is sent. Each protocol has one, shared by
// its connections; its methods are called from any goroutine and must not
// keep the slices they are given.
type Codec interface {
	// Reply encodes the successful answer to the request with id (the id's
	// bytes as the request carried them).
	Reply(id []byte, p Payload) Message
	// Error encodes a failed request: an error reply when id is not nil, an
	// error push naming event otherwise.
	Error(id []byte, event string, code protocol.Code, message string) Message
	// Push encodes a push of event.
	Push(event string, p Payload) Message
}

// NativeCodec is the codec of /ws, the native protocol (docs/protocol.md).
// Arguments after the first go in a "rest" member; binary values nested in
// the data are sent as base64 strings, since only a whole frame can be
// binary.
var NativeCodec Codec = nativeCodec{}

type nativeCodec struct{}

func (nativeCodec) Reply(id []byte, p Payload) Message {
	if p.Binary {
		return Message{Frame: protocol.AppendBinary(nil, protocol.BinaryReplyEnvelope(id), p.Data), Binary: true}
	}
	return Message{Frame: withRest(protocol.AppendReply(nil, id, inlineAttachments(p.Data, p.Attachments)), p)}
}

func (nativeCodec) Error(id []byte, event string, code protocol.Code, message string) Message {
	if id != nil {
		return Message{Frame: protocol.AppendError(nil, id, code, message)}
	}
	return Message{Frame: protocol.AppendErrorPush(nil, code, message, event)}
}

func (nativeCodec) Push(event string, p Payload) Message {
	if p.Binary {
		return Message{Frame: protocol.AppendBinary(nil, protocol.BinaryPushEnvelope(event), p.Data), Binary: true}
	}
	return Message{Frame: withRest(protocol.AppendPush(nil, event, inlineAttachments(p.Data, p.Attachments)), p)}
}

// withRest adds p's further arguments to an encoded JSON object frame as
// "rest":[...].
func withRest(frame []byte, p Payload) []byte {
	if !p.hasRest() {
		return frame
	}
	frame = frame[:len(frame)-1] // the closing brace
	frame = append(frame, `,"rest":`...)
	frame = append(frame, inlineAttachments(p.Rest, p.Attachments)...)
	return append(frame, '}')
}

// inlineAttachments replaces each placeholder of data by the base64 string
// of its attachment, for protocols without binary attachments. The JS side
// writes placeholders in exactly this form, which cannot occur inside a
// JSON string (its quotes would be escaped).
func inlineAttachments(data []byte, attachments [][]byte) []byte {
	if len(attachments) == 0 {
		return data
	}
	out := data
	for i, a := range attachments {
		ph := Placeholder(i)
		if !bytes.Contains(out, ph) {
			continue
		}
		s := make([]byte, 0, base64.StdEncoding.EncodedLen(len(a))+2)
		s = append(s, '"')
		s = base64.StdEncoding.AppendEncode(s, a)
		s = append(s, '"')
		out = bytes.ReplaceAll(out, ph, s)
	}
	return out
}

// Placeholder returns the JSON text that stands for attachment n of a
// Payload: {"_placeholder":true,"num":n}.
func Placeholder(n int) []byte {
	b := append([]byte(`{"_placeholder":true,"num":`), strconv.Itoa(n)...)
	return append(b, '}')
}
