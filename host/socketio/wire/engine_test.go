package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestDecodePacket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		binary bool
		want   EnginePacket
		err    error
	}{
		{name: "open", in: `0{"sid":"x"}`, want: EnginePacket{Type: Open, Data: []byte(`{"sid":"x"}`)}},
		{name: "close", in: "1", want: EnginePacket{Type: Close}},
		{name: "ping", in: "2", want: EnginePacket{Type: Ping}},
		{name: "ping probe", in: "2probe", want: EnginePacket{Type: Ping, Data: []byte("probe")}},
		{name: "pong probe", in: "3probe", want: EnginePacket{Type: Pong, Data: []byte("probe")}},
		{name: "message", in: "4hello", want: EnginePacket{Type: Message, Data: []byte("hello")}},
		{name: "socket.io connect", in: "40", want: EnginePacket{Type: Message, Data: []byte("0")}},
		{name: "upgrade", in: "5", want: EnginePacket{Type: Upgrade}},
		{name: "noop", in: "6", want: EnginePacket{Type: Noop}},
		{name: "binary frame", in: "\x01\x02\x03\x04", binary: true, want: EnginePacket{Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{name: "empty binary frame", in: "", binary: true, want: EnginePacket{Type: Message, Data: []byte{}, Binary: true}},
		{name: "base64 text frame", in: "bAQIDBA==", want: EnginePacket{Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{name: "unpadded base64", in: "bAQIDBA", want: EnginePacket{Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{name: "empty", in: "", err: ErrEmptyPacket},
		{name: "type 7", in: "7", err: ErrUnknownType},
		{name: "letter", in: "abc", err: ErrUnknownType},
		{name: "bad base64", in: "b!!!!", err: ErrBase64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodePacket([]byte(tt.in), tt.binary)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("DecodePacket(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodePacket(%q): %v", tt.in, err)
			}
			if !sameEngine(got, tt.want) {
				t.Fatalf("DecodePacket(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if tt.binary || tt.in[0] != 'b' { // re-encode what has a single encoding
				if enc := AppendPacket(nil, got); string(enc) != tt.in {
					t.Fatalf("AppendPacket = %q, want %q", enc, tt.in)
				}
			}
		})
	}
}

func sameEngine(a, b EnginePacket) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data) && (a.Data == nil) == (b.Data == nil)
}

func TestSplitPayload(t *testing.T) {
	t.Parallel()
	msg := func(s string) EnginePacket { return EnginePacket{Type: Message, Data: []byte(s)} }
	tests := []struct {
		name string
		in   string
		want []EnginePacket
		err  error
	}{
		{name: "one", in: "4hello", want: []EnginePacket{msg("hello")}},
		{name: "spec text", in: "4hello\x1e2\x1e4world", want: []EnginePacket{msg("hello"), {Type: Ping}, msg("world")}},
		{name: "spec binary", in: "4hello\x1ebAQIDBA==", want: []EnginePacket{msg("hello"), {Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true}}},
		{name: "socket.io events", in: "42[\"hello\"]\x1e42[\"world\"]", want: []EnginePacket{msg(`2["hello"]`), msg(`2["world"]`)}},
		{name: "close", in: "1", want: []EnginePacket{{Type: Close}}},
		{name: "empty body", in: "", err: ErrEmptyPacket},
		{name: "empty last record", in: "4a\x1e", err: ErrEmptyPacket},
		{name: "empty middle record", in: "4a\x1e\x1e4b", err: ErrEmptyPacket},
		{name: "unknown type", in: "4a\x1e9", err: ErrUnknownType},
		{name: "bad base64", in: "4a\x1eb%%%", err: ErrBase64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SplitPayload([]byte(tt.in))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("SplitPayload(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitPayload(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("SplitPayload(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			for i := range got {
				if !sameEngine(got[i], tt.want[i]) {
					t.Errorf("packet %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if enc := AppendPayload(nil, got...); string(enc) != tt.in {
				t.Fatalf("AppendPayload = %q, want %q", enc, tt.in)
			}
		})
	}
}

func TestAppendPayloadBinaryAndPrefix(t *testing.T) {
	t.Parallel()
	got := AppendPayload([]byte("x"), EnginePacket{Type: Noop}, EnginePacket{Type: Message, Data: []byte{0xff}, Binary: true})
	if want := "x6\x1eb/w=="; string(got) != want {
		t.Fatalf("AppendPayload = %q, want %q", got, want)
	}
	if got := AppendPayload(nil); len(got) != 0 {
		t.Fatalf("AppendPayload() = %q, want empty", got)
	}
}

func TestOpenPacket(t *testing.T) {
	t.Parallel()
	got := OpenPacket("lv_VI97HAXpY6yYWAAAC", []string{"websocket"}, 25*time.Second, 20*time.Second, 1000000)
	want := `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	if string(got) != want {
		t.Fatalf("OpenPacket = %s\nwant %s", got, want)
	}
	got = OpenPacket(`q"`, nil, 1500*time.Millisecond, 0, 0)
	var v struct {
		Sid          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int64    `json:"pingInterval"`
		PingTimeout  int64    `json:"pingTimeout"`
		MaxPayload   int64    `json:"maxPayload"`
	}
	if err := json.Unmarshal(got[1:], &v); err != nil {
		t.Fatalf("OpenPacket = %s: %v", got, err)
	}
	if v.Sid != `q"` || v.Upgrades == nil || len(v.Upgrades) != 0 || v.PingInterval != 1500 {
		t.Fatalf("OpenPacket = %s, decoded %+v", got, v)
	}
}

func TestEngineTypeString(t *testing.T) {
	t.Parallel()
	names := map[EngineType]string{Open: "open", Close: "close", Ping: "ping", Pong: "pong", Message: "message", Upgrade: "upgrade", Noop: "noop", 'x': `EngineType("x")`}
	for ty, want := range names {
		if got := ty.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", ty, got, want)
		}
	}
}
