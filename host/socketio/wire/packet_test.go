package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// decodeCases are every packet form of docs/socket.io-protocol/v5-current.md
// and the frames the v5 test suite sends (after the Engine.IO '4').
var decodeCases = []struct {
	name string
	in   string
	want Packet
	// enc is the canonical encoding when it differs from in.
	enc string
}{
	{name: "connect main", in: "0", want: Packet{Type: Connect, Namespace: "/"}},
	{name: "connect custom", in: `0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, want: Packet{Type: Connect, Namespace: "/admin", Data: []byte(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
	{name: "connect payload", in: `0{"token":"123"}`, want: Packet{Type: Connect, Namespace: "/", Data: []byte(`{"token":"123"}`)}},
	{name: "connect custom comma", in: "0/custom,", want: Packet{Type: Connect, Namespace: "/custom"}},
	{name: "connect custom no comma", in: "0/custom", want: Packet{Type: Connect, Namespace: "/custom"}, enc: "0/custom,"},
	{name: "connect custom payload", in: `0/custom,{"token":"abc"}`, want: Packet{Type: Connect, Namespace: "/custom", Data: []byte(`{"token":"abc"}`)}},
	{name: "connect slash comma", in: "0/,", want: Packet{Type: Connect, Namespace: "/"}, enc: "0"},
	{name: "connect error", in: `4{"message":"Not authorized"}`, want: Packet{Type: ConnectError, Namespace: "/", Data: []byte(`{"message":"Not authorized"}`)}},
	{name: "connect error string", in: `4/x,"nope"`, want: Packet{Type: ConnectError, Namespace: "/x", Data: []byte(`"nope"`)}},
	{name: "event main", in: `2["foo"]`, want: Packet{Type: Event, Namespace: "/", Data: []byte(`["foo"]`)}},
	{name: "event custom", in: `2/admin,["bar"]`, want: Packet{Type: Event, Namespace: "/admin", Data: []byte(`["bar"]`)}},
	{name: "event args", in: `2["message",1,"2",{"3":[true]}]`, want: Packet{Type: Event, Namespace: "/", Data: []byte(`["message",1,"2",{"3":[true]}]`)}},
	{name: "event ack", in: `212["foo"]`, want: Packet{Type: Event, Namespace: "/", ID: 12, HasID: true, Data: []byte(`["foo"]`)}},
	{name: "event ack suite", in: `2456["message-with-ack",1,"2",{"3":[false]}]`, want: Packet{Type: Event, Namespace: "/", ID: 456, HasID: true, Data: []byte(`["message-with-ack",1,"2",{"3":[false]}]`)}},
	{name: "event custom ack", in: `2/admin,1["tellme"]`, want: Packet{Type: Event, Namespace: "/admin", ID: 1, HasID: true, Data: []byte(`["tellme"]`)}},
	{name: "event ack zero", in: `20["a"]`, want: Packet{Type: Event, Namespace: "/", ID: 0, HasID: true, Data: []byte(`["a"]`)}},
	{name: "event ack leading zeros", in: `2007["a"]`, want: Packet{Type: Event, Namespace: "/", ID: 7, HasID: true, Data: []byte(`["a"]`)}, enc: `27["a"]`},
	{name: "event max id", in: `29223372036854775807["a"]`, want: Packet{Type: Event, Namespace: "/", ID: 9223372036854775807, HasID: true, Data: []byte(`["a"]`)}},
	{name: "event whitespace", in: " 2[ \"a\" ] \n"[1:], want: Packet{Type: Event, Namespace: "/", Data: []byte(`[ "a" ]`)}, enc: `2[ "a" ]`},
	{name: "event escaped name", in: `2["con\u006eect_"]`, want: Packet{Type: Event, Namespace: "/", Data: []byte(`["con\u006eect_"]`)}},
	{name: "event named event", in: `2["event",{"event":"api.x","data":1}]`, want: Packet{Type: Event, Namespace: "/", Data: []byte(`["event",{"event":"api.x","data":1}]`)}},
	{name: "ack empty", in: `312[]`, want: Packet{Type: Ack, Namespace: "/", ID: 12, HasID: true, Data: []byte(`[]`)}},
	{name: "ack custom", in: `3/admin,13["bar"]`, want: Packet{Type: Ack, Namespace: "/admin", ID: 13, HasID: true, Data: []byte(`["bar"]`)}},
	{name: "binary event", in: `51-["baz",{"_placeholder":true,"num":0}]`, want: Packet{Type: BinaryEvent, Namespace: "/", Attachments: 1, Data: []byte(`["baz",{"_placeholder":true,"num":0}]`)}},
	{name: "binary event two", in: `52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, want: Packet{Type: BinaryEvent, Namespace: "/admin", Attachments: 2, Data: []byte(`["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)}},
	{name: "binary event ack", in: `52-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, want: Packet{Type: BinaryEvent, Namespace: "/", Attachments: 2, ID: 789, HasID: true, Data: []byte(`["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)}},
	{name: "binary event zero", in: `50-["a"]`, want: Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["a"]`)}},
	{name: "binary event ten", in: `510-["a"]`, want: Packet{Type: BinaryEvent, Namespace: "/", Attachments: 10, Data: []byte(`["a"]`)}},
	{name: "binary ack", in: `61-15["bar",{"_placeholder":true,"num":0}]`, want: Packet{Type: BinaryAck, Namespace: "/", Attachments: 1, ID: 15, HasID: true, Data: []byte(`["bar",{"_placeholder":true,"num":0}]`)}},
	{name: "binary ack custom", in: `61-/admin,1[{"_placeholder":true,"num":0}]`, want: Packet{Type: BinaryAck, Namespace: "/admin", Attachments: 1, ID: 1, HasID: true, Data: []byte(`[{"_placeholder":true,"num":0}]`)}},
	{name: "disconnect main", in: "1", want: Packet{Type: Disconnect, Namespace: "/"}},
	{name: "disconnect custom", in: "1/admin,", want: Packet{Type: Disconnect, Namespace: "/admin"}},
	{name: "disconnect custom no comma", in: "1/custom", want: Packet{Type: Disconnect, Namespace: "/custom"}, enc: "1/custom,"},
}

func TestDecode(t *testing.T) {
	t.Parallel()
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if !samePacket(got, tt.want) {
				t.Fatalf("Decode(%q) =\n %+v (%s), want\n %+v (%s)", tt.in, got, got.Data, tt.want, tt.want.Data)
			}
			enc := tt.enc
			if enc == "" {
				enc = tt.in
			}
			if out := got.Append(nil); string(out) != enc {
				t.Fatalf("Append = %q, want %q", out, enc)
			}
		})
	}
}

func samePacket(a, b Packet) bool {
	return a.Type == b.Type && a.Namespace == b.Namespace && a.ID == b.ID && a.HasID == b.HasID &&
		a.Attachments == b.Attachments && bytes.Equal(a.Data, b.Data) && (a.Data == nil) == (b.Data == nil)
}

func TestDecodeRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{name: "empty", in: "", err: ErrEmptyPacket},
		{name: "suite unknown type", in: "abc", err: ErrUnknownType},
		{name: "type 7", in: `7["a"]`, err: ErrUnknownType},
		{name: "type below zero", in: `/["a"]`, err: ErrUnknownType},
		{name: "suite event object", in: "2{}", err: ErrPayload},
		{name: "event empty array", in: "2[]", err: ErrPayload},
		{name: "event number name", in: "2[1]", err: ErrPayload},
		{name: "event null name", in: "2[null]", err: ErrPayload},
		{name: "event string payload", in: `2"a"`, err: ErrPayload},
		{name: "event no payload", in: "2", err: ErrPayload},
		{name: "event custom no payload", in: "2/x,", err: ErrPayload},
		{name: "event namespace eats payload", in: `2/x["a"]`, err: ErrPayload},
		{name: "event reserved", in: `2["connect"]`, err: ErrPayload},
		{name: "event reserved escaped", in: `2["disc\u006fnnect",1]`, err: ErrPayload},
		{name: "event removeListener", in: `2["removeListener"]`, err: ErrPayload},
		{name: "binary event object", in: `51-{}`, err: ErrPayload},
		{name: "suite non-numeric ack id", in: `2abc["message-with-ack",1,"2",{"3":[false]}]`, err: ErrAckID},
		{name: "ack id overflow", in: `29223372036854775808["a"]`, err: ErrAckID},
		{name: "ack without id", in: `3[]`, err: ErrAckID},
		{name: "binary ack without id", in: `61-[{"_placeholder":true,"num":0}]`, err: ErrAckID},
		{name: "ack object", in: `31{}`, err: ErrPayload},
		{name: "ack no payload", in: `31`, err: ErrPayload},
		{name: "binary ack string", in: `60-1"x"`, err: ErrPayload},
		{name: "connect with id", in: `01`, err: ErrAckID},
		{name: "disconnect with id", in: `1/x,5`, err: ErrAckID},
		{name: "connect error with id", in: `45{"message":"x"}`, err: ErrAckID},
		{name: "connect array", in: `0["a"]`, err: ErrPayload},
		{name: "connect string", in: `0"a"`, err: ErrPayload},
		{name: "connect null", in: `0null`, err: ErrPayload},
		{name: "connect letters", in: `0abc`, err: ErrJSON},
		{name: "disconnect payload", in: `1{}`, err: ErrPayload},
		{name: "connect error array", in: `4[]`, err: ErrPayload},
		{name: "connect error missing", in: `4`, err: ErrPayload},
		{name: "too many attachments", in: `511-["a"]`, err: ErrTooManyAttachments},
		{name: "huge attachment count", in: `5` + strings.Repeat("9", 40) + `-["a"]`, err: ErrTooManyAttachments},
		{name: "attachments without dash", in: `51["a"]`, err: ErrAttachments},
		{name: "attachments at end", in: `51`, err: ErrAttachments},
		{name: "attachments empty count", in: `5-["a"]`, err: ErrAttachments},
		{name: "binary no count", in: `5["a"]`, err: ErrAttachments},
		{name: "binary bare", in: `6`, err: ErrAttachments},
		{name: "invalid json", in: `2["a",]`, err: ErrJSON},
		{name: "unterminated json", in: `2["a"`, err: ErrJSON},
		{name: "text after json", in: `2["a"]x`, err: ErrJSON},
		{name: "blank payload", in: `2 `, err: ErrJSON},
		{name: "connect bad object", in: `0{"a"}`, err: ErrJSON},
		{name: "connect error bad string", in: `4"a`, err: ErrJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode([]byte(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decode(%q) = %+v, %v; want error %v", tt.in, got, err, tt.err)
			}
			if !samePacket(got, Packet{}) {
				t.Fatalf("Decode(%q) returned %+v with its error, want the zero Packet", tt.in, got)
			}
		})
	}
}

func TestDecodeThroughEngine(t *testing.T) {
	t.Parallel()
	// The suite's "4abc": an Engine.IO message whose Socket.IO type is 'a'.
	ep, err := DecodePacket([]byte("4abc"), false)
	if err != nil || ep.Type != Message {
		t.Fatalf("DecodePacket(4abc) = %+v, %v", ep, err)
	}
	if _, err := Decode(ep.Data); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("Decode(abc) error = %v, want ErrUnknownType", err)
	}
	// "40" is an Engine.IO message holding a CONNECT without payload.
	ep, _ = DecodePacket([]byte("40"), false)
	if p, err := Decode(ep.Data); err != nil || p.Type != Connect {
		t.Fatalf("Decode(0) = %+v, %v", p, err)
	}
}

func TestTypeStrings(t *testing.T) {
	t.Parallel()
	want := []string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK", "Type(7)"}
	for i, w := range want {
		if got := Type(i).String(); got != w {
			t.Errorf("Type(%d).String() = %q, want %q", i, got, w)
		}
	}
	for _, name := range reservedEvents {
		if !IsReservedEvent(name) {
			t.Errorf("IsReservedEvent(%q) = false", name)
		}
	}
	if IsReservedEvent("event") || IsReservedEvent("Connect") {
		t.Error("IsReservedEvent accepts a name that is not reserved")
	}
}
