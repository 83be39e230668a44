package engine

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// slowJSON is what goja's own JSON.stringify makes of val.
func slowJSON(t testing.TB, v *vm, val goja.Value) string {
	t.Helper()
	s, err := v.stringify(goja.Undefined(), val)
	if err != nil {
		return "error: " + err.Error()
	}
	if goja.IsUndefined(s) {
		return "undefined"
	}
	return s.String()
}

func fastJSON(v *vm, val goja.Value) string {
	b, err := v.stringifyJSON(val)
	if err != nil {
		return "error: " + err.Error()
	}
	if b == nil {
		return "undefined"
	}
	return string(b)
}

func scratchVM(t testing.TB) *vm {
	t.Helper()
	e := newEngine(t, map[string]string{"m.js": "export function f() {}\n"}, Config{PoolSize: 1})
	return newVM(e, nil)
}

var jsonDocs = []string{
	`{"name":"Ada"}`, `null`, `true`, `false`, `0`, `-0`, `1`, `-12`, `123456789012345`, `1234567890123456789`,
	`1.5`, `-1.5e3`, `1E-7`, `0.1`, `""`, `"plain"`, `"é ü 日本 😀"`,
	`"\"\\\/\b\f\n\r\t"`, `"\u0041\u00e9\u65e5\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`,
	`[]`, `{}`, `[1,"two",{"three":[3,null,true]}]`, ` { "a" : [ 1 , 2 ] , "b" : { } } `,
	`{"b":1,"a":2,"10":3,"2":4}`, `{"a":1,"a":2}`, `{"__proto__":{"x":1}}`, `{"constructor":1,"toString":2}`,
}

// TestParseJSONMatchesJSONParse: the fast parser builds the same values as
// JSON.parse.
func TestParseJSONMatchesJSONParse(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	deep := strings.Repeat("[", 100) + "1" + strings.Repeat("]", 100)
	for _, doc := range append(jsonDocs, deep) {
		checkParse(t, v, []byte(doc))
	}
	// goja's JSON.parse rejects numbers beyond float64; JSON.parse in
	// browsers and Node gives Infinity, and so does the fast parser.
	for doc, want := range map[string]string{"1e400": "Infinity", "-1e400": "-Infinity", "[1e999]": "Infinity"} {
		val, err := v.parseJSON([]byte(doc))
		if err != nil || !strings.Contains(val.String(), want) {
			t.Errorf("%s: %v %v, want %s", doc, val, err, want)
		}
	}
}

func checkParse(t *testing.T, v *vm, doc []byte) {
	t.Helper()
	fast, err := v.parseJSON(doc)
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	slow, err := v.parse(goja.Undefined(), v.rt.ToValue(string(doc)))
	if err != nil {
		t.Logf("%s: goja's JSON.parse fails (%v); the fast parser does not", doc, err)
		return
	}
	if f, s := slowJSON(t, v, fast), slowJSON(t, v, slow); f != s {
		t.Errorf("%s: fast parse gives %s, JSON.parse %s", doc, f, s)
	}
	if fo, so := fast.ExportType(), slow.ExportType(); fo != so && !(isNumber(fast) && isNumber(slow)) {
		t.Errorf("%s: fast parse type %v, JSON.parse %v", doc, fo, so)
	}
	if fo, ok := fast.(*goja.Object); ok {
		if fo.Prototype() != slow.(*goja.Object).Prototype() {
			t.Errorf("%s: prototypes differ", doc)
		}
	}
}

func isNumber(val goja.Value) bool {
	switch val.Export().(type) {
	case int64, float64:
		return true
	}
	return false
}

// TestStringifyJSONMatchesJSONStringify: the fast encoder writes what
// JSON.stringify writes, and gives way to it where it must.
func TestStringifyJSONMatchesJSONStringify(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	exprs := []string{
		`undefined`, `null`, `true`, `0`, `-0`, `42`, `-7.25`, `1e21`, `1e-7`, `123456789.123`, `NaN`, `Infinity`, `2**53+2`,
		`"text"`, `"quote\" backslash\\ slash/ nl\n tab\t nul\u0000 del\u007f <>&"`, `"é 日本 😀"`, `"\ud800"`,
		`[]`, `({})`, `[1, "a", null, undefined, () => 1, Symbol("s"), [2]]`, `({a: 1, b: undefined, c: () => 1, d: [ ], e: {f: null}})`,
		`({b: 1, a: 2, 10: 3, 2: 4})`, `Object.assign(Object.create(null), {x: 1})`, `new (class P { constructor() { this.x = 1 } })()`,
		`({get g() { return "got" }})`, `({toJSON() { return "custom" }})`, `new Date(0)`, `{ const a = {}; a.self = a; a }`,
		`[new Number(1), new String("s"), new Boolean(false)]`, `({big: 10n})`, `new Map([[1, 2]])`, `new Uint8Array([1, 2])`,
		`Object.defineProperty({shown: 1}, "hidden", {value: 2, enumerable: false})`, `({[Symbol("k")]: 1, v: 2})`,
		`[ , 1, , ]`, `Array(3)`, `({nested: {deep: [{x: [1, {y: "z"}]}]}})`,
	}
	for _, expr := range exprs {
		val, err := v.rt.RunString(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if f, s := fastJSON(v, val), slowJSON(t, v, val); f != s {
			t.Errorf("%s: fast %s, JSON.stringify %s", expr, f, s)
		}
	}
}

// FuzzParseJSON compares the fast parser with JSON.parse on any valid JSON,
// and the round trip through the fast encoder.
func FuzzParseJSON(f *testing.F) {
	for _, doc := range jsonDocs {
		f.Add([]byte(doc))
	}
	v := scratchVM(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		checkParse(t, v, doc)
		fast, _ := v.parseJSON(doc)
		if f, s := fastJSON(v, fast), slowJSON(t, v, fast); f != s {
			t.Errorf("%s: fast encoder %s, JSON.stringify %s", doc, f, s)
		}
	})
}
