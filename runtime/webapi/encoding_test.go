package webapi

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestTextEncoder(t *testing.T) {
	runCases(t, []jsCase{
		{"encoding", `new TextEncoder().encoding`, "utf-8"},
		{"encode", `Array.from(new TextEncoder().encode("aé€😀")).join()`, "97,195,169,226,130,172,240,159,152,128"},
		{"encode default", `new TextEncoder().encode().length`, int64(0)},
		{"encode undefined", `new TextEncoder().encode(undefined).length`, int64(0)},
		{"encode lone surrogate", `Array.from(new TextEncoder().encode("\uD800x")).join()`, "239,191,189,120"},
		{"encode is Uint8Array", `new TextEncoder().encode("x") instanceof Uint8Array`, true},
		{"encode symbol throws", `try { new TextEncoder().encode(Symbol()); "no" } catch (e) { e instanceof TypeError }`, true},
		{"encodeInto fits", `const d = new Uint8Array(10); const r = new TextEncoder().encodeInto("aé", d); r.read + "," + r.written + ":" + Array.from(d.subarray(0, 3)).join()`, "2,3:97,195,169"},
		{"encodeInto partial", `const r = new TextEncoder().encodeInto("a€b", new Uint8Array(3)); r.read + "," + r.written`, "1,1"},
		{"encodeInto surrogate pair", `const r = new TextEncoder().encodeInto("😀😀", new Uint8Array(7)); r.read + "," + r.written`, "2,4"},
		{"encodeInto offset view", `const b = new Uint8Array(6); const r = new TextEncoder().encodeInto("xyz", b.subarray(2, 4)); r.written + ":" + b.join()`, "2:0,0,120,121,0,0"},
		{"encodeInto empty dest", `const r = new TextEncoder().encodeInto("abc", new Uint8Array(0)); r.read + "," + r.written`, "0,0"},
		{"encodeInto non-Uint8Array", `try { new TextEncoder().encodeInto("a", new Uint16Array(2)); "no" } catch (e) { e instanceof TypeError }`, true},
		{"brand", `try { TextEncoder.prototype.encode.call({}, "a"); "no" } catch (e) { e instanceof TypeError }`, true},
	})
}

func TestTextDecoder(t *testing.T) {
	dec := func(bytes string) string { return `new TextDecoder().decode(new Uint8Array([` + bytes + `]))` }
	fatal := func(bytes string) string {
		return `try { new TextDecoder("utf-8", {fatal: true}).decode(new Uint8Array([` + bytes + `])); "ok" } catch (e) { e instanceof TypeError ? "TypeError" : String(e) }`
	}
	runCases(t, []jsCase{
		{"attributes", `const d = new TextDecoder(); [d.encoding, d.fatal, d.ignoreBOM].join()`, "utf-8,false,false"},
		{"options", `const d = new TextDecoder("UTF8", {fatal: 1, ignoreBOM: true}); [d.encoding, d.fatal, d.ignoreBOM].join()`, "utf-8,true,true"},
		{"label trimmed", `new TextDecoder(" \n unicode-1-1-utf-8 \t").encoding`, "utf-8"},
		{"label unsupported", `try { new TextDecoder("latin1"); "no" } catch (e) { e instanceof RangeError }`, true},
		{"decode empty", `new TextDecoder().decode()`, ""},
		{"decode", dec("104,195,169,226,130,172,240,159,152,128"), "hé€😀"},
		{"BOM stripped", dec("0xEF,0xBB,0xBF,0x61"), "a"},
		{"BOM once", dec("0xEF,0xBB,0xBF,0xEF,0xBB,0xBF,0x61"), "\uFEFFa"},
		{"BOM kept", `new TextDecoder("utf-8", {ignoreBOM: true}).decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x61]))`, "\uFEFFa"},
		// One U+FFFD per maximal subpart (Encoding Standard; Unicode 3.9).
		{"truncated 3-byte", dec("0xE2,0x82"), "\uFFFD"},
		{"truncated then ascii", dec("0xE2,0x82,0x41"), "\uFFFDA"},
		{"lone continuation", dec("0x80,0x81"), "\uFFFD\uFFFD"},
		{"overlong", dec("0xC0,0xAF"), "\uFFFD\uFFFD"},
		{"overlong 3-byte", dec("0xE0,0x80,0xAF"), "\uFFFD\uFFFD\uFFFD"},
		{"surrogate", dec("0xED,0xA0,0x80"), "\uFFFD\uFFFD\uFFFD"},
		{"above U+10FFFF", dec("0xF4,0x90,0x80,0x80"), "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"F5", dec("0xF5,0x41"), "\uFFFDA"},
		{"truncated 4-byte", dec("0xF0,0x9F,0x98"), "\uFFFD"},
		{"fatal valid", fatal("0x61,0xC3,0xA9"), "ok"},
		{"fatal truncated", fatal("0xE2,0x82"), "TypeError"},
		{"fatal continuation", fatal("0x80"), "TypeError"},
		{"fatal overlong", fatal("0xC0,0xAF"), "TypeError"},
		{"fatal surrogate", fatal("0xED,0xA0,0x80"), "TypeError"},
		{"fatal FF", fatal("0xFF"), "TypeError"},
		{"stream split", `const d = new TextDecoder(); const b = new TextEncoder().encode("€😀"); let s = ""; for (const x of b) s += d.decode(new Uint8Array([x]), {stream: true}); s + d.decode()`, "€😀"},
		{"stream flush incomplete", `const d = new TextDecoder(); d.decode(new Uint8Array([0xE2, 0x82]), {stream: true}) + "|" + d.decode()`, "|\uFFFD"},
		{"stream BOM split", `const d = new TextDecoder(); d.decode(new Uint8Array([0xEF, 0xBB]), {stream: true}) + d.decode(new Uint8Array([0xBF, 0x61]))`, "a"},
		{"stream BOM only at start", `const d = new TextDecoder(); d.decode(new Uint8Array([0x61]), {stream: true}) + d.decode(new Uint8Array([0xEF, 0xBB, 0xBF]))`, "a\uFEFF"},
		{"new stream after flush", `const d = new TextDecoder(); d.decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x61])) + d.decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x62]))`, "ab"},
		{"ArrayBuffer", `new TextDecoder().decode(new Uint8Array([104, 105]).buffer)`, "hi"},
		{"DataView", `new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105, 0]).buffer, 1, 2))`, "hi"},
		{"subarray", `new TextDecoder().decode(new Uint8Array([0, 104, 105, 0]).subarray(1, 3))`, "hi"},
		{"Uint16Array bytes", `new TextDecoder().decode(new Uint16Array([0x6968]))`, "hi"},
		{"not a buffer", `try { new TextDecoder().decode("abc"); "no" } catch (e) { e instanceof TypeError }`, true},
		{"array not a buffer", `try { new TextDecoder().decode([104]); "no" } catch (e) { e instanceof TypeError }`, true},
		{"bad options", `try { new TextDecoder("utf-8", 5); "no" } catch (e) { e instanceof TypeError }`, true},
	})
}

// TestUTF8DecoderVsGo checks the replacement decoder against Go where they
// must agree: valid input decodes to itself, and every output is valid.
func TestUTF8DecoderVsGo(t *testing.T) {
	t.Parallel()
	for _, in := range [][]byte{[]byte("plain"), []byte("h\xc3\xa9"), {0xff, 0xfe}, {0xe2, 0x82, 0xe2, 0x82, 0xac}} {
		got := decodeUTF8Replacing(in)
		if !utf8.ValidString(got) {
			t.Errorf("%x: invalid output %q", in, got)
		}
		if utf8.Valid(in) && got != string(in) {
			t.Errorf("%x: %q", in, got)
		}
	}
}

// FuzzUTF8Decoder checks that the decoder's output is valid UTF-8, equals
// the input when that is valid, and that streaming the input in two parts
// gives what decoding it at once does.
func FuzzUTF8Decoder(f *testing.F) {
	for _, s := range []string{"", "a", "h\xc3\xa9", "\xe2\x82", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xef\xbb\xbfa", "\xc0\xaf\xff"} {
		f.Add([]byte(s), 1)
	}
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		whole, _ := (&utf8Decoder{ignoreBOM: true}).decode(in, false)
		if !utf8.ValidString(whole) {
			t.Fatalf("%x: invalid output", in)
		}
		if utf8.Valid(in) && whole != string(in) {
			t.Fatalf("%x: %q", in, whole)
		}
		if split < 0 {
			split = -split
		}
		if len(in) > 0 {
			split %= len(in) + 1
		} else {
			split = 0
		}
		d := &utf8Decoder{ignoreBOM: true}
		a, _ := d.decode(bytes.Clone(in[:split]), true)
		b, _ := d.decode(bytes.Clone(in[split:]), false)
		if a+b != whole {
			t.Fatalf("%x split at %d: %q+%q, want %q", in, split, a, b, whole)
		}
		_, okWhole := (&utf8Decoder{fatal: true, ignoreBOM: true}).decode(in, false)
		if okWhole != utf8.Valid(in) {
			t.Fatalf("%x: fatal ok=%v, valid=%v", in, okWhole, utf8.Valid(in))
		}
	})
}
