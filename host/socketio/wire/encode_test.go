package wire

import (
	"testing"
)

func TestAppendEvent(t *testing.T) {
	t.Parallel()
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	tests := []struct {
		name   string
		ns     string
		event  string
		id     int64
		args   Args
		want   string
		frames []string
	}{
		{name: "spec main", ns: "/", event: "hey", id: -1, args: Args{First: []byte(`"Jude"`)}, want: `2["hey","Jude"]`},
		{name: "empty namespace is main", ns: "", event: "a", id: -1, args: Args{First: []byte(`1`)}, want: `2["a",1]`},
		{name: "custom namespace", ns: "/admin", event: "bar", id: -1, args: Args{First: []byte(`{}`)}, want: `2/admin,["bar",{}]`},
		{name: "nil first and no rest is no argument", ns: "/", event: "a", id: -1, want: `2["a"]`},
		{name: "with id", ns: "/admin", event: "foo", id: 13, args: Args{First: []byte(`true`)}, want: `2/admin,13["foo",true]`},
		{name: "id zero", ns: "/", event: "foo", id: 0, args: Args{First: []byte(`1`)}, want: `20["foo",1]`},
		{name: "rest", ns: "/", event: "message-back", id: -1, args: Args{First: []byte(`1`), Rest: []byte(`["2",{"3":[true]}]`)}, want: `2["message-back",1,"2",{"3":[true]}]`},
		{name: "rest with spaces", ns: "/", event: "a", id: -1, args: Args{First: []byte(`1`), Rest: []byte(` [ 2 , 3 ] `)}, want: `2["a",1,2 , 3]`},
		{name: "empty rest", ns: "/", event: "a", id: -1, args: Args{First: []byte(`1`), Rest: []byte(`[ ]`)}, want: `2["a",1]`},
		{name: "non-array rest", ns: "/", event: "a", id: -1, args: Args{First: []byte(`1`), Rest: []byte(`2`)}, want: `2["a",1,2]`},
		{name: "escaped name", ns: "/", event: "a\"b\n", id: -1, args: Args{First: []byte(`1`)}, want: `2["a\"b\n",1]`},
		{
			name: "spec binary", ns: "/", event: "baz", id: -1,
			args: Args{First: []byte{1, 2, 3, 4}, FirstBinary: true},
			want: `51-["baz",` + ph("0") + `]`, frames: []string{"\x01\x02\x03\x04"},
		},
		{
			name: "suite binary echo", ns: "/", event: "message-back", id: -1,
			args: Args{First: []byte(ph("0")), Rest: []byte(`[` + ph("1") + `]`), Attachments: [][]byte{{1, 2, 3}, {4, 5, 6}}},
			want: `52-["message-back",` + ph("0") + `,` + ph("1") + `]`, frames: []string{"\x01\x02\x03", "\x04\x05\x06"},
		},
		{
			name: "binary first goes last", ns: "/chat", event: "up", id: 7,
			args: Args{First: []byte("bin"), FirstBinary: true, Rest: []byte(`[` + ph("0") + `]`), Attachments: [][]byte{[]byte("att")}},
			want: `52-/chat,7["up",` + ph("1") + `,` + ph("0") + `]`, frames: []string{"att", "bin"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, frames := AppendEvent([]byte("4"), tt.ns, tt.event, tt.id, tt.args)
			if string(got) != "4"+tt.want {
				t.Fatalf("AppendEvent = %s, want 4%s", got, tt.want)
			}
			checkFrames(t, frames, tt.frames)
			checkDecodes(t, got[1:], len(tt.frames))
		})
	}
}

func TestAppendAck(t *testing.T) {
	t.Parallel()
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	tests := []struct {
		name   string
		ns     string
		id     int64
		args   Args
		want   string
		frames []string
	}{
		{name: "spec main", ns: "/", id: 12, args: Args{First: []byte(`"bar"`)}, want: `312["bar"]`},
		{name: "spec custom", ns: "/admin", id: 13, args: Args{First: []byte(`["bar"]`)}, want: `3/admin,13[["bar"]]`},
		{name: "no argument", ns: "/", id: 1, want: `31[]`},
		{name: "suite ack", ns: "/", id: 456, args: Args{First: []byte(`1`), Rest: []byte(`["2",{"3":[false]}]`)}, want: `3456[1,"2",{"3":[false]}]`},
		{
			name: "spec binary", ns: "/", id: 15,
			args: Args{First: []byte(`"bar"`), Rest: []byte(`[` + ph("0") + `]`), Attachments: [][]byte{{1, 2, 3, 4}}},
			want: `61-15["bar",` + ph("0") + `]`, frames: []string{"\x01\x02\x03\x04"},
		},
		{
			name: "sample session", ns: "/admin", id: 1,
			args: Args{First: []byte{0xff}, FirstBinary: true},
			want: `61-/admin,1[` + ph("0") + `]`, frames: []string{"\xff"},
		},
		{
			name: "suite binary ack", ns: "/", id: 789,
			args: Args{First: []byte(ph("0")), Rest: []byte(`[` + ph("1") + `]`), Attachments: [][]byte{{1, 2, 3}, {4, 5, 6}}},
			want: `62-789[` + ph("0") + `,` + ph("1") + `]`, frames: []string{"\x01\x02\x03", "\x04\x05\x06"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, frames := AppendAck(nil, tt.ns, tt.id, tt.args)
			if string(got) != tt.want {
				t.Fatalf("AppendAck = %s, want %s", got, tt.want)
			}
			checkFrames(t, frames, tt.frames)
			checkDecodes(t, got, len(tt.frames))
		})
	}
}

func TestBinaryFirstDoesNotWriteIntoAttachments(t *testing.T) {
	t.Parallel()
	backing := make([][]byte, 1, 4)
	backing[0] = []byte("a")
	spare := backing[:2]
	spare[1] = []byte("keep")
	_, frames := AppendEvent(nil, "/", "e", -1, Args{First: []byte("b"), FirstBinary: true, Attachments: backing[:1]})
	if string(spare[1]) != "keep" {
		t.Fatalf("AppendEvent wrote into the caller's spare capacity: %q", spare[1])
	}
	checkFrames(t, frames, []string{"a", "b"})
}

func checkFrames(t *testing.T, got [][]byte, want []string) {
	t.Helper()
	if len(want) == 0 {
		if got != nil {
			t.Fatalf("frames = %q, want nil", got)
		}
		return
	}
	if len(got) != len(want) {
		t.Fatalf("frames = %q, want %q", got, want)
	}
	for i := range got {
		if string(got[i]) != want[i] {
			t.Fatalf("frame %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// checkDecodes feeds what an encoder wrote back through a Decoder.
func checkDecodes(t *testing.T, text []byte, attachments int) {
	t.Helper()
	var d Decoder
	_, done, err := d.Text(text)
	if err != nil {
		t.Fatalf("encoded %s does not decode: %v", text, err)
	}
	if done != (attachments == 0) || d.Awaiting() != attachments {
		t.Fatalf("encoded %s: done %v, awaiting %d, want %d attachments", text, done, d.Awaiting(), attachments)
	}
}

func TestAppendConnect(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, got, want string }{
		{"main", string(AppendConnect(nil, "/", "wZX3oN0bSVIhsaknAAAI")), `0{"sid":"wZX3oN0bSVIhsaknAAAI"}`},
		{"custom", string(AppendConnect(nil, "/chat", "x")), `0/chat,{"sid":"x"}`},
		{"engine prefix", string(AppendConnect([]byte{byte(Message)}, "", "s")), `40{"sid":"s"}`},
		{"invalid namespace", string(AppendConnectError([]byte{byte(Message)}, "/x", "Invalid namespace", nil)), `44/x,{"message":"Invalid namespace"}`},
		{"refusal with data", string(AppendConnectError([]byte{byte(Message)}, "/", "no \"token\"", []byte(`{"code":"unauthorized"}`))), `44{"message":"no \"token\"","data":{"code":"unauthorized"}}`},
		{"disconnect main", string(AppendDisconnect(nil, "/")), `1`},
		{"disconnect custom", string(AppendDisconnect(nil, "/admin")), `1/admin,`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
		text := []byte(tt.got)
		if text[0] == byte(Message) && len(text) > 1 && text[1] != '{' {
			text = text[1:]
		}
		if _, err := Decode(text); err != nil {
			t.Errorf("%s: %s does not decode: %v", tt.name, text, err)
		}
	}
}
