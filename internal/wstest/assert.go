package wstest

import (
	"encoding/json"
	"testing"

	"github.com/eventhost/eventhost/host/protocol"
)

// Object decodes a JSON object and checks that it has exactly keys.
func Object(t testing.TB, b []byte, keys ...string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %s: %v", b, err)
	}
	if len(m) != len(keys) {
		t.Fatalf("members of %s: want exactly %v", b, keys)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("members of %s: want exactly %v", b, keys)
		}
	}
	return m
}

// Str decodes a JSON string.
func Str(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a string", raw)
	}
	return s
}

// JSONEqual reports whether a and b are the same JSON value; text that is
// not JSON is compared as is.
func JSONEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// WantReply checks that f is the text frame {"id":id,"data":data} with
// exactly these members, id and data byte for byte.
func WantReply(t testing.TB, f Frame, id, data string) {
	t.Helper()
	if f.Binary {
		t.Fatalf("got %v, want a text reply", f)
	}
	m := Object(t, f.Raw, "id", "data")
	if string(m["id"]) != id || string(m["data"]) != data {
		t.Fatalf("got %s, want id %s and data %s", f.Raw, id, data)
	}
}

// WantErrorReply checks that f is the text frame
// {"id":id,"error":{"code":code,"message":...}} with exactly these members
// and returns the message.
func WantErrorReply(t testing.TB, f Frame, id, code string) string {
	t.Helper()
	if f.Binary {
		t.Fatalf("got %v, want a text error reply", f)
	}
	m := Object(t, f.Raw, "id", "error")
	if string(m["id"]) != id {
		t.Fatalf("got %s, want id %s", f.Raw, id)
	}
	e := Object(t, m["error"], "code", "message")
	if got := Str(t, e["code"]); got != code {
		t.Fatalf("got %s, want code %s", f.Raw, code)
	}
	return Str(t, e["message"])
}

// WantPush checks that f is the text frame {"event":event,"data":...} with
// exactly these members and returns the data.
func WantPush(t testing.TB, f Frame, event string) json.RawMessage {
	t.Helper()
	if f.Binary {
		t.Fatalf("got %v, want a text push", f)
	}
	m := Object(t, f.Raw, "event", "data")
	if got := Str(t, m["event"]); got != event {
		t.Fatalf("got %s, want event %q", f.Raw, event)
	}
	return m["data"]
}

// WantErrorPush checks that f is the push {"event":"error","data":
// {"code":code,"message":...,"event":event}}, with exactly these members,
// and returns the message.
func WantErrorPush(t testing.TB, f Frame, code, event string) string {
	t.Helper()
	d := WantPush(t, f, "error")
	e := Object(t, d, "code", "message", "event")
	if got := Str(t, e["code"]); got != code {
		t.Fatalf("got %s, want code %s", f.Raw, code)
	}
	if got := Str(t, e["event"]); got != event {
		t.Fatalf("got %s, want event %q", f.Raw, event)
	}
	return Str(t, e["message"])
}

// WantBinary checks that f is a binary frame, a 4-byte big-endian envelope
// length, the envelope, the payload, and returns the envelope and the
// payload.
func WantBinary(t testing.TB, f Frame) ([]byte, []byte) {
	t.Helper()
	if !f.Binary {
		t.Fatalf("got %v, want a binary frame", f)
	}
	env, payload, err := protocol.SplitBinary(f.Raw)
	if err != nil {
		t.Fatalf("got %v: %v", f, err)
	}
	return env, payload
}
