package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary frames to both decoders. A decoder must never
// panic, must fail only with a bad_request *Error, must agree exactly with
// the reference path (encoding/json alone), and what it accepts must
// survive a round trip through the encoders.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"event":"api.hello.greeting","data":{"name":"Ada"},"id":1}`,
		`{"event":"a.b","id":"x"}`,
		`{"event":"a.b"}`,
		`{"event":"","id":1}`,
		`{"id":true}`,
		`[1]`,
		`{"event":"\u00e9\n","data":"\ud800"}`,
		`{`,
	} {
		f.Add([]byte(s), false)
	}
	for _, s := range trickyEnvelopes {
		f.Add([]byte(s), false)
	}
	f.Add(AppendBinary(nil, []byte(`{"event":"files.put","id":3}`), []byte{0, 1, 2}), true)
	f.Add([]byte{0, 0, 0, 200, '{'}, true)
	f.Add([]byte{0, 0}, true)

	f.Fuzz(func(t *testing.T, frame []byte, isBinary bool) {
		checkSameAsReference(t, frame, isBinary)
		decode := DecodeText
		if isBinary {
			decode = DecodeBinary
		}
		req, err := decode(frame)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || perr.Code != CodeBadRequest {
				t.Fatalf("error %v is not a bad_request *Error", err)
			}
			return
		}
		if req.Event == "" {
			t.Fatal("accepted a request without an event")
		}
		if req.ID != nil {
			// A number id is echoed as sent, so it need not fit a float64:
			// 1e999 is a valid id.
			dec := json.NewDecoder(bytes.NewReader(req.ID))
			dec.UseNumber()
			var id any
			if err := dec.Decode(&id); err != nil || dec.More() {
				t.Fatalf("accepted an invalid id %q", req.ID)
			}
			switch id.(type) {
			case string, json.Number:
			default:
				t.Fatalf("accepted id of type %T", id)
			}
		}
		var again Request
		if isBinary {
			env := []byte(`{"event":` + string(AppendString(nil, req.Event)))
			if req.ID != nil {
				env = append(append(env, `,"id":`...), req.ID...)
			}
			env = append(env, '}')
			again, err = DecodeBinary(AppendBinary(nil, env, req.Payload))
		} else {
			frame := AppendPush(nil, req.Event, req.Data)
			again, err = DecodeText(frame)
		}
		if err != nil {
			t.Fatalf("re-encoded request does not decode: %v", err)
		}
		if again.Event != req.Event && json.Valid([]byte(`"`+req.Event+`"`)) {
			t.Fatalf("event %q came back as %q", req.Event, again.Event)
		}
		if !bytes.Equal(again.Payload, req.Payload) {
			t.Fatal("payload changed in a round trip")
		}
	})
}
