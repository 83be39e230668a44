package protocol

// This file is the fast path of decodeEnvelope: a hand-written scanner for
// the common shape of a frame's envelope. encoding/json's reflection decoder
// is slow, copies every json.RawMessage, and needs enough goroutine stack to
// grow each connection's read goroutine for good; the scanner does neither.
//
// The scanner only has to be right about what it accepts. Whatever it does
// not accept, it hands back (ok false) to encoding/json, which then decides,
// so odd input and every error message stay exactly as encoding/json has
// them. What it accepts is validated as fully as encoding/json validates it.

// maxDepth is the deepest nesting of arrays and objects, within one member
// value, that the scanner accepts; deeper values go to encoding/json. It is
// the number of bits in skipValue's container stack.
const maxDepth = 64

// scanEnvelope decodes b, an envelope already trimmed of surrounding space,
// without encoding/json. It reports ok false, leaving the decision to
// encoding/json, for anything but a syntactically valid JSON object whose
// member names are plain: no escapes, control characters or bytes of 0x80
// and above. Values are validated in full, and nesting deeper than
// maxDepth is handed on too.
//
// As with encoding/json, unknown members are skipped and the last of
// duplicate members wins. The raw values returned are sub-slices of b,
// capped so that appending to one cannot overwrite the rest of b.
func scanEnvelope(b []byte) (env envelope, ok bool) {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return envelope{}, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			name, next, ok := scanPlainName(b, i)
			if !ok {
				return envelope{}, false
			}
			i = skipSpace(b, next)
			if i == len(b) || b[i] != ':' {
				return envelope{}, false
			}
			start := skipSpace(b, i+1)
			end, ok := skipValue(b, start)
			if !ok {
				return envelope{}, false
			}
			value := b[start:end:end]
			switch string(name) {
			case "event":
				env.Event = value
			case "id":
				env.ID = value
			case "data":
				env.Data = value
			}
			i = skipSpace(b, end)
			if i == len(b) {
				return envelope{}, false
			}
			if b[i] == '}' {
				i++
				break
			}
			if b[i] != ',' {
				return envelope{}, false
			}
			i = skipSpace(b, i+1)
		}
	}
	if skipSpace(b, i) != len(b) {
		return envelope{}, false
	}
	return env, true
}

// scanPlainName scans the member name, a JSON string, at b[i]. It returns the
// name without its quotes and the index just past the closing quote, and
// ok false for a name that is not plain: one with a backslash, a control
// character or a byte of 0x80 and above. A plain name reads the same raw and
// decoded.
func scanPlainName(b []byte, i int) (name []byte, next int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c < 0x20, c == '\\', c >= 0x80:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// skipValue validates the JSON value that starts at b[i] and returns the
// index just past it. It reports ok false for a syntax error and for arrays
// and objects nested deeper than maxDepth.
//
// It does not recurse: the open containers are kept as a stack of bits, bit
// d set when the container at depth d is an object, so that its stack use is
// small and fixed however deep the input.
func skipValue(b []byte, i int) (end int, ok bool) {
	var objects uint64 // the container stack: bit d is set for an object
	depth := 0         // the number of open containers
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
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == closer {
				i++ // an empty array or object
				break
			}
			if c == '{' {
				objects |= 1 << depth
				if i, ok = skipName(b, i); !ok {
					return 0, false
				}
			} else {
				objects &^= 1 << depth
			}
			depth++
			continue value
		case '"':
			if i, ok = skipString(b, i); !ok {
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
			if i, ok = skipNumber(b, i); !ok {
				return 0, false
			}
		}
		// A value ends at b[i]: close the containers that end with it, up
		// to the one that goes on with another element, if any.
		for depth > 0 {
			i = skipSpace(b, i)
			if i == len(b) {
				return 0, false
			}
			inObject := objects&(1<<(depth-1)) != 0
			switch c := b[i]; {
			case c == ',':
				i = skipSpace(b, i+1)
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
	if i, ok = skipString(b, i); !ok {
		return 0, false
	}
	i = skipSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

// skipString validates the JSON string that starts with the quote at b[i]
// and returns the index just past its closing quote. Like encoding/json, it
// lets invalid UTF-8 through: decoding a string replaces it with U+FFFD, and
// a json.RawMessage keeps it as it came.
func skipString(b []byte, i int) (end int, ok bool) {
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

// skipNumber validates the JSON number that starts at b[i] and returns the
// index just past it: an optional minus, then 0 or a digit 1-9 followed by
// digits, then an optional fraction and an optional exponent. What follows
// the number is for the caller to check: "01" is the number 0 followed by a
// stray 1.
func skipNumber(b []byte, i int) (end int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i == len(b):
		return 0, false
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
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
		j := skipDigits(b, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// skipDigits returns the index of the first byte at or after b[i] that is
// not a decimal digit.
func skipDigits(b []byte, i int) int {
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

// skipSpace returns the index of the first byte at or after b[i] that is not
// JSON whitespace: space, tab, line feed or carriage return.
func skipSpace(b []byte, i int) int {
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
