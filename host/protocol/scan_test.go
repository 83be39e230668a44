package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// trickyEnvelopes are envelopes on which the fast path and encoding/json
// could part ways. Each is tried as a text frame and as the envelope of a
// binary frame.
var trickyEnvelopes = []string{
	// The common shapes.
	`{"event":"api.hello.greeting","data":{"name":"Ada"},"id":1}`,
	`{"event":"api.x","data":{"a":[1,2,{"b":"c"}]},"id":1}`,
	`{"event":"a.b","id":"x-1"}`,
	`{"event":"a.b"}`,
	`{"id":7}`,
	`{"event":"a","data":null}`,
	`{"event":"a","data":[]}`,
	`{"event":"a","data":{}}`,
	`{"event":"a","data":""}`,
	`{"event":"a","data":true,"id":-1.5e3}`,
	`{"event":"a","data":false}`,
	`{}`,
	`{ }`,

	// Whitespace, inside and around.
	" \t\r\n{ \"event\" : \"a\" , \"data\" : { \"x\" : [ 1 , 2 ] } , \"id\" : 3 } \n",
	"{\"event\":\"a\",\"data\":[\n1\t,\r2 ]\n}",
	"\f{\"event\":\"a\"}\v",                // not JSON space, but bytes.TrimSpace trims it
	"\u00a0{\"event\":\"a\"}\u0085",        // Unicode space, trimmed too
	"{\"event\":\"a\"\f}",                  // not JSON space inside
	"{\"event\":\"a\",\"data\":[1,\v2]}",   // nor here
	"{\"event\":\"a\",\"data\":\u00a0 1}",  // nor Unicode space
	"{\"event\":\"a\",\"data\":1}\x00",     // NUL is not space
	"{\"event\":\"a\",\"data\":1} \u2028 ", // trimmed

	// Member names only encoding/json would match case-insensitively: the
	// protocol's are exact, and these are ignored.
	`{"Event":"a","id":1}`,
	`{"EVENT":"a","ID":1,"DATA":2}`,
	`{"event":"a","Event":"b"}`,
	`{"Event":"b","event":"a"}`,
	`{"event":"a","iD":"x"}`,
	`{"event":"a","Data":[1]}`,
	`{"event":"a","datA":null,"data":1}`,
	`{"eventt":"a","ida":1,"dat":2,"e vent":3}`, // not variants: skipped
	"{\"event\":\"a\",\"\u212ad\":1}",           // Kelvin sign
	"{\"event\":\"a\",\"\u0131d\":1}",           // dotless i
	"{\"event\":\"a\",\"\u017fvent\":1}",        // long s

	// Escapes in member names.
	`{"\u0065vent":"a"}`,
	`{"ev\u0065nt":"a","id":1}`,
	`{"event":"a","\u0069d":2}`,
	`{"event":"a","d\u0061ta":2}`,
	`{"event":"a","x\"y":1}`,
	`{"event":"a","x\\":1}`,
	`{"event":"a","\/":1}`,
	`{"event":"a","\ud800":1}`,
	`{"event":"a","\x":1}`,
	"{\"event\":\"a\",\"x\ty\":1}",
	"{\"event\":\"a\",\"x\x7fy\":1}",
	"{\"event\":\"a\",\"\xff\":1}",
	"{\"\xffevent\":\"a\"}",
	"{\"event\":\"a\",\"caf\u00e9\":1}",

	// Duplicates: the last wins.
	`{"event":"a","event":"b"}`,
	`{"event":"a","id":1,"id":"two"}`,
	`{"event":"a","data":1,"data":null}`,
	`{"event":"a","data":null,"data":[1]}`,
	`{"event":"a","id":null,"id":5}`,
	`{"event":"a","id":5,"id":null}`,

	// Null and other odd member values, left for finish to judge.
	`{"event":null}`,
	`{"event":null,"id":1}`,
	`{"event":"a","id":null}`,
	`{"event":"a","id":true}`,
	`{"event":"a","id":{}}`,
	`{"event":"a","id":[]}`,
	`{"event":"a","id":""}`,
	`{"event":1,"id":2}`,
	`{"event":[],"id":2}`,
	`{"event":"","id":"q"}`,
	`{"event":"\u0000"}`,

	// Escapes and Unicode in values.
	`{"event":"a\"b"}`,
	`{"event":"a\\b"}`,
	`{"event":"a\/b"}`,
	`{"event":"\b\f\n\r\t"}`,
	`{"event":"\u00e9\u20AC\uD83D\uDE00"}`,
	`{"event":"\ud800"}`,
	`{"event":"\udc00\ud800x"}`,
	`{"event":"a","data":"\"\\\/\b\f\n\r\t\u0000\uFFFF\uabcd"}`,
	`{"event":"a","data":"\u12"}`,
	`{"event":"a","data":"\u12g4"}`,
	`{"event":"a","data":"\U0041"}`,
	`{"event":"a","data":"\a"}`,
	`{"event":"a","data":"\'"}`,
	`{"event":"a","data":"\`,
	`{"event":"a","data":"\u`,
	`{"event":"a","data":"\u004`,
	`{"event":"a","data":"\u0041`,
	"{\"event\":\"a\",\"data\":\"tab\there\"}",
	"{\"event\":\"a\",\"data\":\"nl\nhere\"}",
	"{\"event\":\"a\",\"data\":\"del\x7fhere\"}",
	"{\"event\":\"caf\u00e9\",\"data\":\"\u65e5\u672c\"}",
	"{\"event\":\"a\",\"data\":\"\U0001F600\"}",
	"{\"event\":\"a~b \",\"id\":1}",

	// Invalid UTF-8: encoding/json lets it through raw, but replaces it
	// with U+FFFD in a decoded string.
	"{\"event\":\"a\",\"data\":\"\xff\xfe\"}",
	"{\"event\":\"a\",\"data\":{\"\xc3\":\"\xe2\x82\"}}",
	"{\"event\":\"a\xffb\"}",
	"{\"event\":\"\xed\xa0\x80\",\"id\":\"\xc0\xaf\"}",
	"{\"event\":\"a\",\"id\":\"\x80\"}",

	// Numbers.
	`{"event":"a","id":0}`,
	`{"event":"a","id":-0}`,
	`{"event":"a","id":-0.0}`,
	`{"event":"a","id":1e5}`,
	`{"event":"a","id":1E5}`,
	`{"event":"a","id":1e+5}`,
	`{"event":"a","id":1e-5}`,
	`{"event":"a","id":1.5E-3}`,
	`{"event":"a","id":0.5}`,
	`{"event":"a","id":10}`,
	`{"event":"a","id":01}`,
	`{"event":"a","id":-01}`,
	`{"event":"a","id":00}`,
	`{"event":"a","id":1.}`,
	`{"event":"a","id":1.e5}`,
	`{"event":"a","id":.5}`,
	`{"event":"a","id":-}`,
	`{"event":"a","id":-.5}`,
	`{"event":"a","id":+1}`,
	`{"event":"a","id":1e}`,
	`{"event":"a","id":1e+}`,
	`{"event":"a","id":1e-}`,
	`{"event":"a","id":1ee5}`,
	`{"event":"a","id":1.5.5}`,
	`{"event":"a","id":0x10}`,
	`{"event":"a","id":1_000}`,
	`{"event":"a","id":Infinity}`,
	`{"event":"a","id":NaN}`,
	`{"event":"a","id":-Infinity}`,
	`{"event":"a","id":123456789012345678901234567890123456789012345678901234567890}`,
	`{"event":"a","id":1e999999999999}`,
	`{"event":"a","id":-1.7976931348623157e309}`,
	`{"event":"a","data":[0,-0,1,-1,0.0,1e0,1E-0,12.34e+56]}`,
	`{"event":"a","data":[01]}`,
	`{"event":"a","data":[1 2]}`,
	`{"event":"a","data":{"n":1.}}`,
	`{"event":"a","id":1`,
	`{"event":"a","id":-`,
	`{"event":"a","id":1e`,

	// Literals.
	`{"event":"a","data":[true,false,null]}`,
	`{"event":"a","data":tru}`,
	`{"event":"a","data":truee}`,
	`{"event":"a","data":True}`,
	`{"event":"a","data":nul}`,
	`{"event":"a","data":nulll}`,
	`{"event":"a","data":fals}`,
	`{"event":"a","data":undefined}`,
	`{"event":"a","data":t`,

	// Arrays and objects inside data and skipped members.
	`{"event":"a","data":{"a":{"b":{"c":[[[],{}],[{"d":null}]]}}}}`,
	`{"event":"a","extra":{"a":[1,2,{"b":"c"}]},"more":[[],[[]]]}`,
	`{"event":"a","data":[1,]}`,
	`{"event":"a","data":[,1]}`,
	`{"event":"a","data":[1,,2]}`,
	`{"event":"a","data":{"a":1,}}`,
	`{"event":"a","data":{,"a":1}}`,
	`{"event":"a","data":{"a"}}`,
	`{"event":"a","data":{"a":}}`,
	`{"event":"a","data":{"a" 1}}`,
	`{"event":"a","data":{a:1}}`,
	`{"event":"a","data":{'a':1}}`,
	`{"event":"a","data":{1:1}}`,
	`{"event":"a","data":{"a":1 "b":2}}`,
	`{"event":"a","data":{"a":1]}`,
	`{"event":"a","data":[1}`,
	`{"event":"a","data":[1`,
	`{"event":"a","data":{"a":1`,
	`{"event":"a","data":{"a":[}]}`,
	`{"event":"a","data":{"\u0041":1,"\"":2,"\\":3}}`,
	`{"event":"a","data":{"\x":1}}`,
	"{\"event\":\"a\",\"data\":{\"\n\":1}}",
	`{"event":"a","data":{"a":1,"a":2,"A":3}}`,
	`{"event":"a","skip":{"a":1,}}`,
	`{"event":"a","skip":[tru]}`,
	`{"event":"a","skip":"\q"}`,
	"{\"event\":\"a\",\"skip\":\"\x01\"}",

	// Envelope syntax.
	``,
	` `,
	`{`,
	`}`,
	`{"event"`,
	`{"event":`,
	`{"event":"a"`,
	`{"event":"a",`,
	`{"event":"a",}`,
	`{,"event":"a"}`,
	`{"event" "a"}`,
	`{"event"::"a"}`,
	`{"event":"a""id":1}`,
	`{"event":"a";"id":1}`,
	`{"event":"a"]`,
	`{event:"a"}`,
	`{"event":"a"}}`,
	`{"event":"a"}{}`,
	`{"event":"a"} x`,
	`{"event":"a"},`,
	`{"event":"a"} // comment`,
	`{"event":"a"}` + "\x00",
	`{"event":"a`,
	`{"event`,
	`{"`,
	`{"":1,"event":"a"}`,
	`{"" :"a"}`,

	// Not an object.
	`[1,2]`,
	`[{"event":"a"}]`,
	`"hello"`,
	`1`,
	`-`,
	`null`,
	`true`,
	`x`,
	`[`,
	`"`,
	"\xef\xbb\xbf{\"event\":\"a\"}", // a byte order mark is not space
}

// checkSameAsReference fails t unless decoding frame takes the same result
// as the reference path, encoding/json alone: the same Request, down to nil
// versus empty, and the same error text.
func checkSameAsReference(t *testing.T, frame []byte, isBinary bool) {
	t.Helper()
	decode := decodeText
	if isBinary {
		decode = decodeBinary
	}
	got, gotErr := decode(frame, true)
	want, wantErr := decode(frame, false)
	if errorText(gotErr) != errorText(wantErr) {
		t.Fatalf("frame %q (binary %v): error %q, reference %q", frame, isBinary, errorText(gotErr), errorText(wantErr))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("frame %q (binary %v):\n got       %s\n reference %s", frame, isBinary, describe(got), describe(want))
	}

	// Compare the envelopes too: finish can hide a difference behind an
	// error about another member.
	b := frame
	if isBinary {
		if len(frame) < 4 {
			return
		}
		n := uint64(frame[0])<<24 | uint64(frame[1])<<16 | uint64(frame[2])<<8 | uint64(frame[3])
		if n > uint64(len(frame)-4) {
			return
		}
		b = frame[4 : 4+n]
	}
	if env, ok := scanEnvelope(bytes.TrimSpace(b)); ok {
		ref, err := decodeEnvelope(b, false)
		if err != nil {
			t.Fatalf("envelope %q: the fast path accepts what encoding/json rejects: %v", b, err)
		}
		if !sameRaw(env.Event, ref.Event) || !sameRaw(env.ID, ref.ID) || !sameRaw(env.Data, ref.Data) {
			t.Fatalf("envelope %q:\n got       event=%s id=%s data=%s\n reference event=%s id=%s data=%s",
				b, rawText(env.Event), rawText(env.ID), rawText(env.Data), rawText(ref.Event), rawText(ref.ID), rawText(ref.Data))
		}
	}
}

func errorText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func describe(r Request) string {
	return "event=" + strings.TrimSpace(string(AppendString(nil, r.Event))) +
		" id=" + rawText(r.ID) + " data=" + rawText(r.Data) +
		" payload=" + rawText(r.Payload) + " binary=" + strconv.FormatBool(r.Binary)
}

// rawText shows b quoted, and nil as nil, apart from empty.
func rawText(b []byte) string {
	if b == nil {
		return "nil"
	}
	return string(AppendString(nil, string(b)))
}

// sameRaw reports whether a and b hold the same bytes and are both nil or
// both not.
func sameRaw(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func TestDecodeMatchesReference(t *testing.T) {
	t.Parallel()
	frames := append([]string(nil), trickyEnvelopes...)
	// Nesting about the fast path's limit, in data and in a skipped member.
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1, 1000, 10001} {
		frames = append(frames,
			`{"event":"a","data":`+strings.Repeat("[", n)+strings.Repeat("]", n)+`}`,
			`{"event":"a","skip":`+strings.Repeat(`{"a":`, n)+"1"+strings.Repeat("}", n)+`}`,
			`{"event":"a","data":`+strings.Repeat("[", n)+strings.Repeat("]", n-1)+`}`,
		)
	}
	for _, s := range frames {
		checkSameAsReference(t, []byte(s), false)
		checkSameAsReference(t, AppendBinary(nil, []byte(s), []byte{0, 1, 2}), true)
		checkSameAsReference(t, AppendBinary(nil, []byte(s), nil), true)
	}
	// Every prefix of every tricky envelope, both as a slice with the rest
	// of the envelope beyond its length and as one without: the scanner
	// must neither read past the end of its input nor slice past it.
	for _, s := range trickyEnvelopes {
		full := []byte(s)
		for n := range len(full) {
			checkSameAsReference(t, full[:n], false)
			checkSameAsReference(t, full[:n:n], false)
		}
	}
	// Binary frames cut short or with an envelope length past the end.
	for _, frame := range [][]byte{
		nil,
		{0, 0},
		{0, 0, 0},
		{0, 0, 0, 0},
		{0, 0, 0, 0, 'x'},
		{0, 0, 0, 200, '{'},
		{0xff, 0xff, 0xff, 0xff},
		AppendBinary(nil, []byte(`{"event":"a"}`), nil)[:10],
	} {
		checkSameAsReference(t, frame, true)
	}
}

// TestScanEnvelopeTakesCommonShapes checks that the fast path takes the
// usual frames, rather than leaving them to encoding/json, and returns their
// members raw.
func TestScanEnvelopeTakesCommonShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		frame, event, id, data string
	}{
		{`{"event":"api.x","data":{"a":[1,2,{"b":"c"}]},"id":1}`, `"api.x"`, `1`, `{"a":[1,2,{"b":"c"}]}`},
		{`{"event":"api.hello.greeting","data":{"name":"Ada"},"id":1}`, `"api.hello.greeting"`, `1`, `{"name":"Ada"}`},
		{`{"id":"r-17","event":"chat.send","data":{"room":"lobby","text":"h\u00e9llo \"you\"\n","at":1.7e12,"tags":[],"reply":null,"ok":true}}`,
			`"chat.send"`, `"r-17"`, `{"room":"lobby","text":"h\u00e9llo \"you\"\n","at":1.7e12,"tags":[],"reply":null,"ok":true}`},
		{"{\"event\":\"chat.send\",\"data\":{\"text\":\"日本語 \xff\"}}", `"chat.send"`, ``, "{\"text\":\"日本語 \xff\"}"},
		{`{"event":"files.put","id":3}`, `"files.put"`, `3`, ``},
		{`{"event":"a.b"}`, `"a.b"`, ``, ``},
		{" {\n  \"event\" : \"a\",\n  \"data\" : [ 1, 2 ] ,\n  \"id\" : -0.5e-3\n}\n", `"a"`, `-0.5e-3`, `[ 1, 2 ]`},
		{`{"event":"a","data":null,"id":null}`, `"a"`, `null`, `null`},
		{`{"event":"a","x-trace":{"span":[1,{"k":"v"}]},"v":2}`, `"a"`, ``, ``},
		{`{"event":"a","event":"b","data":1,"data":{}}`, `"b"`, ``, `{}`},
		{`{"event":"a","data":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`,
			`"a"`, ``, strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)},
	}
	for _, tt := range tests {
		b := bytes.TrimSpace([]byte(tt.frame))
		env, ok := scanEnvelope(b)
		if !ok {
			t.Errorf("%s: left to encoding/json", tt.frame)
			continue
		}
		if string(env.Event) != tt.event || string(env.ID) != tt.id || string(env.Data) != tt.data ||
			(env.ID == nil) != (tt.id == "") || (env.Data == nil) != (tt.data == "") {
			t.Errorf("%s: got event=%s id=%s data=%s", tt.frame, rawText(env.Event), rawText(env.ID), rawText(env.Data))
		}
		checkSameAsReference(t, []byte(tt.frame), false)
	}
}

// TestScanEnvelopeLeavesOddShapes checks that the fast path leaves to
// encoding/json what it must: member names with escapes or bytes it does
// not read itself, errors, deep nesting and trailing bytes.
func TestScanEnvelopeLeavesOddShapes(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`{"\u0065vent":"a"}`,
		`{"event":"a","x\ny":1}`,
		"{\"event\":\"a\",\"\u212ad\":1}",
		"{\"event\":\"a\",\"x\x01\":1}",
		`{"event":"a","data":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`,
		`{"event":"a","x":` + strings.Repeat(`{"a":`, maxDepth+1) + "0" + strings.Repeat("}", maxDepth+1) + `}`,
		`{"event":"a"} x`,
		`{"event":"a"}{}`,
		`{"event":"a",}`,
		`{"event":"a","data":01}`,
		`[]`,
		``,
	} {
		if env, ok := scanEnvelope([]byte(s)); ok {
			t.Errorf("%s: taken by the fast path: event=%s id=%s data=%s", s, rawText(env.Event), rawText(env.ID), rawText(env.Data))
		}
	}
}

// TestDecodeTextAliasesFrame checks the zero-copy contract: the raw members
// are sub-slices of the frame, capped so that an append cannot overwrite
// the bytes after them.
func TestDecodeTextAliasesFrame(t *testing.T) {
	t.Parallel()
	frame := []byte(`{"data":[1,2],"id":"x","event":"a"}`)
	req, err := DecodeText(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !aliases(req.Data, frame) || !aliases(req.ID, frame) {
		t.Fatal("ID or Data does not alias the frame")
	}
	if cap(req.Data) != len(req.Data) || cap(req.ID) != len(req.ID) {
		t.Fatalf("cap(Data) = %d, cap(ID) = %d: not capped", cap(req.Data), cap(req.ID))
	}
	_ = append(req.Data, 'x')
	if string(frame) != `{"data":[1,2],"id":"x","event":"a"}` {
		t.Fatalf("an append to Data changed the frame: %s", frame)
	}
}

// aliases reports whether sub lies within b's memory.
func aliases(sub, b []byte) bool {
	if len(sub) == 0 {
		return false
	}
	full := b[:cap(b)]
	for i := range full {
		if &full[i] == &sub[0] {
			return i+len(sub) <= len(b)
		}
	}
	return false
}

// TestDecodeTextAllocs pins the fast path's one allocation, the event
// string; encoding/json takes a dozen.
func TestDecodeTextAllocs(t *testing.T) {
	frame := []byte(`{"event":"api.hello.greeting","data":{"name":"Ada"},"id":1}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := DecodeText(frame); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("DecodeText allocates %v times, want at most 1", allocs)
	}
}

// TestInvalidUTF8 pins the encoding/json behaviour the fast path copies:
// invalid UTF-8 in a string is valid JSON and kept raw in a RawMessage, and
// a decoded string gets U+FFFD in its place.
func TestInvalidUTF8(t *testing.T) {
	t.Parallel()
	frame := []byte("{\"event\":\"a\xffb\",\"data\":\"\xff\xc3\"}")
	if !json.Valid(frame) {
		t.Fatal("encoding/json now rejects invalid UTF-8: the fast path must too")
	}
	if _, ok := scanEnvelope(frame); !ok {
		t.Fatal("the fast path leaves invalid UTF-8 in strings to encoding/json")
	}
	req, err := DecodeText(frame)
	if err != nil {
		t.Fatal(err)
	}
	if req.Event != "a\uFFFDb" || string(req.Data) != "\"\xff\xc3\"" {
		t.Fatalf("got event %q data %q", req.Event, req.Data)
	}
	checkSameAsReference(t, frame, false)
}

// TestPlainString checks the event's fast route against encoding/json on
// every byte and on escapes.
func TestPlainString(t *testing.T) {
	t.Parallel()
	raws := []string{`""`, `"a"`, `"api.hello"`, `"a\"b"`, `"a\u0041"`, `"\/"`, `1`, `null`, `"`, ``, `"a`}
	for c := range 256 {
		raws = append(raws, `"x`+string([]byte{byte(c)})+`y"`)
	}
	for _, raw := range raws {
		s, ok := plainString([]byte(raw))
		if !ok {
			continue
		}
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil || s != want {
			t.Errorf("plainString(%q) = %q, encoding/json %q, %v", raw, s, want, err)
		}
	}
	if _, ok := plainString([]byte(`"api.hello.greeting"`)); !ok {
		t.Error("a plain event takes the slow route")
	}
}

// TestSkipValueDepth checks that nesting stops at maxDepth, whatever mix of
// arrays and objects.
func TestSkipValueDepth(t *testing.T) {
	t.Parallel()
	for _, open := range []string{"[", `{"k":`} {
		closer := "]"
		if open != "[" {
			closer = "}"
		}
		for _, n := range []int{1, maxDepth - 1, maxDepth, maxDepth + 1, 2 * maxDepth} {
			v := strings.Repeat(open, n) + "0" + strings.Repeat(closer, n)
			end, ok := skipValue([]byte(v), 0)
			if wantOK := n <= maxDepth; ok != wantOK || ok && end != len(v) {
				t.Errorf("%s x%d: end %d ok %v, want ok %v", open, n, end, ok, wantOK)
			}
		}
	}
	// Mixed: arrays and objects in an irregular order, each with members
	// before and after the nested one, so the container stack must tell
	// which is which on the way out.
	for _, n := range []int{maxDepth, maxDepth + 1} {
		v := "0"
		for d := n - 1; d >= 0; d-- {
			// Siblings of the nested value are containers too, but for
			// those in the innermost container, which would be one too deep.
			z, e := `[2]`, `{}`
			if d == n-1 {
				z, e = `2`, `""`
			}
			if d%3 == 0 || d%7 == 1 {
				v = `{"a":1,"k":` + v + `,"z":` + z + `}`
			} else {
				v = `[true,` + v + `,` + e + `]`
			}
		}
		end, ok := skipValue([]byte(v), 0)
		if wantOK := n <= maxDepth; ok != wantOK || ok && end != len(v) {
			t.Errorf("mixed x%d: end %d ok %v, want ok %v: %s", n, end, ok, wantOK, v)
		}
		checkSameAsReference(t, []byte(`{"event":"a","data":`+v+`}`), false)
	}
}
