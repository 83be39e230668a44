package bundle

import (
	"bytes"
	"encoding/json"
	"strings"
)

// HostCallSource is the source that stack traces name for the call a bare
// own program makes of its export on the host's behalf ([Module.OwnBare]):
// the frame below the handler's, where a preloaded handler, called from Go,
// has none. It is a host frame, as Node shows its host's frames, and no
// position in the script's file.
const HostCallSource = "eventhost:reeval"

// hostCallSwitch starts the code a bare own program ends with that returns
// or calls the export asked for (see [exportsTo]).
const hostCallSwitch = " switch (__eh_export) {"

// mapHostCall returns srcMap with a mapping added that names
// [HostCallSource] for the wrapped code (prefix + js) from the start of its
// host call switch to the end of that line, or srcMap as it is when js has
// no such switch at its end or the map cannot be read. Without it, goja
// would report the call's frame at a position of the generated code under
// the script's name, a line and column its file does not have. The mapping
// is appended (it is the last generated position that maps): the rest of
// the map is kept byte for byte.
func mapHostCall(srcMap []byte, prefix, js string) []byte {
	at := strings.LastIndex(js, hostCallSwitch)
	if at < 0 || len(srcMap) == 0 {
		return srcMap
	}
	if end := strings.IndexByte(js[at:], '\n'); end >= 0 && !onlySourceMap(js[at+end:]) {
		return srcMap
	}
	// The generated position as goja looks it up: 1-based line and column,
	// line 1 starting with the prefix (see gojaSourceMap).
	before := prefix + js[:at]
	line := strings.Count(before, "\n") + 1
	col := len(before) - (strings.LastIndexByte(before, '\n') + 1) + 1

	sources, sEnd, ok := jsonArrayAt(srcMap, `"sources"`)
	if !ok {
		return srcMap
	}
	mStart, mEnd, ok := jsonStringAt(srcMap, `"mappings"`)
	if !ok || mStart < sEnd {
		return srcMap // esbuild writes sources first: splice in order
	}
	mappings := string(srcMap[mStart:mEnd])
	st, ok := mappingsEnd(mappings)
	if !ok || st.line > line || (st.line == line && st.col > col) {
		return srcMap
	}
	var seg strings.Builder
	seg.WriteString(mappings)
	genCol := col
	if st.line == line {
		genCol = col - st.col // generated columns are relative within a line
	}
	for l := st.line; l < line; l++ {
		seg.WriteByte(';')
	}
	if st.line == line && st.segments {
		seg.WriteByte(',')
	}
	writeVLQ(&seg, genCol)
	writeVLQ(&seg, len(sources)-st.source)
	writeVLQ(&seg, 0-st.origLine)
	writeVLQ(&seg, 1-st.origCol) // columns are 1-based (gojaSourceMap)

	name, _ := json.Marshal(HostCallSource)
	var out bytes.Buffer
	out.Grow(len(srcMap) + len(name) + seg.Len() - len(mappings) + 1)
	out.Write(srcMap[:sEnd-1]) // up to the sources' closing bracket
	if len(sources) > 0 {
		out.WriteByte(',')
	}
	out.Write(name)
	out.Write(srcMap[sEnd-1 : mStart])
	out.WriteString(seg.String())
	out.Write(srcMap[mEnd:])
	return out.Bytes()
}

// mappingsState is where a mappings string ends: its last generated line
// (1-based) and column on it, whether that line has segments, and the
// running original values (source index, line, column).
type mappingsState struct {
	line, col                 int
	segments                  bool
	source, origLine, origCol int
}

// mappingsEnd decodes a mappings string to the state after its last
// segment.
func mappingsEnd(m string) (mappingsState, bool) {
	st := mappingsState{line: 1}
	for i := 0; ; i++ {
		line, rest, more := strings.Cut(m, ";")
		st.col, st.segments = 0, false
		for line != "" {
			var seg string
			seg, line, _ = strings.Cut(line, ",")
			var f [5]int
			n := 0
			for seg != "" {
				v, k, ok := decodeVLQ(seg)
				if !ok || n == len(f) {
					return st, false
				}
				f[n], seg, n = v, seg[k:], n+1
			}
			if n == 0 {
				continue
			}
			st.col += f[0]
			st.segments = true
			if n >= 4 {
				st.source += f[1]
				st.origLine += f[2]
				st.origCol += f[3]
			}
		}
		if !more {
			return st, true
		}
		st.line++
		m = rest
	}
}

// jsonArrayAt decodes the array of strings that follows key in a JSON
// object, and returns it with the offset just past its closing bracket.
func jsonArrayAt(data []byte, key string) ([]string, int, bool) {
	i := valueAt(data, key)
	if i < 0 || data[i] != '[' {
		return nil, 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data[i:]))
	var list []string
	if err := dec.Decode(&list); err != nil {
		return nil, 0, false
	}
	end := i + int(dec.InputOffset())
	if data[end-1] != ']' {
		return nil, 0, false
	}
	return list, end, true
}

// jsonStringAt returns the offsets of the contents of the string that
// follows key in a JSON object (a mappings string has no escapes).
func jsonStringAt(data []byte, key string) (int, int, bool) {
	i := valueAt(data, key)
	if i < 0 || data[i] != '"' {
		return 0, 0, false
	}
	n := bytes.IndexByte(data[i+1:], '"')
	if n < 0 {
		return 0, 0, false
	}
	return i + 1, i + 1 + n, true
}

// valueAt returns the offset of the value that follows key (quoted) in a
// JSON object, or -1. A key cannot occur unescaped inside a JSON string.
func valueAt(data []byte, key string) int {
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return -1
	}
	i += len(key)
	for i < len(data) && (data[i] == ' ' || data[i] == ':' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	if i >= len(data) {
		return -1
	}
	return i
}
