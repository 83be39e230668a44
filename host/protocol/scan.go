package protocol

import "github.com/eventhost/eventhost/host/internal/jsontext"

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

// skipValue validates the JSON value at b[i], nested at most maxDepth deep,
// and returns the index just past it (host/internal/jsontext).
func skipValue(b []byte, i int) (end int, ok bool) { return jsontext.SkipValue(b, i, maxDepth) }

// skipSpace returns the index of the first byte at or after b[i] that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int { return jsontext.SkipSpace(b, i) }
