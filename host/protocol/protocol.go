package protocol

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// Request is one decoded client frame.
type Request struct {
	// Event names the handler, e.g. "api.hello.greeting".
	Event string
	// ID is the request id exactly as the client sent it (a JSON string or
	// number), or nil when the request wants no reply.
	ID json.RawMessage
	// Data is the request's JSON data, or nil when absent. Always nil for a
	// binary frame.
	Data json.RawMessage
	// Payload holds the bytes after the envelope of a binary frame.
	Payload []byte
	// Binary reports whether the request came as a binary frame.
	Binary bool
}

// envelope is the JSON object of a frame, each member kept raw so that a bad
// member can be reported precisely and the id echoed byte for byte.
type envelope struct {
	Event, ID, Data json.RawMessage
}

// DecodeText decodes a text frame. On failure it returns an *Error with code
// bad_request and, when the frame had a usable id, a Request carrying it, so
// the error can be sent as a reply. The ID and Data of the Request may alias
// frame, which must therefore not be modified while they are in use.
func DecodeText(frame []byte) (Request, error) {
	return decodeText(frame, true)
}

// decodeText is DecodeText; with fast false it takes the reference path,
// encoding/json alone, which the tests compare the fast path against.
func decodeText(frame []byte, fast bool) (Request, error) {
	var req Request
	env, err := decodeEnvelope(frame, fast)
	if err != nil {
		return req, err
	}
	req.Data = env.Data
	return finish(req, env, fast)
}

// DecodeBinary decodes a binary frame: a 4-byte big-endian length N, N bytes
// of JSON envelope (event and id, no data), then the payload. The Payload,
// and maybe the ID, of the Request alias frame, which must therefore not be
// modified while they are in use.
func DecodeBinary(frame []byte) (Request, error) {
	return decodeBinary(frame, true)
}

// decodeBinary is DecodeBinary; fast is as for decodeText.
func decodeBinary(frame []byte, fast bool) (Request, error) {
	req := Request{Binary: true}
	rawEnv, payload, err := SplitBinary(frame)
	if err != nil {
		return req, err
	}
	env, err := decodeEnvelope(rawEnv, fast)
	if err != nil {
		return req, err
	}
	req.Payload = payload
	req, err = finish(req, env, fast)
	if err == nil && env.Data != nil {
		err = Errorf(CodeBadRequest, "a binary frame's envelope has no data: the payload follows the envelope")
	}
	return req, err
}

// decodeEnvelope decodes the JSON envelope b. The fast path, scanEnvelope,
// takes the common shapes, and its raw values alias b; whatever it leaves,
// and all errors, go to decodeEnvelopeJSON. With fast false,
// decodeEnvelopeJSON takes everything.
func decodeEnvelope(b []byte, fast bool) (envelope, error) {
	b = bytes.TrimSpace(b)
	if fast {
		if env, ok := scanEnvelope(b); ok {
			return env, nil
		}
	}
	return decodeEnvelopeJSON(b)
}

// decodeEnvelopeJSON decodes the trimmed envelope b with encoding/json, which
// copies the raw values. It is the reference the fast path must agree with,
// and a function of its own so that the env it hands to encoding/json
// escapes to the heap on this path only.
func decodeEnvelopeJSON(b []byte) (envelope, error) {
	var env envelope
	if len(b) == 0 || b[0] != '{' {
		if json.Valid(b) {
			return env, Errorf(CodeBadRequest, "request must be a JSON object")
		}
		return env, Errorf(CodeBadRequest, "malformed JSON")
	}
	// A map, not the envelope struct: encoding/json would match member names
	// in any case ("Event", "ID"), and the protocol's names are exact.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return env, Errorf(CodeBadRequest, "malformed JSON: %s", trimJSONError(err))
	}
	env.Event, env.ID, env.Data = members["event"], members["id"], members["data"]
	return env, nil
}

// finish validates id and event and copies them into req. The id is checked
// first so that an error about the event can be answered as a reply. With
// fast true, a plain event string is taken without encoding/json.
func finish(req Request, env envelope, fast bool) (Request, error) {
	if env.ID != nil {
		switch c := env.ID[0]; {
		case c == '"', c == '-', c >= '0' && c <= '9':
			req.ID = env.ID
		default:
			return req, Errorf(CodeBadRequest, "id must be a string or a number")
		}
	}
	if env.Event == nil {
		return req, Errorf(CodeBadRequest, "missing event")
	}
	if isNull(env.Event) {
		return req, Errorf(CodeBadRequest, "event must be a string")
	}
	if s, ok := plainString(env.Event); ok && fast {
		req.Event = s
	} else {
		s, err := unmarshalString(env.Event)
		req.Event = s
		if err != nil {
			return req, Errorf(CodeBadRequest, "event must be a string")
		}
	}
	if req.Event == "" {
		return req, Errorf(CodeBadRequest, "event must not be empty")
	}
	if isNull(env.Data) {
		req.Data = nil
	}
	return req, nil
}

// plainString returns the JSON string raw decoded, when it is plain: only
// printable ASCII between its quotes and no backslash, so that it decodes to
// itself.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(inner), true
}

// unmarshalString decodes raw into a string with encoding/json; s is what
// encoding/json leaves in it, even on error. It is a function of its own so
// that s escapes to the heap on this path only.
func unmarshalString(raw []byte) (s string, err error) {
	err = json.Unmarshal(raw, &s)
	return s, err
}

func isNull(b json.RawMessage) bool { return string(b) == "null" }

func trimJSONError(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return se.Error()
	}
	return "invalid request object"
}

// AppendReply appends a text reply {"id":id,"data":data}; data is JSON text,
// and nil stands for null.
func AppendReply(dst []byte, id, data []byte) []byte {
	dst = slices.Grow(dst, len(id)+len(data)+len(`{"id":,"data":null}`))
	dst = append(dst, `{"id":`...)
	dst = append(dst, id...)
	dst = append(dst, `,"data":`...)
	if len(data) == 0 {
		data = []byte("null")
	}
	dst = append(dst, data...)
	return append(dst, '}')
}

// AppendError appends an error reply {"id":id,"error":{"code":...,"message":...}}.
func AppendError(dst []byte, id []byte, code Code, message string) []byte {
	dst = slices.Grow(dst, len(id)+len(code)+len(message)+len(`{"id":,"error":{"code":"","message":""}}`))
	dst = append(dst, `{"id":`...)
	dst = append(dst, id...)
	dst = append(dst, `,"error":{"code":`...)
	dst = AppendString(dst, string(code))
	dst = append(dst, `,"message":`...)
	dst = AppendString(dst, message)
	return append(dst, "}}"...)
}

// AppendPush appends a push {"event":event,"data":data}; data is JSON text,
// and nil stands for null.
func AppendPush(dst []byte, event string, data []byte) []byte {
	dst = slices.Grow(dst, len(event)+len(data)+len(`{"event":"","data":null}`))
	dst = append(dst, `{"event":`...)
	dst = AppendString(dst, event)
	dst = append(dst, `,"data":`...)
	if len(data) == 0 {
		data = []byte("null")
	}
	dst = append(dst, data...)
	return append(dst, '}')
}

// ErrorEvent is the event of the push that reports the failure of a request
// sent without an id.
const ErrorEvent = "error"

// AppendErrorPush appends the push that reports a failed request that had
// no id: {"event":"error","data":{"code":...,"message":...,"event":...}}.
func AppendErrorPush(dst []byte, code Code, message, event string) []byte {
	dst = append(dst, `{"event":"error","data":{"code":`...)
	dst = AppendString(dst, string(code))
	dst = append(dst, `,"message":`...)
	dst = AppendString(dst, message)
	dst = append(dst, `,"event":`...)
	dst = AppendString(dst, event)
	return append(dst, "}}"...)
}

// AppendBinary appends a binary frame: the 4-byte length of envelope, the
// envelope, then payload.
func AppendBinary(dst []byte, envelope []byte, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(envelope)))
	dst = append(dst, envelope...)
	return append(dst, payload...)
}

// SplitBinary splits a binary frame into its JSON envelope and its payload,
// without reading the envelope: what a client does with the server's binary
// replies ({"id":...}) and pushes ({"event":...}).
func SplitBinary(frame []byte) (envelope, payload []byte, err error) {
	if len(frame) < 4 {
		return nil, nil, Errorf(CodeBadRequest, "binary frame shorter than its 4-byte envelope length")
	}
	n := binary.BigEndian.Uint32(frame)
	if uint64(n) > uint64(len(frame)-4) {
		return nil, nil, Errorf(CodeBadRequest, "binary frame envelope length %d exceeds the frame's %d bytes", n, len(frame)-4)
	}
	return frame[4 : 4+n], frame[4+n:], nil
}

// BinaryReplyEnvelope returns the envelope of a binary reply: {"id":id}.
func BinaryReplyEnvelope(id []byte) []byte {
	env := make([]byte, 0, len(id)+7)
	env = append(env, `{"id":`...)
	env = append(env, id...)
	return append(env, '}')
}

// BinaryPushEnvelope returns the envelope of a binary push: {"event":event}.
func BinaryPushEnvelope(event string) []byte {
	env := append([]byte(`{"event":`), AppendString(nil, event)...)
	return append(env, '}')
}

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// in encoding/json.
func AppendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			b, _ := json.Marshal(s) // cannot fail for a string
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
