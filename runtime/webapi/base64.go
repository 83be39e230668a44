package webapi

import (
	"encoding/base64"
	"strings"

	"github.com/dop251/goja"
)

// base64Exports builds atob and btoa (HTML's forgiving-base64).
func (w *web) base64Exports() *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	w.setFuncs(o, map[string]func(goja.FunctionCall) goja.Value{
		"btoa": func(c goja.FunctionCall) goja.Value {
			if len(c.Arguments) == 0 {
				w.throwType("btoa: 1 argument required, but only 0 present")
			}
			b, ok := latin1Bytes(w.toString("btoa", c.Arguments[0]))
			if !ok {
				w.throwDOM("Invalid character", "InvalidCharacterError")
			}
			w.checkSize("btoa", len(b))
			return rt.ToValue(base64.StdEncoding.EncodeToString(b))
		},
		"atob": func(c goja.FunctionCall) goja.Value {
			if len(c.Arguments) == 0 {
				w.throwType("atob: 1 argument required, but only 0 present")
			}
			s := w.toString("atob", c.Arguments[0]).String()
			w.checkSize("atob", len(s))
			b, ok := forgivingBase64Decode(s)
			if !ok {
				w.throwDOM("The string to be decoded is not correctly encoded.", "InvalidCharacterError")
			}
			return latin1String(rt, b)
		},
	})
	return o
}

// latin1Bytes returns the code units of s as bytes, or false when one is
// above U+00FF.
func latin1Bytes(v goja.Value) ([]byte, bool) {
	s, ok := v.(goja.String)
	if !ok {
		str := v.String()
		return []byte(str), isASCII(str)
	}
	n := s.Length()
	b := make([]byte, n)
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		if c > 0xFF {
			return nil, false
		}
		b[i] = byte(c)
	}
	return b, true
}

// latin1String returns a JS string whose code units are b's bytes.
func latin1String(rt *goja.Runtime, b []byte) goja.Value {
	if isASCII(string(b)) {
		return rt.ToValue(string(b))
	}
	u := make([]uint16, len(b))
	for i, c := range b {
		u[i] = uint16(c)
	}
	return goja.StringFromUTF16(u)
}

// forgivingBase64Decode is HTML's forgiving-base64 decode.
func forgivingBase64Decode(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\f', '\r', ' ':
			return -1
		}
		return r
	}, s)
	if len(s)%4 == 0 {
		if strings.HasSuffix(s, "==") {
			s = s[:len(s)-2]
		} else if strings.HasSuffix(s, "=") {
			s = s[:len(s)-1]
		}
	}
	if len(s)%4 == 1 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}
