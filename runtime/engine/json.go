package engine

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ftoa"
)

// errSlowPath makes the fast JSON conversions hand the value to JSON.parse
// or JSON.stringify, which handle everything; the fast paths handle plain
// data, which is nearly every request and reply.
var errSlowPath = errors.New("engine: json: take the slow path")

// Nesting bounds of the fast paths: the parser recurses once per level (and
// the host bounds the frame size); deeper data takes the slow path.
const (
	maxParseDepth  = 512
	maxEncodeDepth = 64
)

// parseJSON returns the JS value of JSON text, as JSON.parse would.
func (v *vm) parseJSON(data []byte) (goja.Value, error) { return v.parseJSONText(data, false) }

// parseRequestData is parseJSON for the data of a request, which a client
// chose: data nested deeper than the parser's bound is refused with
// bad_request rather than given to JSON.parse, since a handler that
// returned it would cost JSON.stringify time quadratic in its depth, which
// no deadline can interrupt. (The server's own JSON, socket.data and the
// handshake, is read at any depth.)
func (v *vm) parseRequestData(data []byte) (goja.Value, error) { return v.parseJSONText(data, true) }

func (v *vm) parseJSONText(data []byte, refuseDeep bool) (goja.Value, error) {
	// The scratch slices are taken for the parse, so that a parse nested in
	// this one (were a setter on Object.prototype to run one) has its own.
	p := jsonParser{rt: v.rt, strs: &v.strs, b: data, items: v.jsonItems, buf: v.jsonScratch}
	v.jsonItems, v.jsonScratch = nil, nil
	val, err := p.value(0)
	if err == nil {
		p.space()
		if p.i != len(p.b) {
			err = errSlowPath
		}
	}
	clear(p.items) // what an abandoned parse left: keep no values alive
	if cap(p.items) > maxKeptJSONItems {
		p.items = nil // a large request's arrays: do not keep their room for good
	}
	if cap(p.buf) > maxKeptJSONBuffer {
		p.buf = nil
	}
	v.jsonItems, v.jsonScratch = p.items[:0], p.buf[:0]
	if err != nil {
		if refuseDeep && nestedDeeper(data, maxParseDepth) {
			return nil, &HandlerError{Code: "bad_request", Message: fmt.Sprintf("data is nested more than %d levels deep", maxParseDepth)}
		}
		return v.parse(goja.Undefined(), v.rt.ToValue(string(data)))
	}
	return val, nil
}

// nestedDeeper reports whether JSON text opens more than max arrays and
// objects inside one another.
func nestedDeeper(b []byte, max int) bool {
	depth, inString := 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			if depth++; depth > max {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// jsonParser builds goja values straight from JSON text.
type jsonParser struct {
	rt    *goja.Runtime
	strs  *stringCache
	b     []byte
	i     int
	items []any  // the elements of the arrays being read, innermost last
	buf   []byte // a string with escapes, decoded
}

func (p *jsonParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (goja.Value, error) {
	if depth > maxParseDepth {
		return nil, errSlowPath
	}
	p.space()
	if p.i >= len(p.b) {
		return nil, errSlowPath
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.strs.value(p.rt, s), nil
	case c == 't':
		return p.literal("true", p.rt.ToValue(true))
	case c == 'f':
		return p.literal("false", p.rt.ToValue(false))
	case c == 'n':
		return p.literal("null", goja.Null())
	default:
		return p.number()
	}
}

func (p *jsonParser) literal(word string, val goja.Value) (goja.Value, error) {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return nil, errSlowPath
	}
	p.i += len(word)
	return val, nil
}

func (p *jsonParser) object(depth int) (goja.Value, error) {
	obj := p.rt.NewObject()
	p.i++ // {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return obj, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, errSlowPath
		}
		raw, err := p.str()
		if err != nil {
			return nil, err
		}
		key := p.strs.str(raw)
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, errSlowPath
		}
		p.i++
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if key == "__proto__" {
			return nil, errSlowPath // an own property there needs DefineProperty semantics
		}
		if err := obj.Set(key, val); err != nil {
			return nil, errSlowPath
		}
		p.space()
		if p.i >= len(p.b) {
			return nil, errSlowPath
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return obj, nil
		default:
			return nil, errSlowPath
		}
	}
}

func (p *jsonParser) array(depth int) (goja.Value, error) {
	p.i++ // [
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return p.rt.NewArray(), nil
	}
	base := len(p.items) // this array's elements are p.items[base:]
	for {
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, val)
		p.space()
		if p.i >= len(p.b) {
			return nil, errSlowPath
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			arr := p.rt.NewArray(p.items[base:]...) // copies them
			clear(p.items[base:])
			p.items = p.items[:base]
			return arr, nil
		default:
			return nil, errSlowPath
		}
	}
}

// str reads a string literal and returns its text: a slice of the input,
// or of p.buf when it has escapes, valid until the next str. Lone
// surrogates (valid in JS strings, not in Go's) take the slow path.
func (p *jsonParser) str() ([]byte, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			p.i++
			return p.b[start : p.i-1], nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	buf := append(p.buf[:0], p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = buf // keep its capacity for the next string
			return buf, nil
		case c < 0x20:
			return nil, errSlowPath
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return nil, errSlowPath
		}
		esc := p.b[p.i+1]
		p.i += 2
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, errSlowPath
			}
			if utf16.IsSurrogate(r) {
				if p.i+1 >= len(p.b) || p.b[p.i] != '\\' || p.b[p.i+1] != 'u' {
					return nil, errSlowPath
				}
				p.i += 2
				r2, ok := p.hex4()
				if r = utf16.DecodeRune(r, r2); !ok || r == utf8.RuneError {
					return nil, errSlowPath
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return nil, errSlowPath
		}
	}
	return nil, errSlowPath
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	p.i += 4
	return rune(n), err == nil
}

func (p *jsonParser) number() (goja.Value, error) {
	start := p.i
	isInt := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c >= '0' && c <= '9' || c == '-' {
			p.i++
		} else if c == '.' || c == 'e' || c == 'E' || c == '+' {
			isInt = false
			p.i++
		} else {
			break
		}
	}
	text := string(p.b[start:p.i])
	if text == "" {
		return nil, errSlowPath
	}
	if isInt && len(text) <= 15 && text != "-0" {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, errSlowPath
		}
		return p.rt.ToValue(n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, errSlowPath
	}
	return p.rt.ToValue(f), nil
}

// stringCache interns the short strings the parser reads. Requests repeat
// their keys, and often their values (names of kinds, states, rooms): a hit
// costs neither the Go string nor its JS value. It is direct-mapped by a
// hash of the text: a miss replaces the slot, so it keeps what is frequent
// now in a fixed size (about 8 KiB). It belongs to its VM's goroutine. JS
// strings are immutable, so one value may stand in many places.
type stringCache struct {
	slots [stringCacheSlots]struct {
		s string
		v goja.Value // nil until s is wanted as a value
	}
}

const (
	stringCacheSlots = 256 // a power of two
	maxCachedString  = 32  // longer texts are not cached
)

func (c *stringCache) slot(b []byte) int {
	h := uint32(2166136261) // FNV-1a
	for _, x := range b {
		h = (h ^ uint32(x)) * 16777619
	}
	return int(h & (stringCacheSlots - 1))
}

// str returns b as a string.
func (c *stringCache) str(b []byte) string {
	if len(b) > maxCachedString {
		return string(b)
	}
	e := &c.slots[c.slot(b)]
	if e.s != string(b) {
		e.s, e.v = string(b), nil
	}
	return e.s
}

// value returns b as a JS string.
func (c *stringCache) value(rt *goja.Runtime, b []byte) goja.Value {
	if len(b) > maxCachedString {
		return rt.ToValue(string(b))
	}
	e := &c.slots[c.slot(b)]
	if e.s != string(b) {
		e.s, e.v = string(b), nil
	}
	if e.v == nil {
		e.v = rt.ToValue(e.s)
	}
	return e.v
}

// stringifyJSON returns JSON.stringify(val) as bytes, nil for undefined.
//
// The bytes of the fast path are the VM's output buffer, reused by its next
// stringifyJSON: they are valid until then, which covers how they are used
// (a Result is only valid during Done, and Socket and Hub methods get data
// that is only valid during the call). An encode nested in another (a
// getter that emits) gets a buffer of its own.
func (v *vm) stringifyJSON(val goja.Value) ([]byte, error) {
	buf := v.takeJSONBuf()
	out, _, err := v.appendJSON(buf, val, false, nil)
	v.keepJSONBuf(out, buf)
	if err != nil || len(out) == 0 {
		return nil, err // nil, nil: undefined at the top level
	}
	return out, nil
}

// takeJSONBuf takes the VM's output buffer, empty, for an encode: a nested
// encode finds none and makes its own.
func (v *vm) takeJSONBuf() []byte {
	buf := v.jsonBuf
	v.jsonBuf = nil
	return buf[:0]
}

// keepJSONBuf gives the VM back an output buffer after an encode: out, the
// encode's output, unless it grew too large, else buf, the one taken.
func (v *vm) keepJSONBuf(out, buf []byte) {
	if out != nil && cap(out) <= maxKeptJSONBuffer {
		v.jsonBuf = out[:0]
	} else {
		v.jsonBuf = buf[:0]
	}
}

// appendJSON appends JSON.stringify(val) to dst (nothing for undefined).
// With attach set, every binary value nested in val (see binaryBytes) is
// written as {"_placeholder":true,"num":N} instead, N counting on from
// len(atts), and its bytes are appended to atts; without it, they are
// written as JSON.stringify writes them.
//
// A getter (or a Proxy trap) that throws while the encoder reads a
// property surfaces in Go as a panic with the JS exception. It is the error
// JSON.stringify would have thrown: it is returned as JSON.stringify's
// errors are, without running the getter a second time.
func (v *vm) appendJSON(dst []byte, val goja.Value, attach bool, atts [][]byte) (out []byte, _ [][]byte, err error) {
	stack := v.jsonStack
	v.jsonStack = nil // taken: a nested encode must not write into it
	defer func() {
		if r := recover(); r != nil {
			ex, thrown := r.(*goja.Exception)
			if !thrown {
				panic(r)
			}
			out, err = dst, ex
		}
	}()
	e := jsonEncoder{v: v, stack: stack, attach: attach, atts: atts}
	out, ok := e.append(dst, val, false)
	v.jsonStack = e.stack[:0]
	if ok {
		return out, e.atts, nil
	}
	// The slow path writes the whole value again: the placeholders the fast
	// path wrote are dropped with its output.
	var s goja.Value
	if attach {
		s, atts, err = v.stringifyAttaching(val, atts)
	} else {
		s, err = v.stringify(goja.Undefined(), val)
	}
	if err != nil {
		raiseRunError(err)
		return dst, atts, err
	}
	if goja.IsUndefined(s) {
		return dst, atts, nil
	}
	return append(dst, s.String()...), atts, nil
}

// stringifyAttaching is JSON.stringify(val, replacer) with a replacer that
// turns binary values into placeholders, appending their bytes to atts.
func (v *vm) stringifyAttaching(val goja.Value, atts [][]byte) (goja.Value, [][]byte, error) {
	outer := v.attaching
	v.attaching = &atts // a nested stringify (a toJSON that emits) keeps its own
	defer func() { v.attaching = outer }()
	if v.placeholderReplacer == nil {
		v.placeholderReplacer = v.rt.ToValue(v.replacePlaceholder)
	}
	s, err := v.stringify(goja.Undefined(), val, v.placeholderReplacer)
	return s, atts, err
}

// replacePlaceholder is the replacer of stringifyAttaching.
func (v *vm) replacePlaceholder(call goja.FunctionCall) goja.Value {
	val := call.Argument(1)
	if obj, ok := val.(*goja.Object); ok && v.attaching != nil {
		if b, ok := v.binaryBytes(obj); ok {
			ph := v.rt.NewObject()
			_ = ph.Set("_placeholder", true)
			_ = ph.Set("num", len(*v.attaching))
			*v.attaching = append(*v.attaching, b)
			return ph
		}
	}
	return val
}

// raiseRunError panics with err if it interrupted the run (the deadline, or
// Close) or overflowed its stack, as goja does when JS it runs from Go
// code ends so: the run that this JS was part of then ends with it, as it
// would have had the JS run in the handler itself.
func raiseRunError(err error) {
	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	if errors.As(err, &interrupted) || errors.As(err, &overflow) {
		panic(err)
	}
}

// maxKeptJSONBuffer bounds the output buffer a VM keeps between encodes,
// and the parser's string scratch it keeps between parses.
const maxKeptJSONBuffer = 64 << 10

// maxKeptJSONItems bounds the parser's array scratch a VM keeps between
// parses (16 bytes an item).
const maxKeptJSONItems = 4 << 10

// jsonEncoder writes plain data (objects with Object.prototype semantics,
// arrays, strings, numbers, booleans, null) as JSON.stringify would. It
// gives up (ok false) on anything else, and on cycles.
type jsonEncoder struct {
	v      *vm
	stack  []*goja.Object // the objects being written, outermost first
	attach bool           // binary values become placeholders (see appendJSON)
	atts   [][]byte       // the bytes of the placeholders written, with attach
}

// Types of the values the encoder writes without boxing them.
var (
	typeInt64   = reflect.TypeOf(int64(0))
	typeFloat64 = reflect.TypeOf(float64(0))
	typeString  = reflect.TypeOf("")
	typeBool    = reflect.TypeOf(false)
	typeProxy   = reflect.TypeOf(goja.Proxy{})
	// Two of goja's string representations: String() of the ASCII one is
	// free and exact; the UTF-16 one is read by code unit, which is exact
	// for lone surrogates too. The third (ToValue of a long or non-ASCII Go
	// string) holds a Go string, which String() returns as is.
	typeASCIIString = reflect.TypeOf(goja.StringFromUTF16([]uint16{'a'}))
	typeUTF16String = reflect.TypeOf(goja.StringFromUTF16([]uint16{0x100}))
)

// append writes val; inArray reports whether undefined is written as null
// (an array element) rather than dropped (an object member, or the top
// level, where it writes nothing).
func (e *jsonEncoder) append(dst []byte, val goja.Value, inArray bool) ([]byte, bool) {
	if val == nil || goja.IsUndefined(val) {
		if inArray {
			return append(dst, "null"...), true
		}
		return dst, true
	}
	if goja.IsNull(val) {
		return append(dst, "null"...), true
	}
	obj, isObj := val.(*goja.Object)
	if !isObj {
		return appendPrimitive(dst, val)
	}
	if hasToJSON(obj) {
		return nil, false
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		if inArray {
			return append(dst, "null"...), true
		}
		return dst, true
	}
	class := obj.ClassName()
	if class != "Object" && class != "Array" || len(e.stack) >= maxEncodeDepth {
		return nil, false
	}
	typ := obj.ExportType()
	if typ == typeProxy {
		return nil, false // a Proxy of an array is an array to JSON.stringify
	}
	if e.attach && class == "Object" { // typed arrays, ArrayBuffers and DataViews are of class Object
		if b, ok := e.v.binaryBytesOfType(obj, typ); ok {
			dst = append(dst, `{"_placeholder":true,"num":`...)
			dst = strconv.AppendInt(dst, int64(len(e.atts)), 10)
			e.atts = append(e.atts, b)
			return append(dst, '}'), true
		}
	}
	for _, seen := range e.stack {
		if seen == obj {
			return nil, false // JSON.stringify reports the cycle
		}
	}
	e.stack = append(e.stack, obj)
	var ok bool
	if class == "Array" {
		dst, ok = e.appendArray(dst, obj)
	} else {
		dst, ok = e.appendObject(dst, obj)
	}
	e.stack[len(e.stack)-1] = nil // keep no reference in the VM's scratch stack
	e.stack = e.stack[:len(e.stack)-1]
	return dst, ok
}

func (e *jsonEncoder) appendArray(dst []byte, obj *goja.Object) ([]byte, bool) {
	n := obj.Get("length").ToInteger()
	dst = append(dst, '[')
	var ok bool
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, ok = e.append(dst, obj.Get(arrayIndex(i)), true); !ok {
			return nil, false
		}
	}
	return append(dst, ']'), true
}

func (e *jsonEncoder) appendObject(dst []byte, obj *goja.Object) ([]byte, bool) {
	dst = append(dst, '{')
	first := true
	var ok bool
	for _, key := range obj.Keys() {
		if strings.ContainsRune(key, utf8.RuneError) {
			// Maybe a lone surrogate, which Keys turned into U+FFFD: the key
			// would name another property.
			return nil, false
		}
		member := obj.Get(key)
		if member == nil || goja.IsUndefined(member) {
			continue
		}
		if fn, isObj := member.(*goja.Object); isObj && !hasToJSON(fn) {
			if _, isFn := goja.AssertFunction(fn); isFn {
				continue
			}
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSString(dst, key)
		dst = append(dst, ':')
		if dst, ok = e.append(dst, member, false); !ok {
			return nil, false
		}
	}
	return append(dst, '}'), true
}

// hasToJSON reports whether obj has a toJSON property JSON.stringify would
// call (functions included).
func hasToJSON(obj *goja.Object) bool {
	toJSON := obj.Get("toJSON")
	return toJSON != nil && !goja.IsUndefined(toJSON)
}

// appendPrimitive writes a number, string or boolean as JSON.stringify
// does, without boxing it (Export would). Symbols and BigInts give up.
func appendPrimitive(dst []byte, val goja.Value) ([]byte, bool) {
	if _, isSymbol := val.(*goja.Symbol); isSymbol {
		return nil, false // its ExportType is string's
	}
	switch val.ExportType() {
	case typeInt64:
		return strconv.AppendInt(dst, val.ToInteger(), 10), true
	case typeFloat64:
		x := val.ToFloat()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(dst, "null"...), true
		}
		return ftoa.FToStr(x, ftoa.ModeStandard, 0, dst), true // what Number's toString and JSON.stringify write
	case typeString:
		switch reflect.TypeOf(val) {
		case typeASCIIString:
			return appendJSString(dst, val.String()), true
		case typeUTF16String:
			return appendJSUTF16(dst, val.(goja.String)), true
		}
		s := val.String()
		if strings.ContainsRune(s, utf8.RuneError) {
			return nil, false // maybe invalid UTF-8 that JS would see as U+FFFD
		}
		return appendJSString(dst, s), true
	case typeBool:
		if val.ToBoolean() {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	}
	return nil, false // BigInt
}

// appendJSUTF16 writes a string held as UTF-16 as JSON.stringify does:
// like appendJSString, with lone surrogates escaped as \uXXXX.
func appendJSUTF16(dst []byte, s goja.String) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	n := s.Length()
	for i := 0; i < n; i++ {
		c := rune(s.CharAt(i))
		switch {
		case c < utf8.RuneSelf:
			if c >= 0x20 && c != '"' && c != '\\' {
				dst = append(dst, byte(c))
			} else {
				dst = appendJSControl(dst, byte(c))
			}
			continue
		case utf16.IsSurrogate(c):
			if c < 0xdc00 && i+1 < n {
				if lo := rune(s.CharAt(i + 1)); lo >= 0xdc00 && lo <= 0xdfff {
					dst = utf8.AppendRune(dst, utf16.DecodeRune(c, lo))
					i++
					continue
				}
			}
			dst = append(dst, '\\', 'u', hex[c>>12], hex[c>>8&0xf], hex[c>>4&0xf], hex[c&0xf])
			continue
		}
		dst = utf8.AppendRune(dst, c)
	}
	return append(dst, '"')
}

// arrayIndex returns the property name of an array index without
// allocating for the first maxArrayIndexNames.
func arrayIndex(i int64) string {
	if i < 100 {
		return strconv.FormatInt(i, 10) // no allocation: strconv keeps these
	}
	if i < maxArrayIndexNames {
		names := arrayIndexNames()
		if i < 1000 {
			start := (i - 100) * 3
			return names[start : start+3]
		}
		start := 900*3 + (i-1000)*4
		return names[start : start+4]
	}
	return strconv.FormatInt(i, 10)
}

// maxArrayIndexNames bounds the array indexes whose names arrayIndexNames
// holds: 100 to 9999, as one string of 38,700 bytes.
const maxArrayIndexNames = 10000

// arrayIndexNames is "100101102…9999": the names of array indexes 100 to
// 9999, each a substring.
var arrayIndexNames = sync.OnceValue(func() string {
	b := make([]byte, 0, 900*3+9000*4)
	for i := 100; i < maxArrayIndexNames; i++ {
		b = strconv.AppendInt(b, int64(i), 10)
	}
	return string(b)
})

// appendJSString writes s as JSON.stringify writes a string: quotes,
// backslashes and control characters escaped, everything else as is.
func appendJSString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendJSControl(dst, c)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSControl writes the escape of a quote, a backslash or a control
// character as JSON.stringify does.
func appendJSControl(dst []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}
