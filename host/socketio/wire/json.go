package wire

import (
	"fmt"

	"github.com/eventhost/eventhost/host/internal/jsontext"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects: the JS side refuses
// data nested deeper anyway (encoding/json allows 10000).
const maxDepth = jsontext.MaxDepth

// isSpace reports JSON insignificant whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-space byte of b at or after i.
func skipSpace(b []byte, i int) int { return jsontext.SkipSpace(b, i) }

// trimSpace returns b without leading and trailing JSON whitespace.
func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// validJSON reports whether b is exactly one JSON value, optionally
// surrounded by whitespace (the grammar of encoding/json.Valid), nested at
// most maxDepth deep.
func validJSON(b []byte) bool { return jsontext.Valid(b, maxDepth) }

// skipValue returns the index just after the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, bool) { return jsontext.SkipValue(b, i, maxDepth) }

// skipString returns the index just after the JSON string starting at b[i].
func skipString(b []byte, i int) (int, bool) { return jsontext.SkipString(b, i) }

// SplitArray returns the raw JSON text of each element of the JSON array raw,
// as sub-slices of raw (nothing is copied), after validating all of raw.
// Whitespace around raw and around each element is not part of the elements.
func SplitArray(raw []byte) ([][]byte, error) {
	return AppendElements(nil, raw)
}

// AppendElements is SplitArray appending to dst, so that a caller reusing
// dst splits without allocating.
func AppendElements(dst [][]byte, raw []byte) ([][]byte, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		if validJSON(raw) {
			return dst, fmt.Errorf("split array: %w: not an array", ErrPayload)
		}
		return dst, fmt.Errorf("split array: %w", ErrJSON)
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		if skipSpace(raw, i+1) != len(raw) {
			return dst, fmt.Errorf("split array: %w: text after the array", ErrJSON)
		}
		return dst, nil
	}
	for {
		end, ok := skipValue(raw, i)
		if !ok {
			return dst, fmt.Errorf("split array: %w at offset %d", ErrJSON, end)
		}
		dst = append(dst, raw[i:end:end])
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return dst, fmt.Errorf("split array: %w: unterminated array", ErrJSON)
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case ']':
			if skipSpace(raw, i+1) != len(raw) {
				return dst, fmt.Errorf("split array: %w: text after the array", ErrJSON)
			}
			return dst, nil
		default:
			return dst, fmt.Errorf("split array: %w at offset %d", ErrJSON, i)
		}
	}
}

// UnquoteString returns the value of the JSON string raw (with its quotes).
// A string without escapes costs one allocation, the conversion itself.
func UnquoteString(raw []byte) (string, error) {
	end, ok := 0, len(raw) > 0 && raw[0] == '"'
	if ok {
		end, ok = skipString(raw, 0)
	}
	if !ok || end != len(raw) {
		return "", fmt.Errorf("unquote: %w: not one JSON string", ErrJSON)
	}
	inner := raw[1 : len(raw)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(inner), nil
	}
	return unquoteSlow(inner), nil
}

// unquoteSlow decodes the escapes of a validated string body, replacing
// invalid UTF-8 and lone surrogates with U+FFFD as encoding/json does.
func unquoteSlow(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(s[i:])
			out = utf8.AppendRune(out, r)
			i += n
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i+2 : i+6])
			i += 6
			if r >= 0xD800 && r < 0xDC00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if r2 := hex4(s[i+2 : i+6]); r2 >= 0xDC00 && r2 < 0xE000 {
					r = (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000
					i += 6
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, s[i+1])
		}
		i += 2
	}
	return string(out)
}

func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(n)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. It escapes '"', '\\' and control
// characters, and replaces invalid UTF-8 with U+FFFD, like encoding/json
// (without its HTML escaping).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += n
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
