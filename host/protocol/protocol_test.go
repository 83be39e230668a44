package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestDecodeText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		frame     string
		wantEvent string
		wantID    string
		wantData  string
		wantCode  Code
	}{
		{name: "full", frame: `{"event":"api.hello.greeting","data":{"name":"Ada"},"id":1}`, wantEvent: "api.hello.greeting", wantID: "1", wantData: `{"name":"Ada"}`},
		{name: "string id", frame: `{"event":"a.b","id":"x-1"}`, wantEvent: "a.b", wantID: `"x-1"`},
		{name: "negative float id", frame: `{"event":"a.b","id":-1.5e3}`, wantEvent: "a.b", wantID: `-1.5e3`},
		{name: "no id", frame: ` {"event":"a.b","data":[1,2]} `, wantEvent: "a.b", wantData: `[1,2]`},
		{name: "null data is absent", frame: `{"event":"a.b","data":null,"id":2}`, wantEvent: "a.b", wantID: "2"},
		{name: "unknown members ignored", frame: `{"event":"a.b","extra":true}`, wantEvent: "a.b"},
		{name: "malformed", frame: `{"event":`, wantCode: CodeBadRequest},
		{name: "empty frame", frame: ``, wantCode: CodeBadRequest},
		{name: "array", frame: `[1,2]`, wantCode: CodeBadRequest},
		{name: "string", frame: `"hello"`, wantCode: CodeBadRequest},
		{name: "missing event keeps id", frame: `{"id":7}`, wantID: "7", wantCode: CodeBadRequest},
		{name: "empty event keeps id", frame: `{"event":"","id":"q"}`, wantID: `"q"`, wantCode: CodeBadRequest},
		{name: "event not a string", frame: `{"event":5,"id":8}`, wantID: "8", wantCode: CodeBadRequest},
		{name: "id bool", frame: `{"event":"a","id":true}`, wantCode: CodeBadRequest},
		{name: "id object", frame: `{"event":"a","id":{}}`, wantCode: CodeBadRequest},
		{name: "id null", frame: `{"event":"a","id":null}`, wantCode: CodeBadRequest},
		{name: "member names are exact", frame: `{"Event":"a","event":"b","ID":1,"Data":2,"id":"e","DATA":3}`, wantEvent: "b", wantID: `"e"`},
		{name: "only other cases", frame: `{"Event":"a","Id":1}`, wantCode: CodeBadRequest},
		{name: "null event keeps id", frame: `{"event":null,"id":"j"}`, wantID: `"j"`, wantCode: CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := DecodeText([]byte(tt.frame))
			if tt.wantCode != "" {
				var perr *Error
				if !errors.As(err, &perr) || perr.Code != tt.wantCode {
					t.Fatalf("err = %v, want code %s", err, tt.wantCode)
				}
				if perr.Message == "" {
					t.Error("error without a message")
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if req.Event != tt.wantEvent || string(req.ID) != tt.wantID || string(req.Data) != tt.wantData {
				t.Errorf("got event=%q id=%q data=%q", req.Event, req.ID, req.Data)
			}
		})
	}
}

// TestEventNotAString: an event that is not a string, null included, is
// reported as such (encoding/json alone reads null as "").
func TestEventNotAString(t *testing.T) {
	t.Parallel()
	for _, frame := range []string{`{"event":null}`, `{"event":5}`, `{"event":["a"]}`} {
		if _, err := DecodeText([]byte(frame)); err == nil || err.Error() != "bad_request: event must be a string" {
			t.Errorf("%s: %v", frame, err)
		}
	}
}

func TestDecodeBinary(t *testing.T) {
	t.Parallel()
	payload := []byte{0, 1, 2, 255}
	frame := AppendBinary(nil, []byte(`{"event":"files.put","id":3}`), payload)
	req, err := DecodeBinary(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !req.Binary || req.Event != "files.put" || string(req.ID) != "3" || !bytes.Equal(req.Payload, payload) || req.Data != nil {
		t.Fatalf("got %+v", req)
	}

	bad := map[string][]byte{
		"short":            {0, 0},
		"length too large": AppendBinary(nil, []byte(`{"event":"a"}`), nil)[:10],
		"data in envelope": AppendBinary(nil, []byte(`{"event":"a","data":1}`), nil),
		"bad json":         AppendBinary(nil, []byte(`{"event"`), nil),
	}
	for name, frame := range bad {
		if _, err := DecodeBinary(frame); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"reply", AppendReply(nil, []byte(`"a"`), []byte(`{"x":1}`)), `{"id":"a","data":{"x":1}}`},
		{"reply undefined", AppendReply(nil, []byte(`1`), nil), `{"id":1,"data":null}`},
		{"error", AppendError(nil, []byte(`1`), CodeHandlerError, `bad "name"`), `{"id":1,"error":{"code":"handler_error","message":"bad \"name\""}}`},
		{"push", AppendPush(nil, "chat.message", []byte(`"hi"`)), `{"event":"chat.message","data":"hi"}`},
		{"error push", AppendErrorPush(nil, CodeUnknownEvent, "no handler", "a.b"), `{"event":"error","data":{"code":"unknown_event","message":"no handler","event":"a.b"}}`},
		{"escaped event", AppendPush(nil, "é\n", nil), `{"event":"é\n","data":null}`},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
		if !json.Valid(tt.got) {
			t.Errorf("%s: invalid JSON %s", tt.name, tt.got)
		}
	}
	// A binary push decodes back to its event and payload.
	frame := AppendBinary(nil, BinaryPushEnvelope("img"), []byte("PNG"))
	req, err := DecodeBinary(frame)
	if err != nil || req.Event != "img" || string(req.Payload) != "PNG" {
		t.Fatalf("binary push round trip: %+v, %v", req, err)
	}
}

func BenchmarkDecodeText(b *testing.B) {
	frame := []byte(`{"event":"api.hello.greeting","data":{"name":"Ada"},"id":1}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeText(frame); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEncodeAllocatesOnce: a reply or push is built in one allocation, on
// the per-call path.
func TestEncodeAllocatesOnce(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under the race detector")
	}
	id, data := []byte(`"req-42"`), []byte(`{"name":"Ada","tags":["a","b"],"n":1}`)
	for name, f := range map[string]func(){
		"reply": func() { AppendReply(nil, id, data) },
		"push":  func() { AppendPush(nil, "chat.message", data) },
		"error": func() { AppendError(nil, id, CodeHandlerError, "name is required") },
	} {
		if n := testing.AllocsPerRun(100, f); n != 1 {
			t.Errorf("%s: %v allocations, want 1", name, n)
		}
	}
}

func BenchmarkAppendReply(b *testing.B) {
	id, data := []byte(`1`), []byte(`{"name":"Ada","tags":["a","b"],"n":1}`)
	b.ReportAllocs()
	for b.Loop() {
		AppendReply(nil, id, data)
	}
}
