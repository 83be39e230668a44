package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestParsePlaceholder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in  string
		num int
		ok  bool
	}{
		{`{"_placeholder":true,"num":0}`, 0, true},
		{` { "num" : 3 , "_placeholder" : true } `, 3, true},
		{`{"_placeholder":true,"num":12,"extra":[1]}`, 12, true},
		{`{"\u005fplaceholder":true,"num":1}`, 1, true},
		{`{"_placeholder":true,"num":1,"num":2}`, 2, true},
		{`{"_placeholder":false,"num":0}`, 0, false},
		{`{"_placeholder":"true","num":0}`, 0, false},
		{`{"_placeholder":true}`, 0, false},
		{`{"_placeholder":true,"num":-1}`, 0, false},
		{`{"_placeholder":true,"num":1.5}`, 0, false},
		{`{"_placeholder":true,"num":"0"}`, 0, false},
		{`{"num":0}`, 0, false},
		{`{}`, 0, false},
		{`[{"_placeholder":true,"num":0}]`, 0, false},
		{`"x"`, 0, false},
		{``, 0, false},
	}
	for _, tt := range tests {
		num, ok := ParsePlaceholder([]byte(tt.in))
		if ok != tt.ok || (ok && num != tt.num) {
			t.Errorf("ParsePlaceholder(%s) = %d, %v; want %d, %v", tt.in, num, ok, tt.num, tt.ok)
		}
	}
}

func TestDecoderChecksPlaceholders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		head string
		err  error
	}{
		{name: "in range", head: `52-["a",{"_placeholder":true,"num":1},[{"k":{"_placeholder":true,"num":0}}]]`},
		{name: "unreferenced attachment", head: `52-["a",{"_placeholder":true,"num":0}]`},
		{name: "not a placeholder", head: `52-["a",{"_placeholder":false,"num":7}]`},
		{name: "inside a placeholder is not looked at", head: `52-["a",{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":9}}]`},
		{name: "num too large", head: `52-["a",{"_placeholder":true,"num":2}]`, err: ErrAttachments},
		{name: "nested num too large", head: `62-1[{"a":[1,{"_placeholder":true,"num":5}]}]`, err: ErrAttachments},
		{name: "negative num", head: `52-["a",{"_placeholder":true,"num":-1}]`, err: ErrAttachments},
		{name: "missing num", head: `52-["a",{"_placeholder":true}]`, err: ErrAttachments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d Decoder
			if _, done, err := d.Text([]byte(tt.head)); err != nil || done {
				t.Fatalf("Text = %v, %v", done, err)
			}
			_, _, _ = d.Binary([]byte{1})
			m, done, err := d.Binary([]byte{2})
			if tt.err != nil {
				if !errors.Is(err, tt.err) || done {
					t.Fatalf("Binary = %+v, %v, %v; want error %v", m, done, err, tt.err)
				}
				if d.Awaiting() != 0 {
					t.Fatal("decoder not reset after an error")
				}
				return
			}
			if err != nil || !done || len(m.Buffers) != 2 {
				t.Fatalf("Binary = %+v, %v, %v", m, done, err)
			}
		})
	}
}

// refPlaceholders is checkPlaceholders written with encoding/json.
func refPlaceholders(data []byte, n int) bool {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			if v["_placeholder"] == true {
				num, ok := v["num"].(json.Number)
				got, numOK := placeholderNum([]byte(num))
				return ok && numOK && got < n
			}
			for _, e := range v {
				if !walk(e) {
					return false
				}
			}
		case []any:
			for _, e := range v {
				if !walk(e) {
					return false
				}
			}
		}
		return true
	}
	return walk(v)
}

func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{`["a",{"_placeholder":true,"num":1}]`, `[{"x":{"_placeholder":true,"num":0,"y":{}}}]`, `{"_placeholder":true,"num":3}`, `[{"num":1,"_placeholder":true,"num":9}]`, `[{"\u005fplaceholder":true}]`} {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		if !validJSON(data) {
			return
		}
		got := checkPlaceholders(data, int(n)) == nil
		if want := refPlaceholders(data, int(n)); got != want {
			t.Fatalf("checkPlaceholders(%s, %d) ok = %v, encoding/json walk says %v", data, n, got, want)
		}
	})
}
