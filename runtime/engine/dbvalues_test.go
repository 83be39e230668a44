package engine

import (
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestDBParam: each JS value becomes the documented Go value.
func TestDBParam(t *testing.T) {
	v := scratchVM(t)
	when := time.Date(2026, 3, 4, 5, 6, 7, 8_000_000, time.UTC)
	big60, _ := new(big.Int).SetString("1152921504606846977", 10) // 2^60+1
	tests := []struct {
		name, js string
		want     any
	}{
		{"undefined", "undefined", nil},
		{"null", "null", nil},
		{"true", "true", true},
		{"false", "false", false},
		{"integer", "42", int64(42)},
		{"negative integer", "-7", int64(-7)},
		{"integral float", "3 * 1.0", int64(3)},
		{"computed integer", "2 ** 40", int64(1 << 40)},
		{"max safe", "Number.MAX_SAFE_INTEGER", int64(maxSafeInteger)},
		{"beyond 2^53 stays a double", "2 ** 60", float64(1 << 60)},
		{"fraction", "1.5", 1.5},
		{"NaN", "NaN", math.NaN()},
		{"bigint", "2n ** 60n + 1n", big60},
		{"small bigint", "5n", big.NewInt(5)},
		{"string", `"héllo"`, "héllo"},
		{"empty string", `""`, ""},
		{"injection stays a string", `"'; DROP TABLE notes; --"`, "'; DROP TABLE notes; --"},
		{"Uint8Array", "new Uint8Array([1, 2, 255])", []byte{1, 2, 255}},
		{"empty Uint8Array", "new Uint8Array(0)", []byte{}},
		{"Buffer", `Buffer.from("hi")`, []byte("hi")},
		{"ArrayBuffer", "new Uint8Array([9, 8]).buffer", []byte{9, 8}},
		{"subarray view", "new Uint8Array([1, 2, 3, 4]).subarray(1, 3)", []byte{2, 3}},
		{"DataView", "new DataView(new Uint8Array([5, 6, 7]).buffer, 1)", []byte{6, 7}},
		{"Date", "new Date(" + when.Format(`"2006-01-02T15:04:05.000Z"`) + ")", when},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			val, err := v.rt.RunString(tt.js)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.dbParam(val)
			if err != nil {
				t.Fatalf("dbParam(%s): %v", tt.js, err)
			}
			switch want := tt.want.(type) {
			case float64:
				if g, ok := got.(float64); !ok || !(g == want || math.IsNaN(g) && math.IsNaN(want)) {
					t.Fatalf("dbParam(%s) = %T %v, want float64 %v", tt.js, got, got, want)
				}
			case *big.Int:
				if g, ok := got.(*big.Int); !ok || g.Cmp(want) != 0 {
					t.Fatalf("dbParam(%s) = %T %v, want *big.Int %v", tt.js, got, got, want)
				}
			case time.Time:
				if g, ok := got.(time.Time); !ok || !g.Equal(want) {
					t.Fatalf("dbParam(%s) = %T %v, want %v", tt.js, got, got, want)
				}
			default:
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("dbParam(%s) = %T %#v, want %T %#v", tt.js, got, got, tt.want, tt.want)
				}
			}
		})
	}
}

// TestDBParamCopiesBytes: the bytes bound are a copy, so that JS writing
// the buffer while the statement runs off the VM changes nothing.
func TestDBParamCopiesBytes(t *testing.T) {
	v := scratchVM(t)
	arr, err := v.rt.RunString("globalThis.a = new Uint8Array([1, 2, 3]); a")
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.dbParam(arr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.rt.RunString("a[0] = 99"); err != nil {
		t.Fatal(err)
	}
	if b := got.([]byte); b[0] != 1 {
		t.Fatalf("the bound bytes changed with the buffer: %v", b)
	}
}

// TestDBParamRefused: values with no mapping fail with a message that says
// what to do, naming the parameter.
func TestDBParamRefused(t *testing.T) {
	v := scratchVM(t)
	tests := []struct{ js, want string }{
		{`({a: 1})`, "parameter 2: objects and arrays are not bound: pass JSON.stringify(value)"},
		{`[1, 2]`, "parameter 2: objects and arrays are not bound"},
		{`(() => 1)`, "parameter 2: objects and arrays are not bound"},
		{`Symbol("s")`, "parameter 2: a symbol is not bound"},
		{`new Date(NaN)`, "parameter 2: an invalid Date is not bound"},
	}
	for _, tt := range tests {
		val, err := v.rt.RunString(tt.js)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.dbParams([]goja.Value{v.rt.ToValue(1), val})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("dbParams(1, %s) = %v, want an error containing %q", tt.js, err, tt.want)
		}
	}
}

// TestDBRows: column values become the documented JS values, in row
// objects whose properties keep the query's column order.
func TestDBRows(t *testing.T) {
	v := scratchVM(t)
	when := time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.UTC)
	rows := Rows{
		Columns: []string{"z_null", "b", "n", "f", "s", "bytes", "at", "huge", "neg_huge", "safe", "text_of", "__proto__", "dup", "dup"},
		Values: [][]any{{
			nil, true, int64(42), 1.25, "hé", []byte{1, 2, 3}, when, int64(math.MaxInt64), int64(-1 << 60), int64(maxSafeInteger),
			struct{ A int }{7}, "p", "first", "second",
		}},
	}
	if err := v.rt.Set("rows", v.dbRows(rows)); err != nil {
		t.Fatal(err)
	}
	checks := []string{
		`Array.isArray(rows) && rows.length === 1`,
		`Object.keys(rows[0]).join() === "z_null,b,n,f,s,bytes,at,huge,neg_huge,safe,text_of,__proto__,dup"`,
		`rows[0].z_null === null`,
		`rows[0].b === true`,
		`rows[0].n === 42`,
		`rows[0].f === 1.25`,
		`rows[0].s === "hé"`,
		`rows[0].bytes instanceof Uint8Array && !(rows[0].bytes instanceof Buffer) && rows[0].bytes.join() === "1,2,3"`,
		`rows[0].at instanceof Date && rows[0].at.toISOString() === "2026-03-04T05:06:07.891Z"`,
		`rows[0].huge === 9223372036854775807n`,
		`rows[0].neg_huge === -(2n ** 60n)`,
		`rows[0].safe === Number.MAX_SAFE_INTEGER`,
		`rows[0].text_of === "{7}"`,
		`Object.getPrototypeOf(rows[0]) === Object.prototype && rows[0]["__proto__"] === "p"`,
		`rows[0].dup === "second"`,
	}
	for _, c := range checks {
		val, err := v.rt.RunString(c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if !val.ToBoolean() {
			t.Errorf("false: %s", c)
		}
	}
	empty := v.dbRows(Rows{Columns: []string{"a"}})
	if err := v.rt.Set("empty", empty); err != nil {
		t.Fatal(err)
	}
	if val, _ := v.rt.RunString(`Array.isArray(empty) && empty.length === 0`); !val.ToBoolean() {
		t.Error("no rows is not an empty array")
	}
}

// TestDBRoundTrip: a value bound and read back as the same column type is
// the value it was, for each type of the mapping.
func TestDBRoundTrip(t *testing.T) {
	v := scratchVM(t)
	for _, js := range []string{
		`null`, `true`, `0`, `-12`, `1.5`, `Number.MAX_SAFE_INTEGER`, `-Number.MAX_SAFE_INTEGER`,
		`2n ** 62n`, `-(2n ** 63n)`, `"text"`, `new Uint8Array([0, 255])`, `new Date(1767225600123)`,
	} {
		val, err := v.rt.RunString(js)
		if err != nil {
			t.Fatal(err)
		}
		p, err := v.dbParam(val)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if b, ok := p.(*big.Int); ok {
			p = b.Int64() // what an INTEGER column gives back
		}
		if err := v.rt.Set("back", v.dbValue(p)); err != nil {
			t.Fatal(err)
		}
		if err := v.rt.Set("orig", val); err != nil {
			t.Fatal(err)
		}
		same, err := v.rt.RunString(`orig instanceof Uint8Array ? back.join() === orig.join() :
			orig instanceof Date ? back.getTime() === orig.getTime() : back === orig`)
		if err != nil {
			t.Fatal(err)
		}
		if !same.ToBoolean() {
			t.Errorf("%s came back as %v (%T from %T)", js, v.rt.Get("back"), v.rt.Get("back").Export(), p)
		}
	}
}
