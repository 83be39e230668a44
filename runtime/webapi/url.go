package webapi

import (
	"strconv"

	"github.com/dop251/goja"
)

// urlParts is what the URL class keeps of a parsed URL: the values of its
// attributes, computed once per parse or set.
func (w *web) urlParts(u *urlRecord) goja.Value {
	search, hash := "", ""
	if u.hasQuery && u.query != "" {
		search = "?" + u.query
	}
	if u.hasFragment && u.fragment != "" {
		hash = "#" + u.fragment
	}
	// The order is the one js/url.js reads.
	return w.rt.NewArray(u.href(), u.scheme+":", u.username, u.password, u.hostPort(), u.host,
		u.port, u.pathname(), search, hash, u.origin())
}

// urlNatives are the Go halves of URL and URLSearchParams.
func (w *web) urlNatives() *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	w.setFuncs(o, map[string]func(goja.FunctionCall) goja.Value{
		// parse(input, base?) -> parts, or null when either does not parse.
		"parse": func(c goja.FunctionCall) goja.Value {
			var base *urlRecord
			if b := c.Argument(1); !goja.IsUndefined(b) {
				var ok bool
				if base, ok = parseURL(b.String(), nil); !ok {
					return goja.Null()
				}
			}
			u, ok := parseURL(c.Argument(0).String(), base)
			if !ok {
				return goja.Null()
			}
			return w.urlParts(u)
		},
		// set(href, field, value) -> parts after the setter of field.
		"set": func(c goja.FunctionCall) goja.Value {
			u, ok := parseURL(c.Argument(0).String(), nil)
			if !ok {
				w.throwType("URL: internal href does not parse")
			}
			u.set(c.Argument(1).String(), c.Argument(2).String())
			return w.urlParts(u)
		},
		// formParse(string) -> [name0, value0, name1, value1, ...].
		"formParse": func(c goja.FunctionCall) goja.Value {
			pairs := formParse(c.Argument(0).String())
			items := make([]any, len(pairs))
			for i, p := range pairs {
				items[i] = p
			}
			return rt.NewArray(items...)
		},
		// formSerialize([name0, value0, ...]) -> string.
		"formSerialize": func(c goja.FunctionCall) goja.Value {
			arr := c.Argument(0).ToObject(rt)
			n := int(arr.Get("length").ToInteger())
			pairs := make([]string, n)
			for i := range pairs {
				pairs[i] = arr.Get(strconv.Itoa(i)).String()
			}
			return rt.ToValue(formSerialize(pairs))
		},
		// usv(string) -> the string with lone surrogates as U+FFFD.
		"usv": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(c.Argument(0).String())
		},
	})
	return o
}
