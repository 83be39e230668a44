package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/dop251/goja"
)

// jsSocket is the socket object a handler gets. It is a dynamic object so
// that making one costs one allocation per call; its methods are shared by
// every socket of the VM and find their socket through this.
//
// socket.data is read from the connection (JSON text) when a call first
// touches it, and written back when the call's synchronous part ends and
// when the call settles.
type jsSocket struct {
	v    *vm
	s    Socket
	data goja.Value // the call's copy of socket.data; nil until touched
	hs   *goja.Object
}

var socketKeys = []string{"id", "namespace", "data", "handshake", "auth", "rooms", "emit", "close", "join", "leave", "to", "broadcast"}

func (j *jsSocket) Get(key string) goja.Value {
	switch key {
	case "id":
		return j.v.rt.ToValue(j.s.ID())
	case "namespace":
		return j.v.rt.ToValue(j.namespace())
	case "data":
		if j.data == nil {
			val, err := j.v.parseJSON(j.s.Data())
			if err != nil || val == nil || goja.IsNull(val) || goja.IsUndefined(val) {
				val = j.v.rt.NewObject()
			}
			j.data = val
		}
		return j.data
	case "handshake":
		return j.handshake()
	case "auth":
		return j.handshake().Get("auth")
	case "rooms":
		rooms := j.s.Rooms()
		items := make([]any, len(rooms))
		for i, r := range rooms {
			items[i] = r
		}
		return j.v.rt.NewArray(items...)
	case "broadcast":
		return j.v.rt.NewDynamicObject(&emitTarget{v: j.v, s: j.s, js: j, broadcast: true})
	}
	return j.v.socketMethods[key]
}

// namespace is the handshake's "namespace", "/" when it has none.
func (j *jsSocket) namespace() string {
	if val := j.handshake().Get("namespace"); val != nil {
		if ns, ok := val.Export().(string); ok && ns != "" {
			return ns
		}
	}
	return "/"
}

func (j *jsSocket) handshake() *goja.Object {
	if j.hs == nil {
		val, err := j.v.parseJSON(j.s.Handshake())
		obj, ok := val.(*goja.Object)
		if err != nil || !ok {
			obj = j.v.rt.NewObject()
			_ = obj.Set("auth", goja.Null())
		}
		j.hs = obj
	}
	return j.hs
}

func (j *jsSocket) Set(key string, val goja.Value) bool {
	if key != "data" {
		return false
	}
	j.data = val
	return true
}
func (j *jsSocket) Has(key string) bool { return j.Get(key) != nil }
func (j *jsSocket) Delete(string) bool  { return false }
func (j *jsSocket) Keys() []string      { return socketKeys }

// flush writes the call's copy of socket.data back to the connection. A
// value JSON cannot hold keeps the previous data and is logged.
func (j *jsSocket) flush() {
	if j.data == nil {
		return
	}
	data, err := j.v.stringifyJSON(j.data)
	if err != nil || data == nil {
		j.v.e.log.Warn("socket.data is not JSON-serializable: kept its previous value", "socket", j.s.ID(), "error", fmt.Sprint(err))
		return
	}
	j.s.SetData(data)
}

// thisSocket returns the Socket a method was called on.
func (v *vm) thisSocket(call goja.FunctionCall, method string) Socket {
	return v.thisJSSocket(call, method).s
}

// thisJSSocket returns the socket object a method was called on.
func (v *vm) thisJSSocket(call goja.FunctionCall, method string) *jsSocket {
	if obj, ok := call.This.(*goja.Object); ok && obj.ExportType() == typeSocket {
		return obj.Export().(*jsSocket)
	}
	panic(v.rt.NewTypeError("socket.%s must be called on a socket (socket.%s(...))", method, method))
}

// eventAndPayload reads the (event, ...args) arguments of an emit.
func (v *vm) eventAndPayload(call goja.FunctionCall, what string) (string, Payload) {
	event := call.Argument(0)
	if s, ok := event.Export().(string); !ok || s == "" {
		panic(v.rt.NewTypeError("%s: event must be a non-empty string", what))
	}
	var rest []goja.Value
	if len(call.Arguments) > 2 {
		rest = call.Arguments[2:]
	}
	p, err := v.exportPayload(call.Argument(1), rest)
	if err != nil {
		panic(v.rt.NewTypeError("%s: %v", what, err))
	}
	return event.String(), p
}

// socketEmit is socket.emit(event, ...args): it pushes an event to the
// connection and returns whether it was queued for sending.
func (v *vm) socketEmit(call goja.FunctionCall) goja.Value {
	s := v.thisSocket(call, "emit")
	event, p := v.eventAndPayload(call, "socket.emit")
	return v.rt.ToValue(s.Emit(event, p) == nil)
}

// socketClose is socket.close(code?, reason?).
func (v *vm) socketClose(call goja.FunctionCall) goja.Value {
	s := v.thisSocket(call, "close")
	code := 1000
	if arg := call.Argument(0); !goja.IsUndefined(arg) {
		f := arg.ToFloat()
		if f != math.Trunc(f) || !(f == 1000 || f >= 3000 && f <= 4999) {
			panic(v.rt.NewGoError(fmt.Errorf("socket.close: code must be 1000 or within 3000-4999, got %v", arg)))
		}
		code = int(f)
	}
	reason := ""
	if arg := call.Argument(1); !goja.IsUndefined(arg) {
		reason = arg.String()
		if len(reason) > 123 {
			reason = strings.ToValidUTF8(reason[:123], "")
		}
	}
	_ = s.Close(code, reason)
	return goja.Undefined()
}

func (v *vm) roomArg(call goja.FunctionCall, what string) string {
	room, ok := call.Argument(0).Export().(string)
	if !ok || room == "" {
		panic(v.rt.NewTypeError("%s: room must be a non-empty string", what))
	}
	return room
}

// socketJoin is socket.join(room).
func (v *vm) socketJoin(call goja.FunctionCall) goja.Value {
	s := v.thisSocket(call, "join")
	if err := s.Join(v.roomArg(call, "socket.join")); err != nil {
		panic(v.rt.NewGoError(fmt.Errorf("socket.join: %w", err)))
	}
	return goja.Undefined()
}

// socketLeave is socket.leave(room).
func (v *vm) socketLeave(call goja.FunctionCall) goja.Value {
	v.thisSocket(call, "leave").Leave(v.roomArg(call, "socket.leave"))
	return goja.Undefined()
}

// socketTo is socket.to(room): an object whose emit reaches the room's
// members except this socket.
func (v *vm) socketTo(call goja.FunctionCall) goja.Value {
	j := v.thisJSSocket(call, "to")
	return v.rt.NewDynamicObject(&emitTarget{v: v, s: j.s, js: j, room: v.roomArg(call, "socket.to")})
}

// emitTarget is the object of socket.to(room), socket.broadcast, io.to(room)
// and io.in(room) (and of io.of(ns)'s): its emit sends to the target and
// returns how many got it.
type emitTarget struct {
	v         *vm
	s         Socket    // nil for io targets
	js        *jsSocket // the socket object of s, whose handshake names its namespace
	ns        string    // the namespace of io targets
	room      string    // "" with broadcast or io.emit
	broadcast bool
}

func (t *emitTarget) Get(key string) goja.Value {
	switch key {
	case "emit":
		return t.v.rt.ToValue(t.emit)
	case "count":
		return t.v.rt.ToValue(func(goja.FunctionCall) goja.Value {
			ns := t.ns
			if t.js != nil {
				ns = t.js.namespace() // read from the handshake only when wanted
			}
			return t.v.rt.ToValue(t.v.hub().RoomSize(ns, t.room))
		})
	}
	return nil
}
func (t *emitTarget) Set(string, goja.Value) bool { return false }
func (t *emitTarget) Has(key string) bool         { return key == "emit" || key == "count" }
func (t *emitTarget) Delete(string) bool          { return false }
func (t *emitTarget) Keys() []string              { return []string{"emit"} }

func (t *emitTarget) emit(call goja.FunctionCall) goja.Value {
	event, p := t.v.eventAndPayload(call, "emit")
	var n int
	switch {
	case t.s != nil && t.broadcast:
		n = t.s.Broadcast(event, p)
	case t.s != nil:
		n = t.s.EmitTo(t.room, event, p)
	case t.room != "":
		n = t.v.hub().EmitToRoom(t.ns, t.room, event, p)
	default:
		n = t.v.hub().Emit(t.ns, event, p)
	}
	return t.v.rt.ToValue(n)
}

// hub returns the engine's Hub, or one that reaches nobody.
func (v *vm) hub() Hub {
	if h := v.e.cfg.Hub; h != nil {
		return h
	}
	return noHub{}
}

type noHub struct{}

func (noHub) Emit(string, string, Payload) int               { return 0 }
func (noHub) EmitToRoom(string, string, string, Payload) int { return 0 }
func (noHub) RoomSize(string, string) int                    { return 0 }

// nativeModule returns the exports of the module "eventhost": io, ack and
// db.
func (v *vm) nativeModule() goja.Value {
	if v.io == nil {
		io := v.namespaceObject("/")
		_ = io.Set("of", func(call goja.FunctionCall) goja.Value {
			ns, ok := call.Argument(0).Export().(string)
			if !ok || !strings.HasPrefix(ns, "/") {
				panic(v.rt.NewTypeError("io.of: the namespace must be a string that starts with \"/\""))
			}
			return v.namespaceObject(ns)
		})
		v.io = v.rt.NewObject()
		_ = v.io.Set("io", io)
		_ = v.io.Set("ack", v.ack)
		_ = v.io.Set("db", v.dbObject())
	}
	return v.io
}

// namespaceObject returns the object of io (namespace "/") or io.of(ns):
// emit, to(room), in(room).
func (v *vm) namespaceObject(ns string) *goja.Object {
	obj := v.rt.NewObject()
	_ = obj.Set("emit", func(call goja.FunctionCall) goja.Value {
		return (&emitTarget{v: v, ns: ns}).emit(call)
	})
	what := "io"
	if ns != "/" {
		what = fmt.Sprintf("io.of(%q)", ns)
	}
	target := func(method string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			return v.rt.NewDynamicObject(&emitTarget{v: v, ns: ns, room: v.roomArg(call, what+"."+method)})
		}
	}
	_ = obj.Set("to", target("to"))
	_ = obj.Set("in", target("in"))
	return obj
}
