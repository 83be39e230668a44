package cluster

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/eventhost/eventhost/host"
)

var wireCases = []struct {
	name   string
	origin string
	f      host.Fanout
}{
	{name: "empty", f: host.Fanout{}},
	{name: "room", origin: "N1", f: host.Fanout{
		Target:   host.Target{Namespace: "/", Rooms: []string{"lobby"}, Except: []string{"ABCDEFGHIJKLMNOPQRSTUVWXYZ"}},
		Messages: []host.ProtocolMessage{{Protocol: "ws", Message: host.Message{Frame: []byte(`{"event":"e","data":1}`)}}},
	}},
	{name: "two protocols, binary, attachments", origin: "node-2", f: host.Fanout{
		Target: host.Target{Namespace: "/chat", Rooms: []string{"a", "b", "", "salle à manger"}},
		Messages: []host.ProtocolMessage{
			{Protocol: "ws", Message: host.Message{Frame: []byte{0, 1, 2, 255}, Binary: true}},
			{Protocol: "socket.io", Message: host.Message{Frame: []byte(`451-["e",{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{9, 9}, {}}}},
		},
	}},
}

// equalFanout compares fan-outs, taking nil and empty slices as equal.
func equalFanout(a, b *host.Fanout) bool {
	if a.Namespace != b.Namespace || !equalStrings(a.Rooms, b.Rooms) || !equalStrings(a.Except, b.Except) || len(a.Messages) != len(b.Messages) {
		return false
	}
	for i := range a.Messages {
		x, y := a.Messages[i], b.Messages[i]
		if x.Protocol != y.Protocol || x.Message.Binary != y.Message.Binary || !bytes.Equal(x.Message.Frame, y.Message.Frame) || len(x.Message.Attachments) != len(y.Message.Attachments) {
			return false
		}
		for j := range x.Message.Attachments {
			if !bytes.Equal(x.Message.Attachments[j], y.Message.Attachments[j]) {
				return false
			}
		}
	}
	return true
}

func equalStrings(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestWireRoundTrip(t *testing.T) {
	for _, tt := range wireCases {
		t.Run(tt.name, func(t *testing.T) {
			b := appendFanout(nil, tt.origin, &tt.f)
			if n := fanoutSize(tt.origin, &tt.f); len(b) > n {
				t.Errorf("encoded %d bytes, size bound %d", len(b), n)
			}
			origin, f, err := decodeFanout(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if origin != tt.origin || !equalFanout(f, &tt.f) {
				t.Fatalf("round trip: %q %+v, want %q %+v", origin, f, tt.origin, tt.f)
			}
			// Every truncation is malformed, never a panic.
			for i := range b {
				if _, _, err := decodeFanout(b[:i]); !errors.Is(err, ErrMalformed) {
					t.Fatalf("truncated to %d bytes: err %v", i, err)
				}
			}
			if _, _, err := decodeFanout(append(b, 0)); !errors.Is(err, ErrMalformed) {
				t.Errorf("trailing byte: err %v", err)
			}
		})
	}
}

func TestWireRejects(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{name: "nothing", b: nil},
		{name: "other version", b: []byte{2, 0, 0, 0, 0, 0}},
		{name: "huge count", b: []byte{wireVersion, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{name: "length overflow", b: []byte{wireVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{name: "unknown flag", b: []byte{wireVersion, 0, 0, 0, 0, 1, 0, 2, 0, 0}},
	}
	for _, tt := range tests {
		if _, _, err := decodeFanout(tt.b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", tt.name, err)
		}
	}
}

// FuzzDecodeFanout: decoding never panics, and whatever decodes encodes
// back to the same bytes (the format has one encoding per value).
func FuzzDecodeFanout(f *testing.F) {
	for _, tt := range wireCases {
		f.Add(appendFanout(nil, tt.origin, &tt.f))
	}
	f.Add([]byte{wireVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		origin, fo, err := decodeFanout(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if again := appendFanout(nil, origin, fo); !bytes.Equal(again, b) {
			t.Fatalf("re-encoded %x, decoded from %x", again, b)
		}
	})
}
