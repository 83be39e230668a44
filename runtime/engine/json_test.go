package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
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
		// Found in review: a Proxy of an array is an array; a function with
		// toJSON is what toJSON returns, as a member, an element or the value.
		`new Proxy([1, 2], {})`, `({p: new Proxy([3], {})})`, `new Proxy({a: 1}, {})`,
		`({f: Object.assign(() => 1, {toJSON: () => "x"})})`, `[Object.assign(() => 1, {toJSON: () => "x"})]`,
		`Object.assign(() => 1, {toJSON: () => "x"})`,
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

// TestStringifyJSONValues compares the fast encoder with JSON.stringify on
// what it now writes itself: numbers through goja's own formatting,
// strings held as UTF-16 (lone surrogates included), long arrays whose
// index names come from a table.
func TestStringifyJSONValues(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	exprs := []string{
		`[0.1, -0.5, 1/3, 5e-7, 1e-7, 123e-20, 1e20, 1e21, 1.7976931348623157e308, 5e-324, -1e-7, 2**53, 2**53+1, -(2**31), 2**31, 2**63, 4.35, 0.000001, 100, -0]`,
		`[1.5, 1e300 * 10, -1/0, 0/0, NaN]`,
		`"é" + "ü 日本 😀 \u2028\u2029"`, `"\ud83d\ude00" + "x"`, `"a\ud800b"`, `"\udc00"`, `"x\ud83d"`, `"\ud83d\ud83d\ude00"`,
		`"é\u0000\u001f\u007f\"\\\n\t\b\f\r/"`, `"\ufffd é"`, `({["é" + "k"]: "v" + "ü"})`, `({["a\ud800"]: 1})`,
		`Array.from({length: 120}, (_, i) => i)`, `Array.from({length: 1005}, (_, i) => i % 7 ? i : null)`,
		`Array.from({length: 10002}, (_, i) => i)`, `{ const a = []; a[150] = 1; a[1500] = "x"; a[10500] = true; a }`,
		`[true, false, [[[]]], {}, [{}], "", 0]`, `({a: [1.25, "é" + "", {b: -3}]})`,
	}
	for _, expr := range exprs {
		val, err := v.rt.RunString(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if f, s := fastJSON(v, val), slowJSON(t, v, val); f != s {
			t.Errorf("%s:\nfast           %s\nJSON.stringify %s", expr, f, s)
		}
	}
}

// TestStringifyJSONFloats: numbers are written exactly as JSON.stringify
// writes them, for random bit patterns and random decimal-looking values.
func TestStringifyJSONFloats(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		var x float64
		switch i % 3 {
		case 0:
			x = math.Float64frombits(r.Uint64())
		case 1:
			x = float64(r.IntN(2_000_000)-1_000_000) / math.Pow(10, float64(r.IntN(12)))
		default:
			x = r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
		}
		val := v.rt.ToValue(x)
		if f, s := fastJSON(v, val), slowJSON(t, v, val); f != s {
			t.Fatalf("%v (%#x): fast %s, JSON.stringify %s", x, math.Float64bits(x), f, s)
		}
	}
}

func TestArrayIndex(t *testing.T) {
	for i := range int64(maxArrayIndexNames + 50) {
		if got := arrayIndex(i); got != strconv.FormatInt(i, 10) {
			t.Fatalf("arrayIndex(%d) = %q", i, got)
		}
	}
	// Not parallel: AllocsPerRun counts every goroutine's allocations.
	if n := testing.AllocsPerRun(100, func() {
		for _, i := range []int64{0, 99, 100, 999, 1000, 9999} {
			_ = arrayIndex(i)
		}
	}); n != 0 {
		t.Errorf("arrayIndex allocates %v times", n)
	}
}

// TestStringifyJSONBuffer: the output buffer is reused by the next encode,
// and an encode nested in another (a getter that emits) does not write
// into the outer one's.
func TestStringifyJSONBuffer(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	var nested []string
	v.rt.Set("emit", func(call goja.FunctionCall) goja.Value {
		data, err := v.stringifyJSON(call.Argument(0))
		if err != nil {
			panic(v.rt.NewGoError(err))
		}
		nested = append(nested, string(data))
		return goja.Undefined()
	})
	val, err := v.rt.RunString(`({a: "first", get b() { emit({inner: ["x", {deep: 1}]}); return [1, 2] }, c: {d: "last"}})`)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		nested = nested[:0]
		out, err := v.stringifyJSON(val)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != `{"a":"first","b":[1,2],"c":{"d":"last"}}` || len(nested) != 1 || nested[0] != `{"inner":["x",{"deep":1}]}` {
			t.Fatalf("out %s, nested %q", out, nested)
		}
	}
	first, _ := v.stringifyJSON(v.rt.ToValue("one"))
	firstText := string(first)
	second, _ := v.stringifyJSON(v.rt.ToValue(2))
	if firstText != `"one"` || string(second) != "2" {
		t.Fatalf("%s %s", firstText, second)
	}
	if len(v.jsonStack) != 0 || cap(v.jsonBuf) == 0 {
		t.Errorf("scratch state after encodes: stack %d, buffer cap %d", len(v.jsonStack), cap(v.jsonBuf))
	}
}

// FuzzStringifyJSON compares the fast encoder with JSON.stringify on
// strings of any UTF-16 code units (lone surrogates included), on Go
// strings (which may not be valid UTF-8), and on any float64.
func FuzzStringifyJSON(f *testing.F) {
	f.Add([]byte("a\x00\xd8\x00\xdc"), "é\xff", 0.1, int64(-7))
	f.Add([]byte{0x3d, 0xd8, 0x00, 0xde}, "plain", 1e21, int64(1)<<53)
	v := scratchVM(f)
	build, err := v.rt.RunString(`(function (u, s, x, n) { return [u, s, x, n, {[u]: s, [s]: x, n: [u + s]}] })`)
	if err != nil {
		f.Fatal(err)
	}
	fn, _ := goja.AssertFunction(build)
	f.Fuzz(func(t *testing.T, units []byte, s string, x float64, n int64) {
		u := make([]uint16, len(units)/2)
		for i := range u {
			u[i] = uint16(units[2*i]) | uint16(units[2*i+1])<<8
		}
		val, err := fn(goja.Undefined(), goja.StringFromUTF16(u), v.rt.ToValue(s), v.rt.ToValue(x), v.rt.ToValue(n))
		if err != nil {
			t.Fatal(err)
		}
		if fast, slow := fastJSON(v, val), slowJSON(t, v, val); fast != slow {
			t.Errorf("fast %s, JSON.stringify %s", fast, slow)
		}
	})
}

// TestParseJSONStringCache: strings that share a slot of the parser's
// string cache, escaped strings, long ones and repeats all parse as
// JSON.parse parses them; an abandoned parse keeps no values alive.
func TestParseJSONStringCache(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	var c stringCache
	bySlot := map[int]string{}
	var a, b string
	for i := 0; a == ""; i++ {
		s := "k" + strconv.Itoa(i)
		slot := c.slot([]byte(s))
		if other, ok := bySlot[slot]; ok {
			a, b = other, s
		}
		bySlot[slot] = s
	}
	long := strings.Repeat("x", maxCachedString+1)
	docs := []string{
		`["` + a + `","` + b + `","` + a + `",{"` + a + `":"` + b + `","` + b + `":"` + a + `"}]`,
		`{"` + b + `":["` + a + `"],"` + a + `":{"` + b + `":"` + b + `"}}`,
		`["\u0041da","Ada","A\nb","A\nb",{"A\nb":"Ada"},"` + long + `","` + long + `"]`,
		`{"":"","e":"","f":[""]}`, `[[],[[]],[1,[2,[3]]],{"a":[]}]`,
	}
	for range 3 {
		for _, doc := range docs {
			checkParse(t, v, []byte(doc))
		}
	}
	if _, err := v.parseJSON([]byte(`[1,"two",[3,{"four":4}],`)); err == nil {
		t.Fatal("a truncated document parsed")
	}
	for i, item := range v.jsonItems[:cap(v.jsonItems)] {
		if item != nil {
			t.Fatalf("the parser's scratch keeps item %d: %v", i, item)
		}
	}
}

// TestParseJSONScratchBounded: a large request's arrays and strings do not
// keep their scratch room in the VM for good.
func TestParseJSONScratchBounded(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	big := "[" + strings.Repeat("0,", 100_000) + `"` + strings.Repeat(`\n`, 100_000) + `"]`
	if _, err := v.parseJSON([]byte(big)); err != nil {
		t.Fatal(err)
	}
	if cap(v.jsonItems) > maxKeptJSONItems || cap(v.jsonScratch) > maxKeptJSONBuffer {
		t.Fatalf("kept scratch of %d items and %d bytes after a large parse", cap(v.jsonItems), cap(v.jsonScratch))
	}
	if _, err := v.parseJSON([]byte(`[1,2,"a\nb"]`)); err != nil {
		t.Fatal(err)
	}
	if cap(v.jsonItems) == 0 || cap(v.jsonScratch) == 0 {
		t.Fatal("small parses should keep their scratch for the next one")
	}
}

// TestResultNotSerializable: a result JSON.stringify would reject, a getter
// that throws included, is a handler_error saying why, without a stack, and
// the VM lives on.
func TestResultNotSerializable(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function getter() { return { a: 1, get x() { throw new Error("boom") } } }
export function bigint() { return { n: 1n } }
export function cycle() { const a = {}; a.a = a; return a }
export function one() { return 1 }`}, Config{PoolSize: 1})
	for event, want := range map[string]string{
		"m.getter": "the handler's result value is not JSON-serializable: Error: boom",
		"m.bigint": "the handler's result value is not JSON-serializable: TypeError: Do not know how to serialize a BigInt",
		"m.cycle":  "the handler's result value is not JSON-serializable: TypeError: Converting circular structure to JSON",
	} {
		o := runCall(t, e, context.Background(), newSocket("s"), event, "")
		var he *HandlerError
		if !errors.As(o.err, &he) || he.Code != "handler_error" || he.Message != want {
			t.Errorf("%s: %v, want handler_error %q", event, o.err, want)
		}
	}
	if o := runCall(t, e, context.Background(), newSocket("s"), "m.one", ""); string(o.res.Data) != "1" {
		t.Fatalf("the next call: %s, %v", o.res.Data, o.err)
	}
	if n := e.Stats().VMResets; n != 0 {
		t.Fatalf("%d VM resets, want 0", n)
	}
}

// TestThrownValueNotConvertible: a thrown value whose conversion to a
// string throws (no toString at all, a toString that throws, a Proxy whose
// traps throw) is a handler_error like any other throw: no internal error,
// no VM reset, and the calls awaiting on the VM live on. Found in review:
// converting it for the stack escaped every guard.
func TestThrownValueNotConvertible(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function wait() { return new Promise(r => setTimeout(() => r("waited"), 200)) }
export function bare() { throw Object.create(null) }
export function toString() { throw { toString() { throw 1 } } }
export function proxy() { throw new Proxy({}, { get() { throw 3 } }) }
export function rejects() { return Promise.reject(Object.create(null)) }`}, Config{PoolSize: 1})
	waiting := start(e, context.Background(), newSocket("w"), "m.wait", "")
	for _, event := range []string{"m.bare", "m.toString", "m.proxy", "m.rejects"} {
		o := runCall(t, e, context.Background(), newSocket("s"), event, "")
		var he *HandlerError
		if !errors.As(o.err, &he) || he.Code != "handler_error" || strings.Contains(he.Message, "/") {
			t.Errorf("%s: %v, want a handler_error that names no file", event, o.err)
		}
	}
	<-waiting.finished
	if string(waiting.res.Data) != `"waited"` || waiting.err != nil {
		t.Fatalf("the awaiting call: %s, %v", waiting.res.Data, waiting.err)
	}
	if n := e.Stats().VMResets; n != 0 {
		t.Fatalf("%d VM resets, want 0", n)
	}
}

// TestDataTooDeep: data nested deeper than the parser's bound is refused
// with bad_request, on the fast path and on JSON.parse's alike (a lone
// surrogate sends it there); data at the bound is served.
func TestDataTooDeep(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `export function echo(socket, data) { return data }`}, Config{PoolSize: 1})
	nest := func(n int, inner string) string {
		return strings.Repeat("[", n) + inner + strings.Repeat("]", n)
	}
	for name, data := range map[string]string{
		"fast":   nest(maxParseDepth+1, "1"),
		"slow":   `["\ud800",` + nest(maxParseDepth, "1") + `]`,
		"string": `"` + strings.Repeat("[", 2*maxParseDepth) + `"`,
	} {
		o := runCall(t, e, context.Background(), newSocket("s"), "m.echo", data)
		var he *HandlerError
		if name == "string" {
			if o.err != nil || string(o.res.Data) != data {
				t.Errorf("%s: %.40s, %v; want it echoed", name, o.res.Data, o.err)
			}
			continue
		}
		if !errors.As(o.err, &he) || he.Code != "bad_request" {
			t.Errorf("%s: %v, want bad_request", name, o.err)
		}
	}
	atBound := nest(maxParseDepth, "1")
	if o := runCall(t, e, context.Background(), newSocket("s"), "m.echo", atBound); string(o.res.Data) != atBound {
		t.Fatalf("data at the bound: %.40s, %v", o.res.Data, o.err)
	}
}

// TestDeepConnectionData: the depth bound is for the data clients send;
// socket.data, which the server itself wrote, is read at any depth. Found
// in review: data deeper than the bound was read back as {} and then
// written over the connection's data.
func TestDeepConnectionData(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"m.js": `
export function set(socket) { let o = {}; for (let i = 0; i < 600; i++) o = { o }; socket.data = o; return 1 }
export function get(socket) { let n = 0, o = socket.data; while (o.o) { o = o.o; n++ } return n }`}, Config{PoolSize: 1})
	sock := newSocket("s")
	ok(t, runCall(t, e, context.Background(), sock, "m.set", ""), "1")
	ok(t, runCall(t, e, context.Background(), sock, "m.get", ""), "600")
}

// attachJSON is what appendJSON writes of val with attachments: the text
// (or the error) and the attachments in hex.
func attachJSON(v *vm, val goja.Value, slow bool) string {
	var out []byte
	var atts [][]byte
	var err error
	if slow {
		var s goja.Value
		if s, atts, err = v.stringifyAttaching(val, nil); err == nil && !goja.IsUndefined(s) {
			out = []byte(s.String())
		}
	} else {
		out, atts, err = v.appendJSON(nil, val, true, nil)
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return payloadText(Payload{Data: out, Attachments: atts})
}

// TestStringifyAttachingMatches: with attachments, the fast encoder writes
// the placeholders and attachments that JSON.stringify with the
// placeholder replacer writes, and without binary values what
// JSON.stringify writes.
func TestStringifyAttachingMatches(t *testing.T) {
	t.Parallel()
	v := scratchVM(t)
	exprs := []string{
		`({a: new Uint8Array([1, 2]), b: [new ArrayBuffer(1), Buffer.from("x")], c: {d: new Int32Array([-1])}})`,
		`[new DataView(new Uint8Array([1, 2, 3]).buffer, 1), new Float64Array([0.5]), new BigUint64Array([1n])]`,
		`new Uint8Array([7])`, `[new Uint8Array([1, 2, 3, 4]).subarray(1, 3)]`, `{ const b = new Uint8Array([1]); [b, {b}] }`,
		`[new (class V extends DataView {})(new ArrayBuffer(2))]`, `({u: undefined, f() {}, b: new Uint8Array(0)})`,
		`({n: null, nested: [[[new Uint16Array([258])]]], s: "x"})`, `[new Uint8ClampedArray([300])]`,
	}
	for _, expr := range exprs {
		val, err := v.rt.RunString(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if f, s := attachJSON(v, val, false), attachJSON(v, val, true); f != s || !strings.Contains(f, "_placeholder") {
			t.Errorf("%s:\nfast %s\nslow %s", expr, f, s)
		}
	}
	plain := []string{`({a: [1, "x", null], b: {c: true}})`, `[1.5, "é", {}]`, `"s"`, `undefined`, `new Date(0)`, `({toJSON() { return 1 }})`}
	for _, expr := range plain {
		val, err := v.rt.RunString(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		want := slowJSON(t, v, val)
		if want == "undefined" {
			want = ""
		}
		if f, s := attachJSON(v, val, false), attachJSON(v, val, true); f != want || s != want {
			t.Errorf("%s: fast %s, slow %s, JSON.stringify %s", expr, f, s, want)
		}
	}
}
