package wsframe

import (
	"encoding/json"
	"fmt"

	"github.com/eventhost/eventhost/host/protocol"
)

// Frame is one frame a client received, decoded.
//
// A reply has ID and either Data or Error; a push has Event and no ID (an
// error push is the push whose Event is protocol.ErrorEvent, its Data the
// {"code","message","event"} object). A binary frame has the ID or Event of
// its envelope and its Payload, never Data.
type Frame struct {
	// Binary reports whether the frame came as a binary WebSocket message.
	Binary bool
	// Raw is the frame exactly as received; Payload aliases it.
	Raw []byte
	// ID is the raw JSON text of the reply's id, byte for byte as the
	// server sent it (`1`, `"a"`); "" when the frame has none or a null one.
	ID string
	// Event names a push; "" for a reply.
	Event string
	// Data is the raw JSON of the data member, nil when absent.
	Data json.RawMessage
	// Error is the error of an error reply, nil otherwise.
	Error *Error
	// Payload holds the bytes after a binary frame's envelope.
	Payload []byte
}

// Error is the error member of an error reply.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error returns "code: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// IsReply reports whether f answers a request: it has an id.
func (f Frame) IsReply() bool { return f.ID != "" }

// IsPush reports whether f is a push: an event and no id.
func (f Frame) IsPush() bool { return f.ID == "" && f.Event != "" }

// String returns the frame for a test log: the text, or the binary frame
// quoted.
func (f Frame) String() string {
	if f.Binary {
		return fmt.Sprintf("binary %q", f.Raw)
	}
	return fmt.Sprintf("text %s", f.Raw)
}

// Decode decodes one frame from the server; binary says whether it came as
// a binary message. On failure it returns the Frame with Binary and Raw set,
// so a caller can still show what arrived, and an error saying why. Members
// it does not know are ignored. Raw and Payload alias raw.
func Decode(binary bool, raw []byte) (Frame, error) {
	f := Frame{Binary: binary, Raw: raw}
	obj := raw
	if binary {
		env, payload, err := protocol.SplitBinary(raw)
		if err != nil {
			return f, fmt.Errorf("wsframe: %w", err)
		}
		obj, f.Payload = env, payload
	}
	if !isObject(obj) {
		return f, ErrNotObject
	}
	// A map, not a struct: encoding/json would match member names in any
	// case ("ID"), and the protocol's names are exact.
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return f, fmt.Errorf("wsframe: %w", err)
	}
	if id := m["id"]; id != nil && string(id) != "null" {
		f.ID = string(id)
	}
	if ev := m["event"]; ev != nil && string(ev) != "null" {
		if err := json.Unmarshal(ev, &f.Event); err != nil {
			return f, fmt.Errorf("wsframe: event is not a string: %s", ev)
		}
	}
	if e := m["error"]; e != nil && string(e) != "null" {
		var perr Error
		if err := json.Unmarshal(e, &perr); err != nil {
			return f, fmt.Errorf("wsframe: error member: %w", err)
		}
		f.Error = &perr
	}
	if binary && m["data"] != nil {
		return f, ErrBinaryData
	}
	f.Data = m["data"]
	return f, nil
}

// isObject reports whether the text b starts, after white space, with '{'.
func isObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}
