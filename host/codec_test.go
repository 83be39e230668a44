package host_test

import (
	"testing"

	"github.com/eventhost/eventhost/host"
)

// TestNativeCodec: several arguments go in "rest"; binary values nested in
// the data become base64 strings, since only a whole /ws frame is binary.
func TestNativeCodec(t *testing.T) {
	t.Parallel()
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	tests := []struct {
		name string
		msg  host.Message
		want string
	}{
		{"reply", host.NativeCodec.Reply([]byte("1"), host.Payload{Data: []byte(`"a"`)}), `{"id":1,"data":"a"}`},
		{"reply with rest", host.NativeCodec.Reply([]byte("1"), host.Payload{Data: []byte(`"a"`), Rest: []byte(`[2,{"b":3}]`)}), `{"id":1,"data":"a","rest":[2,{"b":3}]}`},
		{"empty rest", host.NativeCodec.Reply([]byte("1"), host.Payload{Data: []byte(`1`), Rest: []byte(`[]`)}), `{"id":1,"data":1}`},
		{"push with rest", host.NativeCodec.Push("e", host.Payload{Data: []byte(`1`), Rest: []byte(`[2]`)}), `{"event":"e","data":1,"rest":[2]}`},
		{"nested binary", host.NativeCodec.Push("e", host.Payload{
			Data:        []byte(`{"x":` + ph("0") + `,"y":[` + ph("1") + `]}`),
			Rest:        []byte(`[` + ph("1") + `]`),
			Attachments: [][]byte{{1, 2, 3}, {255}},
		}), `{"event":"e","data":{"x":"AQID","y":["/w=="]},"rest":["/w=="]}`},
		{"error reply", host.NativeCodec.Error([]byte(`"q"`), "e", "timeout", "late"), `{"id":"q","error":{"code":"timeout","message":"late"}}`},
		{"error push", host.NativeCodec.Error(nil, "e", "timeout", "late"), `{"event":"error","data":{"code":"timeout","message":"late","event":"e"}}`},
	}
	for _, tt := range tests {
		if got := string(tt.msg.Frame); got != tt.want || tt.msg.Binary || tt.msg.Attachments != nil {
			t.Errorf("%s: %s (binary %v, attachments %d), want %s", tt.name, got, tt.msg.Binary, len(tt.msg.Attachments), tt.want)
		}
	}
	bin := host.NativeCodec.Reply([]byte("7"), host.Payload{Data: []byte{9}, Binary: true})
	if !bin.Binary || bin.Frame[len(bin.Frame)-1] != 9 {
		t.Errorf("binary reply: %q binary %v", bin.Frame, bin.Binary)
	}
}
