package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/dop251/goja"
)

// maxSafeInteger is Number.MAX_SAFE_INTEGER, 2^53-1: the largest integer
// that a JS number holds exactly, and every integer up to it.
const maxSafeInteger = 1<<53 - 1

var typeTime = reflect.TypeOf(time.Time{})

// errUnboundObject is the error of a parameter that is an object with no
// mapping (a plain object, an array, a function).
var errUnboundObject = errors.New("objects and arrays are not bound: pass JSON.stringify(value) for a JSON column")

// dbJS is what a VM keeps to make the values of query results: the
// constructors it looks up on first use (goja makes built-ins lazily).
type dbJS struct {
	uint8Array, date goja.Value
	obj              *goja.Object // the db object of the native module, made on first require
}

// dbParams converts a statement's parameters, JS values, into the values
// Database takes (see dbParam). The error names the parameter, from 1.
func (v *vm) dbParams(args []goja.Value) ([]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	out := make([]any, len(args))
	for i, a := range args {
		p, err := v.dbParam(a)
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		out[i] = p
	}
	return out, nil
}

// dbParam converts one parameter:
//
//	undefined, null                    nil
//	boolean                            bool
//	number, an integer within ±2^53    int64
//	any other number (NaN, ±Infinity
//	  and integers beyond 2^53 too)    float64
//	bigint                             *big.Int
//	string                             string
//	Uint8Array, Buffer, ArrayBuffer,
//	  any typed array, DataView        []byte, a copy of the bytes in view
//	Date                               time.Time (an invalid Date fails)
//
// Anything else (plain objects, arrays, functions, symbols) fails. It runs
// on the VM's goroutine: what it returns no longer refers to JS memory.
func (v *vm) dbParam(val goja.Value) (any, error) {
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return nil, nil
	}
	if obj, ok := val.(*goja.Object); ok {
		typ := obj.ExportType()
		if typ == typeTime {
			t, ok := obj.Export().(time.Time)
			if !ok {
				return nil, errors.New("an invalid Date is not bound")
			}
			return t, nil
		}
		if b, ok := v.binaryBytesOfType(obj, typ); ok {
			return append([]byte{}, b...), nil // never nil (NULL); a copy: the statement runs off the VM, while JS may write the buffer
		}
		return nil, errUnboundObject
	}
	if _, ok := val.(*goja.Symbol); ok {
		return nil, errors.New("a symbol is not bound")
	}
	switch x := val.Export().(type) {
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= maxSafeInteger {
			return int64(x), nil
		}
		return x, nil
	case string, bool, *big.Int:
		return x, nil
	}
	return nil, fmt.Errorf("a value of Go type %T is not bound", val.Export())
}

// dbValue converts a column value from Database into a JS value:
//
//	nil                         null
//	bool                        boolean
//	int64 within ±(2^53-1)      number
//	int64 beyond                bigint (exact)
//	float64                     number
//	string                      string
//	[]byte                      Uint8Array (of a new ArrayBuffer)
//	time.Time                   Date (milliseconds: finer digits are cut)
//	*big.Int                    number when safe, else bigint
//	anything else               its fmt.Sprint text
func (v *vm) dbValue(x any) goja.Value {
	switch x := x.(type) {
	case nil:
		return goja.Null()
	case int64:
		return v.dbInteger(x)
	case float64, bool, string:
		return v.rt.ToValue(x)
	case []byte:
		return v.newUint8Array(x)
	case time.Time:
		return v.newDate(x)
	case *big.Int:
		if x.IsInt64() {
			return v.dbInteger(x.Int64())
		}
		return v.rt.ToValue(x)
	}
	return v.rt.ToValue(fmt.Sprint(x))
}

// dbInteger is an integer as a number when the number holds it exactly,
// else as a BigInt.
func (v *vm) dbInteger(i int64) goja.Value {
	if i >= -maxSafeInteger && i <= maxSafeInteger {
		return v.rt.ToValue(i)
	}
	return v.rt.ToValue(new(big.Int).SetInt64(i))
}

// newUint8Array returns a Uint8Array over a copy of b.
func (v *vm) newUint8Array(b []byte) goja.Value {
	if v.db.uint8Array == nil {
		v.db.uint8Array = v.rt.Get("Uint8Array")
	}
	arr, err := v.rt.New(v.db.uint8Array, v.rt.ToValue(v.rt.NewArrayBuffer(bytes.Clone(b))))
	if err != nil {
		panic(err) // a bug: the built-in constructor takes any ArrayBuffer
	}
	return arr
}

// newDate returns a Date of t, to the millisecond.
func (v *vm) newDate(t time.Time) goja.Value {
	if v.db.date == nil {
		v.db.date = v.rt.Get("Date")
	}
	d, err := v.rt.New(v.db.date, v.rt.ToValue(t.UnixMilli()))
	if err != nil {
		panic(err) // a bug: Date takes any number
	}
	return d
}

// dbRows converts a query's rows into an array of objects, one per row,
// whose properties are the columns in the query's order (JS puts names
// that are array indexes, such as "1", first). Of two columns sharing a
// name, the later one's value wins.
func (v *vm) dbRows(rows Rows) goja.Value {
	items := make([]any, len(rows.Values))
	for i, vals := range rows.Values {
		obj := v.rt.NewObject()
		for j, name := range rows.Columns {
			val := v.dbValue(vals[j])
			if name == "__proto__" {
				// Set would replace the prototype: define an own property.
				_ = obj.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
				continue
			}
			_ = obj.Set(name, val)
		}
		items[i] = obj
	}
	return v.rt.NewArray(items...)
}

// dbExecResult converts a statement's result into {rowsAffected, lastInsertId}.
func (v *vm) dbExecResult(r ExecResult) goja.Value {
	obj := v.rt.NewObject()
	_ = obj.Set("rowsAffected", v.dbInteger(r.RowsAffected))
	_ = obj.Set("lastInsertId", v.dbInteger(r.LastInsertID))
	return obj
}
