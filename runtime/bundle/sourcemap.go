package bundle

import (
	"bytes"
	"strings"

	"github.com/dop251/goja/file"
	"github.com/go-sourcemap/sourcemap"
)

// How source maps reach goja.
//
// esbuild writes each bundle beside its entry (Outbase is Dir, OutputPath is
// Rel), so the map's sources are relative to the route module's folder
// ("hello.ts", "../_lib/greet.js", "../../node_modules/lodash/lodash.js").
// goja and go-sourcemap resolve them against the program name, the display
// path, which yields display paths ("scripts/_lib/greet.js").
//
// goja looks a position up with a 1-based column and reports the column it
// finds as is, while go-sourcemap keeps columns 0-based: unadjusted, stack
// columns come out one too small and lookups land one column to the right.
// gojaSourceMap shifts the mappings to make both 1-based, and moves line 1
// right by the wrapper (prefixLen bytes).

// gojaSourceMap returns esbuild's source map with its mappings shifted for
// goja (see above), or data unchanged if it cannot find them. The mappings
// string is spliced in place: decoding and encoding the JSON took four times
// as long for a lodash-sized map.
func gojaSourceMap(data []byte, prefixLen int) []byte {
	key := []byte(`"mappings"`)
	i := bytes.Index(data, key)
	if i < 0 {
		return data
	}
	i += len(key)
	for i < len(data) && (data[i] == ' ' || data[i] == ':' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	if i >= len(data) || data[i] != '"' {
		return data
	}
	i++
	n := bytes.IndexByte(data[i:], '"')
	if n < 0 {
		return data
	}
	shifted, ok := shiftMappings(string(data[i:i+n]), 1+prefixLen)
	if !ok {
		return data
	}
	out := make([]byte, 0, len(data)+len(shifted)-n)
	out = append(out, data[:i]...)
	out = append(out, shifted...)
	return append(out, data[i+n:]...)
}

// shiftMappings moves every generated column right by one (line 1 by
// firstLine) and every original column right by one. Generated columns are
// relative within a line and original columns relative across the whole
// string, so only the first segment of each line and the first segment with
// an original position change.
func shiftMappings(m string, firstLine int) (string, bool) {
	var b strings.Builder
	b.Grow(len(m) + len(m)/32 + 8)
	srcDone := false
	for i := 0; ; i++ {
		line, rest, more := strings.Cut(m, ";")
		shift := 1
		if i == 0 {
			shift = firstLine
		}
		for j := 0; line != ""; j++ {
			if j > 0 && srcDone {
				b.WriteString(line)
				break
			}
			seg, next, comma := strings.Cut(line, ",")
			var f [5]int
			n := 0
			for seg != "" {
				v, k, ok := decodeVLQ(seg)
				if !ok || n == len(f) {
					return "", false
				}
				f[n], seg, n = v, seg[k:], n+1
			}
			if j == 0 {
				f[0] += shift
			}
			if !srcDone && n >= 4 {
				f[3]++
				srcDone = true
			}
			for _, v := range f[:n] {
				writeVLQ(&b, v)
			}
			if comma {
				b.WriteByte(',')
			}
			line = next
		}
		if !more {
			return b.String(), true
		}
		b.WriteByte(';')
		m = rest
	}
}

const base64VLQ = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeVLQ reads one base64 VLQ number from the start of s and returns it
// with the number of bytes read.
func decodeVLQ(s string) (v, n int, ok bool) {
	for shift := 0; n < len(s) && shift < 60; shift += 5 {
		d := strings.IndexByte(base64VLQ, s[n])
		if d < 0 {
			return 0, 0, false
		}
		n++
		v |= (d & 31) << shift
		if d&32 == 0 {
			if v&1 != 0 {
				return -(v >> 1), n, true
			}
			return v >> 1, n, true
		}
	}
	return 0, 0, false
}

// writeVLQ appends v as a base64 VLQ number.
func writeVLQ(b *strings.Builder, v int) {
	u := v << 1
	if v < 0 {
		u = -v<<1 | 1
	}
	for {
		d := u & 31
		u >>= 5
		if u > 0 {
			d |= 32
		}
		b.WriteByte(base64VLQ[d])
		if u == 0 {
			return
		}
	}
}

// originalPosition maps a position in the wrapped bundle of name to the
// original source, the way goja maps positions of a program that parsed.
// Without a mapping it returns the file without a position.
func originalPosition(name string, srcMap []byte, pos file.Position, text string) *Message {
	msg := &Message{File: name, Text: text}
	sm, err := sourcemap.Parse(name, srcMap)
	if err != nil {
		return msg
	}
	src, _, line, col, ok := sm.Source(pos.Line, pos.Column)
	if !ok {
		return msg
	}
	if u := file.ResolveSourcemapURL(name, src); u != nil {
		src = u.String()
	}
	msg.File, msg.Line, msg.Column = src, line, col
	return msg
}
