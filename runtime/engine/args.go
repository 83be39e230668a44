package engine

import (
	"fmt"
	"math"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// This file turns a request with several arguments, or with attachments,
// into the handler's arguments: fn(socket, data, ...rest), placeholders
// replaced by their attachments.

// args returns the arguments of a handler called with sock and data (the
// request's Data, converted) when the request has Rest or Attachments: its
// Rest's elements follow data, and every placeholder in data and rest is
// replaced by its attachment, a Buffer.
func (v *vm) args(req *Request, sock, data goja.Value) ([]goja.Value, error) {
	args := []goja.Value{sock, data}
	if req.Rest != nil {
		val, err := v.parseRequestData(req.Rest)
		if err != nil {
			return nil, err
		}
		arr, ok := val.(*goja.Object)
		if !ok || arr.ClassName() != "Array" {
			return nil, &HandlerError{Code: "bad_request", Message: "the arguments after data are not a JSON array"}
		}
		for i := range arr.Get("length").ToInteger() {
			args = append(args, arr.Get(arrayIndex(i)))
		}
	}
	if len(req.Attachments) == 0 {
		return args, nil
	}
	p := placeholders{v: v, atts: req.Attachments, bufs: make([]goja.Value, len(req.Attachments))}
	for i := 1; i < len(args); i++ {
		if i == 1 && req.Binary {
			continue // data is the bytes themselves
		}
		val, _, err := p.replace(args[i])
		if err != nil {
			return nil, err
		}
		args[i] = val
	}
	return args, nil
}

// placeholders replaces the placeholders {"_placeholder":true,"num":N} of
// a request's arguments by attachment N, a Buffer (the same one wherever N
// appears).
type placeholders struct {
	v    *vm
	atts [][]byte
	bufs []goja.Value // per attachment, its Buffer once made
}

// replace returns val with the placeholders inside it replaced (objects
// and arrays are changed in place), whether val itself was replaced, and a
// bad_request error for a placeholder whose num is not an attachment's
// index. The values are parsed JSON, so their depth is bounded.
func (p *placeholders) replace(val goja.Value) (goja.Value, bool, error) {
	obj, ok := val.(*goja.Object)
	if !ok {
		return val, false, nil
	}
	switch obj.ClassName() {
	case "Array":
		for i := range obj.Get("length").ToInteger() {
			if err := p.replaceIn(obj, arrayIndex(i)); err != nil {
				return nil, false, err
			}
		}
	case "Object":
		keys := obj.Keys()
		if buf, is, err := p.placeholder(obj, keys); is || err != nil {
			return buf, is, err
		}
		for _, key := range keys {
			if err := p.replaceIn(obj, key); err != nil {
				return nil, false, err
			}
		}
	}
	return val, false, nil
}

// replaceIn replaces the placeholders in obj[key].
func (p *placeholders) replaceIn(obj *goja.Object, key string) error {
	val, replaced, err := p.replace(obj.Get(key))
	if err != nil || !replaced {
		return err
	}
	// An own data property, as JSON.parse made it: Set would call a setter
	// (that of __proto__, say).
	if err := obj.DefineDataProperty(key, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		return fmt.Errorf("engine: placing attachment: %w", err)
	}
	return nil
}

// placeholder reports whether obj, with its own keys, is a placeholder,
// and if so returns its attachment.
func (p *placeholders) placeholder(obj *goja.Object, keys []string) (goja.Value, bool, error) {
	if len(keys) != 2 || !(keys[0] == "_placeholder" && keys[1] == "num" || keys[0] == "num" && keys[1] == "_placeholder") {
		return nil, false, nil
	}
	if flag := obj.Get("_placeholder"); flag == nil || flag.ExportType() != typeBool || !flag.ToBoolean() {
		return nil, false, nil
	}
	num := obj.Get("num")
	n := -1.0
	if t := num.ExportType(); t == typeInt64 || t == typeFloat64 {
		n = num.ToFloat()
	}
	if n != math.Trunc(n) || n < 0 || n >= float64(len(p.atts)) {
		return nil, true, &HandlerError{Code: "bad_request", Message: fmt.Sprintf(
			"attachment placeholder %s: num must be an integer from 0 to %d", p.v.text(num), len(p.atts)-1)}
	}
	i := int(n)
	if p.bufs[i] == nil {
		p.bufs[i] = buffer.WrapBytes(p.v.rt, p.atts[i])
	}
	return p.bufs[i], true, nil
}
