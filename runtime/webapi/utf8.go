package webapi

import (
	"strings"
	"unicode/utf8"
)

// utf8Decoder is the WHATWG Encoding Standard's UTF-8 decoder
// (https://encoding.spec.whatwg.org/#utf-8-decoder). It differs from Go's
// utf8.DecodeRune in how many U+FFFD an ill-formed sequence yields: one per
// maximal subpart, so "\xE2\x82" gives one replacement, not two. It keeps
// an unfinished sequence between calls for streaming.
type utf8Decoder struct {
	fatal     bool
	ignoreBOM bool
	bomSeen   bool   // the stream has produced a code point
	pending   []byte // an unfinished sequence kept by a streaming call
}

// decode decodes b after what is pending; with stream false it flushes.
// It reports false (fatal mode only) on an ill-formed sequence, and then
// resets the decoder. A leading U+FEFF of the stream is dropped unless
// ignoreBOM.
func (d *utf8Decoder) decode(b []byte, stream bool) (string, bool) {
	if len(d.pending) > 0 {
		b = append(d.pending, b...)
		d.pending = nil
	}
	if stream {
		if k := unfinishedTail(b); k > 0 {
			d.pending = append([]byte(nil), b[len(b)-k:]...)
			b = b[:len(b)-k]
		}
	}
	var s string
	switch {
	case utf8.Valid(b):
		s = string(b)
	case d.fatal:
		d.pending, d.bomSeen = nil, false
		return "", false
	default:
		s = decodeUTF8Replacing(b)
	}
	if s != "" {
		if !d.ignoreBOM && !d.bomSeen {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		d.bomSeen = true
	}
	if !stream {
		d.pending, d.bomSeen = nil, false
	}
	return s, true
}

// unfinishedTail returns the length of a well-formed but incomplete UTF-8
// sequence at the end of b (0 when there is none).
func unfinishedTail(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return 0
		}
		if c >= 0xC0 {
			need := 0
			switch {
			case c >= 0xC2 && c <= 0xDF:
				need = 2
			case c >= 0xE0 && c <= 0xEF:
				need = 3
			case c >= 0xF0 && c <= 0xF4:
				need = 4
			default:
				return 0
			}
			if k >= need || !validPrefix(b[len(b)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

// validPrefix reports whether p (a lead byte and continuation bytes) can
// still become a well-formed sequence.
func validPrefix(p []byte) bool {
	if len(p) < 2 {
		return true
	}
	lo, hi := utf8SecondRange(p[0])
	if p[1] < lo || p[1] > hi {
		return false
	}
	for _, c := range p[2:] {
		if c < 0x80 || c > 0xBF {
			return false
		}
	}
	return true
}

// utf8SecondRange is the range allowed for the byte after lead byte c.
func utf8SecondRange(c byte) (byte, byte) {
	switch c {
	case 0xE0:
		return 0xA0, 0xBF
	case 0xED:
		return 0x80, 0x9F
	case 0xF0:
		return 0x90, 0xBF
	case 0xF4:
		return 0x80, 0x8F
	}
	return 0x80, 0xBF
}

// decodeUTF8Replacing decodes b, one U+FFFD per maximal subpart of an
// ill-formed sequence.
func decodeUTF8Replacing(b []byte) string {
	var out strings.Builder
	out.Grow(len(b) + 8)
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			out.WriteByte(c)
			i++
			continue
		}
		need := 0
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 2
		case c >= 0xE0 && c <= 0xEF:
			need = 3
		case c >= 0xF0 && c <= 0xF4:
			need = 4
		default:
			out.WriteRune(utf8.RuneError)
			i++
			continue
		}
		lo, hi := utf8SecondRange(c)
		j := i + 1
		ok := true
		for k := 1; k < need; k++ {
			if j >= len(b) {
				ok = false
				break
			}
			if k == 1 && (b[j] < lo || b[j] > hi) || k > 1 && (b[j] < 0x80 || b[j] > 0xBF) {
				ok = false
				break
			}
			j++
		}
		if !ok {
			out.WriteRune(utf8.RuneError)
			i = j
			continue
		}
		out.Write(b[i:j])
		i = j
	}
	return out.String()
}

// encodeIntoCount returns how many UTF-16 code units of s (well-formed
// UTF-8 from a JS string) fit, as whole characters, in n bytes, and how
// many bytes they take.
func encodeIntoCount(s string, n int) (read, written int) {
	for _, r := range s {
		size := utf8.RuneLen(r)
		if written+size > n {
			break
		}
		written += size
		if r >= 0x10000 {
			read += 2
		} else {
			read++
		}
	}
	return read, written
}
