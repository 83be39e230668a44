package wsframe

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/eventhost/eventhost/host/protocol"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		binary  bool
		raw     []byte
		want    Frame // Binary and Raw are filled in by the test
		wantErr error // nil: no error; errAny: any error
	}{
		{name: "reply", raw: protocol.AppendReply(nil, []byte("1"), []byte(`{"a":[1, 2]}`)),
			want: Frame{ID: "1", Data: json.RawMessage(`{"a":[1, 2]}`)}},
		{name: "null reply", raw: protocol.AppendReply(nil, []byte(`"x"`), nil),
			want: Frame{ID: `"x"`, Data: json.RawMessage("null")}},
		{name: "error reply", raw: protocol.AppendError(nil, []byte("7"), protocol.CodeTimeout, "too \"slow\""),
			want: Frame{ID: "7", Error: &Error{Code: "timeout", Message: `too "slow"`}}},
		{name: "push", raw: protocol.AppendPush(nil, "tick", []byte("1")),
			want: Frame{Event: "tick", Data: json.RawMessage("1")}},
		{name: "error push", raw: protocol.AppendErrorPush(nil, protocol.CodeUnknownEvent, "no", "a.b"),
			want: Frame{Event: "error", Data: json.RawMessage(`{"code":"unknown_event","message":"no","event":"a.b"}`)}},
		{name: "null id is no id", raw: []byte(`{"id":null,"event":"e"}`), want: Frame{Event: "e"}},
		{name: "names are exact", raw: []byte(`{"ID":1,"Event":"e","data":2}`), want: Frame{Data: json.RawMessage("2")}},
		{name: "binary reply", binary: true, raw: protocol.AppendBinary(nil, protocol.BinaryReplyEnvelope([]byte("3")), []byte{0, 1}),
			want: Frame{ID: "3", Payload: []byte{0, 1}}},
		{name: "binary push", binary: true, raw: protocol.AppendBinary(nil, protocol.BinaryPushEnvelope("blob"), []byte{9}),
			want: Frame{Event: "blob", Payload: []byte{9}}},
		{name: "binary empty payload", binary: true, raw: protocol.AppendBinary(nil, []byte(`{"id":1}`), nil),
			want: Frame{ID: "1", Payload: []byte{}}},
		{name: "not json", raw: []byte("hello"), wantErr: ErrNotObject},
		{name: "array", raw: []byte("[1]"), wantErr: ErrNotObject},
		{name: "null", raw: []byte("null"), wantErr: ErrNotObject},
		{name: "truncated", raw: []byte(`{"id":1`), wantErr: errAny},
		{name: "event not a string", raw: []byte(`{"event":1}`), wantErr: errAny},
		{name: "error not an object", raw: []byte(`{"id":1,"error":"x"}`), wantErr: errAny},
		{name: "short binary", binary: true, raw: []byte{0, 0}, wantErr: errAny},
		{name: "binary envelope too long", binary: true, raw: []byte("\x00\x00\x00\x09{}"), wantErr: errAny},
		{name: "binary with data", binary: true, raw: protocol.AppendBinary(nil, []byte(`{"id":1,"data":2}`), nil), wantErr: ErrBinaryData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode(tt.binary, tt.raw)
			if got.Binary != tt.binary || !bytes.Equal(got.Raw, tt.raw) {
				t.Fatalf("Decode kept Binary %v Raw %q, want %v %q", got.Binary, got.Raw, tt.binary, tt.raw)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Decode(%q) = %v", tt.raw, err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Decode(%q) error %v, want %v", tt.raw, err, tt.wantErr)
			case err != nil:
				return
			}
			tt.want.Binary, tt.want.Raw = tt.binary, tt.raw
			if !equal(got, tt.want) {
				t.Fatalf("Decode(%q)\n got %+v\nwant %+v", tt.raw, got, tt.want)
			}
		})
	}
}

// errAny in a test case accepts any error.
var errAny = errors.New("any error")

func equal(a, b Frame) bool {
	if (a.Error == nil) != (b.Error == nil) || a.Error != nil && *a.Error != *b.Error {
		return false
	}
	return a.Binary == b.Binary && bytes.Equal(a.Raw, b.Raw) && a.ID == b.ID && a.Event == b.Event &&
		bytes.Equal(a.Data, b.Data) && (a.Data == nil) == (b.Data == nil) &&
		bytes.Equal(a.Payload, b.Payload) && (a.Payload == nil) == (b.Payload == nil)
}

func TestKinds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		f           Frame
		reply, push bool
	}{
		{"reply", Frame{ID: "1"}, true, false},
		{"reply with an event", Frame{ID: "1", Event: "e"}, true, false},
		{"push", Frame{Event: "e"}, false, true},
		{"neither", Frame{}, false, false},
	} {
		if tt.f.IsReply() != tt.reply || tt.f.IsPush() != tt.push {
			t.Errorf("%s: IsReply %v IsPush %v, want %v %v", tt.name, tt.f.IsReply(), tt.f.IsPush(), tt.reply, tt.push)
		}
	}
}

// FuzzDecode: Decode never panics; what the server's encoders (host/protocol)
// build comes back part for part; and a frame that decodes keeps what it
// was given.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`"a"`), "ev", []byte(`{"x":1}`), "code", "message", byte(0))
	f.Add([]byte(`12`), "", []byte(`null`), "", "", byte(1))
	f.Add([]byte(`"\u00e9"`), "\xff", []byte(`"\ud800"`), "a\"b", "\n", byte(2))
	f.Add([]byte(`1`), "blob", []byte{0, 1, 2}, "", "", byte(3))
	f.Add([]byte(`1`), "blob", []byte{0, 1, 2}, "", "", byte(4))
	f.Fuzz(func(t *testing.T, id []byte, event string, data []byte, code, message string, shape byte) {
		// Whatever the bytes, Decode does not panic, either way.
		for _, binary := range []bool{false, true} {
			if got, err := Decode(binary, data); err == nil && got.Binary != binary {
				t.Fatal("Binary not kept")
			}
		}
		validID := json.Valid(id) && (id[0] == '"' || id[0] == '-' || id[0] >= '0' && id[0] <= '9')
		var raw []byte
		var binary bool
		want := Frame{}
		switch shape % 5 {
		case 0: // reply
			if !validID || !json.Valid(data) {
				t.Skip()
			}
			raw, want.ID, want.Data = protocol.AppendReply(nil, id, data), string(id), data
		case 1: // error reply
			if !validID {
				t.Skip()
			}
			raw = protocol.AppendError(nil, id, protocol.Code(code), message)
			want.ID, want.Error = string(id), &Error{Code: code, Message: message}
		case 2: // push
			if !json.Valid(data) {
				t.Skip()
			}
			raw, want.Event, want.Data = protocol.AppendPush(nil, event, data), event, data
		case 3: // binary reply
			if !validID {
				t.Skip()
			}
			binary, raw = true, protocol.AppendBinary(nil, protocol.BinaryReplyEnvelope(id), data)
			want.ID, want.Payload = string(id), data
		case 4: // binary push
			binary, raw = true, protocol.AppendBinary(nil, protocol.BinaryPushEnvelope(event), data)
			want.Event, want.Payload = event, data
		}
		got, err := Decode(binary, raw)
		if err != nil {
			t.Fatalf("Decode(%q): %v", raw, err)
		}
		// JSON strings are compared decoded: invalid UTF-8 comes back as
		// U+FFFD, and the id and data as the encoder wrote them.
		want.Event, want.Binary, want.Raw = roundTrip(want.Event), binary, raw
		if want.Error != nil {
			want.Error = &Error{Code: roundTrip(want.Error.Code), Message: roundTrip(want.Error.Message)}
		}
		if got.Data != nil && want.Data != nil && bytes.Equal(bytes.TrimSpace(got.Data), bytes.TrimSpace(want.Data)) {
			want.Data = got.Data
		}
		if got.Payload != nil && len(got.Payload) == 0 && len(want.Payload) == 0 {
			want.Payload = got.Payload
		}
		if got.ID != "" && want.ID != "" && bytes.Equal(bytes.TrimSpace([]byte(got.ID)), bytes.TrimSpace([]byte(want.ID))) {
			want.ID = got.ID
		}
		if !equal(got, want) {
			t.Fatalf("Decode(%q)\n got %+v\nwant %+v", raw, got, want)
		}
	})
}

// roundTrip is s after a trip through a JSON string.
func roundTrip(s string) string {
	var out string
	_ = json.Unmarshal(protocol.AppendString(nil, s), &out)
	return out
}
