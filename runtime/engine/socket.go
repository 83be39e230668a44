package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
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

var socketKeys = []string{"id", "namespace", "data", "handshake", "auth", "rooms", "emit", "close", "join", "leave", "to", "in", "except", "broadcast"}

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
		return newSocketTarget(j.v, j.s, nil, nil).object()
	}
	return j.v.socketMethods[key]
}

// namespace is the connection's namespace, "/" when it names none.
func (j *jsSocket) namespace() string {
	if ns := j.s.Namespace(); ns != "" {
		return ns
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

// socketTo is socket.to(room): the members of the room(s) except this
// socket.
func (v *vm) socketTo(call goja.FunctionCall) goja.Value {
	s := v.thisSocket(call, "to")
	return newSocketTarget(v, s, v.roomsArg(call, "socket.to"), nil).object()
}

// socketIn is socket.in(room), the same as socket.to(room).
func (v *vm) socketIn(call goja.FunctionCall) goja.Value {
	s := v.thisSocket(call, "in")
	return newSocketTarget(v, s, v.roomsArg(call, "socket.in"), nil).object()
}

// socketExcept is socket.except(id): every connection of the namespace but
// this one and those named.
func (v *vm) socketExcept(call goja.FunctionCall) goja.Value {
	s := v.thisSocket(call, "except")
	return newSocketTarget(v, s, nil, v.roomsArg(call, "socket.except")).object()
}

// newSocketTarget returns the target of s's rooms (every connection of its
// namespace when none) that leaves out s and the ids in except.
func newSocketTarget(v *vm, s Socket, rooms, except []string) *emitTarget {
	t := &emitTarget{v: v, s: s}
	t.one[1] = s.ID()
	t.except = t.one[1:2:2]
	t.add(rooms, except)
	return t
}

// emitTarget is the object of socket.to(room), socket.broadcast,
// socket.except(id), io.to(room), io.in(room), io.except(id) and their
// chains (and of io.of(ns)'s): its emit sends to the target and returns how
// many on this node got it, its count counts the target across the
// cluster. A target is never modified: to, in and except return a new one,
// so one may be kept and reused (const lobby = io.to("lobby")). The slices
// are clipped, so that appending to them copies, and a Hub may keep them.
type emitTarget struct {
	v      *vm
	s      Socket    // the sender of a socket target: its namespace, and left out; nil for io's
	ns     string    // the namespace of io targets
	rooms  []string  // no rooms: the whole namespace
	except []string  // connection ids left out, the sender's included
	one    [2]string // the backing of a first room ([0]) and of the sender's id ([1])
}

// with returns a copy of t that also reaches rooms and leaves out except.
func (t *emitTarget) with(rooms, except []string) *emitTarget {
	n := &emitTarget{v: t.v, s: t.s, ns: t.ns, rooms: t.rooms, except: t.except}
	n.add(rooms, except)
	return n
}

// add adds rooms and except to a target that no JS code has seen yet. Its
// slices stay clipped: appending copies them.
func (t *emitTarget) add(rooms, except []string) {
	switch {
	case len(rooms) == 0:
	case len(t.rooms) == 0 && len(rooms) == 1:
		t.one[0] = rooms[0]
		t.rooms = t.one[0:1:1]
	default:
		t.rooms = slices.Clip(append(t.rooms, rooms...))
	}
	if len(except) > 0 {
		t.except = slices.Clip(append(t.except, except...))
	}
}

func (t *emitTarget) object() goja.Value { return t.v.rt.NewDynamicObject(t) }

// target is the Hub's view of t.
func (t *emitTarget) target() Target {
	ns := t.ns
	if t.s != nil {
		ns = t.s.Namespace()
	}
	if ns == "" {
		ns = "/"
	}
	return Target{Namespace: ns, Rooms: t.rooms, Except: t.except}
}

var targetKeys = []string{"emit", "to", "in", "except", "count"}

func (t *emitTarget) Get(key string) goja.Value   { return t.v.targetMethods[key] }
func (t *emitTarget) Set(string, goja.Value) bool { return false }
func (t *emitTarget) Has(key string) bool         { return t.v.targetMethods[key] != nil }
func (t *emitTarget) Delete(string) bool          { return false }
func (t *emitTarget) Keys() []string              { return targetKeys }

// thisTarget returns the target a method was called on.
func (v *vm) thisTarget(call goja.FunctionCall, method string) *emitTarget {
	if obj, ok := call.This.(*goja.Object); ok && obj.ExportType() == typeTarget {
		return obj.Export().(*emitTarget)
	}
	panic(v.rt.NewTypeError("%s must be called on its target (io.to(room).%s(...))", method, method))
}

// targetMethods are the methods of every emit target of a VM, shared.
func (v *vm) newTargetMethods() map[string]goja.Value {
	chain := func(method string, rooms bool) goja.Value {
		return v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			t := v.thisTarget(call, method)
			list := v.roomsArg(call, method)
			if rooms {
				return t.with(list, nil).object()
			}
			return t.with(nil, list).object()
		})
	}
	return map[string]goja.Value{
		"emit": v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			return v.thisTarget(call, "emit").emit(call)
		}),
		"to":     chain("to", true),
		"in":     chain("in", true),
		"except": chain("except", false),
		"count": v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			return v.thisTarget(call, "count").count()
		}),
	}
}

func (t *emitTarget) emit(call goja.FunctionCall) goja.Value {
	event, p := t.v.eventAndPayload(call, "emit")
	return t.v.rt.ToValue(t.v.hub().EmitTarget(t.target(), event, p))
}

// count starts counting the target across the cluster and returns a
// promise of {count, nodes, partial}. The count runs off the VM (other nodes
// may take a while to answer), bounded by the call's context. A Hub error
// resolves with what was counted, partial.
func (t *emitTarget) count() goja.Value {
	v := t.v
	tg := t.target()
	hub := v.hub()
	return v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
		rc, err := hub.Count(ctx, tg)
		if err != nil {
			rc.Partial = true
		}
		return func() (goja.Value, error) {
			obj := v.rt.NewObject()
			_ = obj.Set("count", rc.Count)
			_ = obj.Set("nodes", rc.Nodes)
			_ = obj.Set("partial", rc.Partial)
			return obj, nil
		}
	})
}

// roomsArg reads the first argument of to, in and except: a non-empty
// string, or a non-empty array of them.
func (v *vm) roomsArg(call goja.FunctionCall, what string) []string {
	arg := call.Argument(0)
	if s, ok := arg.Export().(string); ok && s != "" {
		return []string{s}
	}
	if obj, ok := arg.(*goja.Object); ok && obj.ClassName() == "Array" {
		n := int(obj.Get("length").ToInteger())
		list := make([]string, 0, n)
		for i := 0; i < n; i++ {
			s, ok := obj.Get(strconv.Itoa(i)).Export().(string)
			if !ok || s == "" {
				break
			}
			list = append(list, s)
		}
		if n > 0 && len(list) == n {
			return list
		}
	}
	panic(v.rt.NewTypeError("%s: expected a non-empty string or a non-empty array of them", what))
}

// hub returns the engine's Hub, or one that reaches nobody.
func (v *vm) hub() Hub {
	if h := v.e.cfg.Hub; h != nil {
		return h
	}
	return noHub{}
}

// noHub reaches nobody: a single node with no connections.
type noHub struct{}

func (noHub) EmitTarget(Target, string, Payload) int { return 0 }
func (noHub) Count(context.Context, Target) (RoomCount, error) {
	return RoomCount{Nodes: 1}, nil
}

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
// emit, to(room), in(room), except(id).
func (v *vm) namespaceObject(ns string) *goja.Object {
	obj := v.rt.NewObject()
	all := &emitTarget{v: v, ns: ns}
	what := "io"
	if ns != "/" {
		what = fmt.Sprintf("io.of(%q)", ns)
	}
	_ = obj.Set("emit", func(call goja.FunctionCall) goja.Value { return all.emit(call) })
	_ = obj.Set("to", func(call goja.FunctionCall) goja.Value {
		return all.with(v.roomsArg(call, what+".to"), nil).object()
	})
	_ = obj.Set("in", func(call goja.FunctionCall) goja.Value {
		return all.with(v.roomsArg(call, what+".in"), nil).object()
	})
	_ = obj.Set("except", func(call goja.FunctionCall) goja.Value {
		return all.with(nil, v.roomsArg(call, what+".except")).object()
	})
	return obj
}
