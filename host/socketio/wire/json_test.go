package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// jsonCases are checked against encoding/json, the reference path.
var jsonCases = []string{
	``, ` `, `null`, `true`, `false`, `nul`, `truex`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `1e`, `1e+`, `1E-7`,
	`-12.5e10`, `.5`, `+1`, `""`, `"a"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\uD83D\uDE00"`, `"\u12"`, `"\x"`,
	"\"\x01\"", "\"\x7f\"", `"unterminated`, `[]`, `[ ]`, `[1,]`, `[,1]`, `[1 2]`, `[1,[2,[3]]]`, `[`, `]`,
	`{}`, `{ }`, `{"a":1}`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`, `{"a":[{"b":null}]}`,
	` [1] `, "\t{\"a\":\n1}\r\n", `[1] x`, `1 2`, `"a" "b"`, "\"\xff\xfe\"", `[` + strings.Repeat(`[`, 20) + strings.Repeat(`]`, 21),
	strings.Repeat(`[`, maxDepth) + strings.Repeat(`]`, maxDepth),
}

// TestValidJSONDepth: nesting deeper than maxDepth (512, where encoding/json
// allows 10000) is refused, as the JS side would refuse the data.
func TestValidJSONDepth(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`[`, maxDepth+1) + strings.Repeat(`]`, maxDepth+1)
	if validJSON([]byte(deep)) {
		t.Errorf("validJSON of %d nested arrays = true, want false", maxDepth+1)
	}
	if _, err := SplitArray([]byte(`[` + deep + `]`)); err == nil {
		t.Error("SplitArray of an element nested too deep: no error")
	}
}

func TestValidJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, c := range jsonCases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.40q) = %v, encoding/json says %v", c, got, want)
		}
	}
}

func TestSplitArray(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
		err  error
	}{
		{name: "empty array", in: `[]`, want: nil},
		{name: "blank array", in: " [ \n ] ", want: nil},
		{name: "one", in: `["a"]`, want: []string{`"a"`}},
		{name: "mixed", in: ` [ "ev" , {"a":[1,2]} ,null,-1.5e3,true ] `, want: []string{`"ev"`, `{"a":[1,2]}`, `null`, `-1.5e3`, `true`}},
		{name: "nested", in: `[[1,[2]],{"x":"]"}]`, want: []string{`[1,[2]]`, `{"x":"]"}`}},
		{name: "object", in: `{"a":1}`, err: ErrPayload},
		{name: "string", in: `"a"`, err: ErrPayload},
		{name: "not json", in: `abc`, err: ErrJSON},
		{name: "empty", in: ``, err: ErrJSON},
		{name: "trailing comma", in: `[1,]`, err: ErrJSON},
		{name: "unterminated", in: `[1`, err: ErrJSON},
		{name: "missing comma", in: `[1 2]`, err: ErrJSON},
		{name: "text after", in: `[1] 2`, err: ErrJSON},
		{name: "text after empty", in: `[]x`, err: ErrJSON},
		{name: "bad element", in: `[1,tru]`, err: ErrJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SplitArray([]byte(tt.in))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("SplitArray(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitArray(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("SplitArray(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for i := range got {
				if string(got[i]) != tt.want[i] {
					t.Errorf("element %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSplitArrayAliasesInput(t *testing.T) {
	t.Parallel()
	raw := []byte(`["ev",{"a":1}]`)
	els, err := SplitArray(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw[3] = 'X'
	if string(els[0]) != `"eX"` {
		t.Fatalf("element does not alias its input: %q", els[0])
	}
	// An element is capacity-clipped: appending to it cannot overwrite the next one.
	_ = append(els[0], '!')
	if string(raw) != `["eX",{"a":1}]` {
		t.Fatalf("append to an element changed the input: %q", raw)
	}
}

func TestUnquoteString(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9"`, `"\uD83D\uDE00"`, `"\uD83D"`, `"\uDE00x"`, `"é"`, "\"\xff\"", `"\u0000"`} {
		got, err := UnquoteString([]byte(in))
		if err != nil {
			t.Errorf("UnquoteString(%q): %v", in, err)
			continue
		}
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("UnquoteString(%q) = %q, encoding/json says %q", in, got, want)
		}
	}
	for _, in := range []string{``, `"`, `"a`, `a`, `"a" `, `"\x"`, `1`} {
		if _, err := UnquoteString([]byte(in)); !errors.Is(err, ErrJSON) {
			t.Errorf("UnquoteString(%q) error = %v, want ErrJSON", in, err)
		}
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `q"b\s`, "ctl\x00\x01\x1f\n\r\t", "é😀", "bad\xffutf8", "\u2028", "<&>"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendString(%q) = %s, not JSON: %v", s, got, err)
		}
		var wantBack string
		_ = json.Unmarshal(want.Bytes(), &wantBack)
		if back != wantBack {
			t.Errorf("appendString(%q) decodes to %q, encoding/json's to %q", s, back, wantBack)
		}
	}
}
