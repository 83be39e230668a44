// Package jsontext validates JSON text without decoding it: the scanner
// shared by host's wire formats (host/protocol's envelopes, Socket.IO's
// packets in host/socketio/wire). It accepts exactly what encoding/json.Valid
// accepts, but for nesting deeper than the caller's limit, and never
// allocates or recurses.
package jsontext

// MaxDepth is the deepest nesting of arrays and objects SkipValue can
// follow: the JS side refuses data nested deeper than 512 levels anyway.
const MaxDepth = 512

// Valid reports whether b is exactly one JSON value, optionally surrounded
// by whitespace, nested at most maxDepth deep.
func Valid(b []byte, maxDepth int) bool {
	end, ok := SkipValue(b, SkipSpace(b, 0), maxDepth)
	return ok && SkipSpace(b, end) == len(b)
}

// SkipValue validates the JSON value that starts at b[i] and returns the
// index just past it. It reports ok false for a syntax error and for arrays
// and objects nested deeper than maxDepth (at most MaxDepth).
//
// It does not recurse: the open containers are kept as a stack of bits, bit
// d set when the container at depth d is an object, so that its stack use is
// small and fixed however deep the input (a goroutine's stack, once grown,
// stays grown).
func SkipValue(b []byte, i, maxDepth int) (end int, ok bool) {
	maxDepth = min(maxDepth, MaxDepth)
	var objects [MaxDepth / 64]uint64 // the container stack: bit d is set for an object
	depth := 0                        // the number of open containers
value:
	for {
		// b[i] starts a value.
		if i == len(b) {
			return 0, false
		}
		switch c := b[i]; c {
		case '{', '[':
			if depth == maxDepth {
				return 0, false
			}
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			i = SkipSpace(b, i+1)
			if i < len(b) && b[i] == closer {
				i++ // an empty array or object
				break
			}
			if c == '{' {
				objects[depth/64] |= 1 << (depth % 64)
				if i, ok = skipName(b, i); !ok {
					return 0, false
				}
			} else {
				objects[depth/64] &^= 1 << (depth % 64)
			}
			depth++
			continue value
		case '"':
			if i, ok = SkipString(b, i); !ok {
				return 0, false
			}
		case 't':
			if i, ok = skipLiteral(b, i, "true"); !ok {
				return 0, false
			}
		case 'f':
			if i, ok = skipLiteral(b, i, "false"); !ok {
				return 0, false
			}
		case 'n':
			if i, ok = skipLiteral(b, i, "null"); !ok {
				return 0, false
			}
		default:
			if i, ok = SkipNumber(b, i); !ok {
				return 0, false
			}
		}
		// A value ends at b[i]: close the containers that end with it, up
		// to the one that goes on with another element, if any.
		for depth > 0 {
			i = SkipSpace(b, i)
			if i == len(b) {
				return 0, false
			}
			inObject := objects[(depth-1)/64]&(1<<((depth-1)%64)) != 0
			switch c := b[i]; {
			case c == ',':
				i = SkipSpace(b, i+1)
				if inObject {
					if i, ok = skipName(b, i); !ok {
						return 0, false
					}
				}
				continue value
			case inObject && c == '}', !inObject && c == ']':
				i++
				depth--
			default:
				return 0, false
			}
		}
		return i, true
	}
}

// skipName validates the member name at b[i], any JSON string, and the colon
// after it, and returns the index of the member's value.
func skipName(b []byte, i int) (next int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return 0, false
	}
	if i, ok = SkipString(b, i); !ok {
		return 0, false
	}
	i = SkipSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return 0, false
	}
	return SkipSpace(b, i+1), true
}

// SkipString validates the JSON string that starts with the quote at b[i]
// and returns the index just past its closing quote. Like encoding/json, it
// lets invalid UTF-8 through: decoding a string replaces it with U+FFFD, and
// a json.RawMessage keeps it as it came.
func SkipString(b []byte, i int) (end int, ok bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			i++
			if i == len(b) {
				return 0, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 {
					return 0, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return 0, false
					}
				}
				i += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// SkipNumber validates the JSON number that starts at b[i] and returns the
// index just past it: an optional minus, then 0 or a digit 1-9 followed by
// digits, then an optional fraction and an optional exponent. What follows
// the number is for the caller to check: "01" is the number 0 followed by a
// stray 1.
func SkipNumber(b []byte, i int) (end int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i == len(b):
		return 0, false
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = SkipDigits(b, i+1)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := SkipDigits(b, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := SkipDigits(b, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// SkipDigits returns the index of the first byte at or after b[i] that is
// not a decimal digit.
func SkipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// skipLiteral validates the literal lit (true, false or null) at b[i] and
// returns the index just past it.
func skipLiteral(b []byte, i int, lit string) (end int, ok bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// SkipSpace returns the index of the first byte at or after b[i] that is not
// JSON whitespace: space, tab, line feed or carriage return.
func SkipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
