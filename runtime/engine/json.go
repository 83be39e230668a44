package engine

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
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
func (v *vm) parseJSON(data []byte) (goja.Value, error) {
	p := jsonParser{rt: v.rt, b: data}
	val, err := p.value(0)
	if err == nil {
		p.space()
		if p.i != len(p.b) {
			err = errSlowPath
		}
	}
	if err != nil {
		return v.parse(goja.Undefined(), v.rt.ToValue(string(data)))
	}
	return val, nil
}

// jsonParser builds goja values straight from JSON text.
type jsonParser struct {
	rt *goja.Runtime
	b  []byte
	i  int
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
		return p.rt.ToValue(s), nil
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
		key, err := p.str()
		if err != nil {
			return nil, err
		}
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
	var items []any
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return p.rt.NewArray(), nil
	}
	for {
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, val)
		p.space()
		if p.i >= len(p.b) {
			return nil, errSlowPath
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return p.rt.NewArray(items...), nil
		default:
			return nil, errSlowPath
		}
	}
}

// str reads a string literal. Lone surrogates (valid in JS strings, not in
// Go's) take the slow path.
func (p *jsonParser) str() (string, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := string(p.b[start:p.i])
			p.i++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", errSlowPath
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", errSlowPath
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
				return "", errSlowPath
			}
			if utf16.IsSurrogate(r) {
				if p.i+1 >= len(p.b) || p.b[p.i] != '\\' || p.b[p.i+1] != 'u' {
					return "", errSlowPath
				}
				p.i += 2
				r2, ok := p.hex4()
				if r = utf16.DecodeRune(r, r2); !ok || r == utf8.RuneError {
					return "", errSlowPath
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", errSlowPath
		}
	}
	return "", errSlowPath
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

// stringifyJSON returns JSON.stringify(val) as bytes, nil for undefined.
func (v *vm) stringifyJSON(val goja.Value) ([]byte, error) {
	e := jsonEncoder{v: v}
	out, ok := e.append(nil, val, false)
	if ok {
		return out, nil
	}
	s, err := v.stringify(goja.Undefined(), val)
	if err != nil {
		return nil, err
	}
	if goja.IsUndefined(s) {
		return nil, nil
	}
	return []byte(s.String()), nil
}

// jsonEncoder writes plain data (objects with Object.prototype semantics,
// arrays, strings, numbers, booleans, null) as JSON.stringify would. It
// gives up (ok false) on anything else, and on cycles.
type jsonEncoder struct {
	v     *vm
	stack []*goja.Object
}

// append writes val; skippable reports whether undefined may be dropped (an
// object member) rather than written as null (an array element). A top-level
// undefined returns nil.
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
	if _, isSymbol := val.(*goja.Symbol); isSymbol {
		return nil, false
	}
	obj, isObj := val.(*goja.Object)
	if !isObj {
		switch x := val.Export().(type) {
		case int64:
			return strconv.AppendInt(dst, x, 10), true
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return append(dst, "null"...), true
			}
			return append(dst, val.String()...), true // JS number formatting
		case string:
			if strings.ContainsRune(x, utf8.RuneError) {
				return nil, false // maybe a lone surrogate, which Go strings cannot hold
			}
			return appendJSString(dst, x), true
		case bool:
			return strconv.AppendBool(dst, x), true
		}
		return nil, false // BigInt, Symbol
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
	for _, seen := range e.stack {
		if seen == obj {
			return nil, false // JSON.stringify reports the cycle
		}
	}
	if toJSON := obj.Get("toJSON"); toJSON != nil && !goja.IsUndefined(toJSON) {
		return nil, false
	}
	e.stack = append(e.stack, obj)
	defer func() { e.stack = e.stack[:len(e.stack)-1] }()
	var ok bool
	if class == "Array" {
		n := obj.Get("length").ToInteger()
		dst = append(dst, '[')
		for i := range n {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = e.append(dst, obj.Get(strconv.FormatInt(i, 10)), true); !ok {
				return nil, false
			}
		}
		return append(dst, ']'), true
	}
	dst = append(dst, '{')
	first := true
	for _, key := range obj.Keys() {
		member := obj.Get(key)
		if member == nil || goja.IsUndefined(member) {
			continue
		}
		if _, isFn := goja.AssertFunction(member); isFn {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if strings.ContainsRune(key, utf8.RuneError) {
			return nil, false
		}
		dst = appendJSString(dst, key)
		dst = append(dst, ':')
		if dst, ok = e.append(dst, member, false); !ok {
			return nil, false
		}
	}
	return append(dst, '}'), true
}

// appendJSString writes s as JSON.stringify writes a string: quotes,
// backslashes and control characters escaped, everything else as is.
func appendJSString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
