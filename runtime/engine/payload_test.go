package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// payloadModule shows what a handler got: show writes Buffers as
// "buf:<hex>", recursively.
const payloadModule = `
import { io, ack } from "eventhost";
function show(x) {
  if (x instanceof Uint8Array) return "buf:" + Buffer.from(x).toString("hex");
  if (Array.isArray(x)) return x.map(show);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, show(v)]));
  return x === undefined ? "undefined" : x;
}
export function args(socket, ...a) { return show(a) }
export function same(socket, data, more) { return data.x === data.y && data.x === more[0] }
export function acks(socket, data) {
  switch (data) {
    case "none": return ack();
    case "one": return ack({ a: 1 });
    case "three": return ack(1, { b: [2] }, "c");
    case "bin": return ack(new Uint8Array([1, 2]), new Uint8Array([3]));
    case "later": return new Promise(r => setTimeout(() => r(ack("x", "y")), 1));
    case "async": return (async () => ack(null, undefined))();
  }
}
function bytes(...b) { return new Uint8Array(b) }
export function nested(socket, kind) {
  switch (kind) {
    case "object": return { a: bytes(1, 2), b: [new ArrayBuffer(2)], c: { d: Buffer.from("hi") }, e: 1 };
    case "typed": return [new Int16Array([1, -1]), new Float32Array([1]), new Uint8ClampedArray([7]), new DataView(bytes(0, 5, 6, 0).buffer, 1, 2)];
    case "view": return { v: bytes(0, 1, 2, 3, 4).subarray(2, 4) };
    case "slow": return { when: new Date(0), b: bytes(9), m: { toJSON() { return { inner: bytes(8) } } }, buf: [Buffer.from("z")] };
    case "proto": return JSON.parse('{"__proto__":1}');
    case "throws": return { a: bytes(1), get b() { throw new Error("no b") } };
    case "bigint": return [bytes(1), 1n];
    case "plain": return { a: [1, "x", null], b: { c: true } };
    case "class": class P { constructor() { this.x = 1 } }; return new P();
  }
}
export function top(socket, kind) {
  switch (kind) {
    case "int16": return new Int16Array([1, 2]);
    case "dataview": return new DataView(bytes(1, 2, 3, 4).buffer, 1, 2);
    case "buffer": return Buffer.from("ab");
    case "arraybuffer": return bytes(5).buffer;
  }
}
export async function emits(socket, room) {
  socket.emit("one", 1);
  socket.emit("none");
  socket.emit("many", 1, bytes(9), { x: Buffer.from("hi") });
  socket.emit("bin", bytes(1), "two");
  socket.to(room).emit("to", "a", "b");
  socket.broadcast.emit("bc", { z: bytes(2) }, 3);
  io.emit("io", 1, 2);
  io.to(room).emit("room", bytes(4));
  io.in(room).emit("in", [bytes(5)]);
  return (await io.in(room).count()).count;
}
export async function namespaces(socket) {
  const chat = io.of("/chat");
  return [chat.emit("e", 1, 2), chat.to("r").emit("t", bytes(1)), (await chat.in("r").count()).count, socket.namespace, socket.to("r").emit("x"), (await socket.to("r").count()).count];
}
export function badNamespace(socket, ns) { try { io.of(ns) } catch (e) { return e instanceof TypeError } }
export function badEmit(socket) { try { socket.emit("x", 1, 2n) } catch (e) { return e instanceof TypeError && e.message } }
export function keepsData(socket) { socket.data = { b: bytes(1) }; return 1 }
export function readData(socket) { return socket.data }
`

// runRequest runs req (its Started and Done are set here) and waits for
// its outcome.
func runRequest(t *testing.T, e *Engine, req *Request) *outcome {
	t.Helper()
	o := &outcome{finished: make(chan struct{})}
	req.Started = func() { o.starts.Add(1) }
	req.Done = func(r Result, err error) {
		o.res, o.err = copyPayload(r), err
		if o.dones.Add(1) == 1 {
			close(o.finished)
		}
	}
	e.Call(context.Background(), req)
	select {
	case <-o.finished:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no outcome", req.Event)
	}
	return o
}

func TestSeveralArgumentsAndPlaceholdersIn(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"p.js": payloadModule}, Config{PoolSize: 1})
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	atts := [][]byte{{0xa0}, {0xb1, 0xb2}}
	for _, tc := range []struct {
		name   string
		req    Request
		want   string // the JSON reply; "" when err is set
		reason string // the error code wanted
	}{
		{name: "data only", req: Request{Data: []byte(`1`)}, want: `[1]`},
		{name: "no data", req: Request{}, want: `["undefined"]`},
		{name: "rest", req: Request{Data: []byte(`1`), Rest: []byte(`[2,"x",{"y":null}]`)}, want: `[1,2,"x",{"y":null}]`},
		{name: "empty rest", req: Request{Data: []byte(`1`), Rest: []byte(`[]`)}, want: `[1]`},
		{name: "undefined data and rest", req: Request{Rest: []byte(`[true]`)}, want: `["undefined",true]`},
		{name: "binary data and rest", req: Request{Data: []byte{1, 2}, Binary: true, Rest: []byte(`[3]`)}, want: `["buf:0102",3]`},
		{name: "placeholder as data", req: Request{Data: []byte(ph("1")), Attachments: atts}, want: `["buf:b1b2"]`},
		{name: "nested in objects and arrays", req: Request{
			Data: []byte(`{"a":[1,` + ph("0") + `],"b":{"c":` + ph("1") + `},"d":"x"}`), Attachments: atts},
			want: `[{"a":[1,"buf:a0"],"b":{"c":"buf:b1b2"},"d":"x"}]`},
		{name: "in rest", req: Request{Data: []byte(`null`), Rest: []byte(`[` + ph("1") + `,[` + ph("0") + `],{"k":` + ph("0") + `}]`), Attachments: atts},
			want: `[null,"buf:b1b2",["buf:a0"],{"k":"buf:a0"}]`},
		{name: "binary data, placeholder in rest", req: Request{Data: []byte{7}, Binary: true, Rest: []byte(`[` + ph("0") + `]`), Attachments: atts},
			want: `["buf:07","buf:a0"]`},
		{name: "own __proto__", req: Request{Data: []byte(`{"__proto__":` + ph("0") + `}`), Attachments: atts}, want: `[{"__proto__":"buf:a0"}]`},
		{name: "key order", req: Request{Data: []byte(`{"num":0,"_placeholder":true}`), Attachments: atts}, want: `["buf:a0"]`},
		{name: "not placeholders", req: Request{Data: []byte(`[{"_placeholder":true,"num":0,"x":1},{"_placeholder":false,"num":0},{"_placeholder":"true","num":0},{"num":0}]`), Attachments: atts},
			want: `[[{"_placeholder":true,"num":0,"x":1},{"_placeholder":false,"num":0},{"_placeholder":"true","num":0},{"num":0}]]`},
		{name: "placeholder without attachments", req: Request{Data: []byte(ph("0"))}, want: `[{"_placeholder":true,"num":0}]`},
		{name: "num out of range", req: Request{Data: []byte(ph("2")), Attachments: atts}, reason: "bad_request"},
		{name: "negative num", req: Request{Data: []byte(`[` + ph("-1") + `]`), Attachments: atts}, reason: "bad_request"},
		{name: "fractional num", req: Request{Data: []byte(ph("0.5")), Attachments: atts}, reason: "bad_request"},
		{name: "string num", req: Request{Data: []byte(`{"_placeholder":true,"num":"0"}`), Attachments: atts}, reason: "bad_request"},
		{name: "bad num in rest", req: Request{Rest: []byte(`[{"a":` + ph("9") + `}]`), Attachments: atts}, reason: "bad_request"},
		{name: "rest not an array", req: Request{Data: []byte(`1`), Rest: []byte(`{"a":1}`)}, reason: "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Event, req.Socket = "p.args", newSocket("s")
			o := runRequest(t, e, &req)
			if tc.reason != "" {
				var he *HandlerError
				if !errors.As(o.err, &he) || he.Code != tc.reason {
					t.Fatalf("got %s, %v; want %s", o.res.Data, o.err, tc.reason)
				}
				return
			}
			if o.err != nil || string(o.res.Data) != tc.want || o.res.Rest != nil || o.res.Binary {
				t.Fatalf("got %+v, %v; want %s", o.res, o.err, tc.want)
			}
		})
	}
	// One attachment is one Buffer wherever its placeholder appears.
	o := runRequest(t, e, &Request{Event: "p.same", Socket: newSocket("s"), Attachments: atts,
		Data: []byte(`{"x":` + ph("1") + `,"y":` + ph("1") + `}`), Rest: []byte(`[[` + ph("1") + `]]`)})
	if o.err != nil || string(o.res.Data) != "true" {
		t.Fatalf("same: %s %v", o.res.Data, o.err)
	}
}

func TestAckAndNestedBinaryOut(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModePreload, ModeReeval} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, map[string]string{"p.js": payloadModule}, Config{PoolSize: 1, Mode: mode})
			ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
			for _, data := range []string{`"throws"`, `"bigint"`} {
				o := runCall(t, e, context.Background(), newSocket("s"), "p.nested", data)
				var he *HandlerError
				if !errors.As(o.err, &he) || he.Code != "handler_error" || !strings.Contains(he.Message, "not JSON-serializable") {
					t.Errorf("nested(%s): got %q, %v; want a handler_error", data, payloadText(o.res), o.err)
				}
			}
			for _, tc := range []struct {
				event, data string
				want        string // payloadText of the reply
			}{
				{"p.acks", `"none"`, ``},
				{"p.acks", `"one"`, `{"a":1}`},
				{"p.acks", `"three"`, `1 rest=[{"b":[2]},"c"]`},
				{"p.acks", `"bin"`, `bin:0102 rest=[` + ph("0") + `] atts=03`},
				{"p.acks", `"later"`, `"x" rest=["y"]`},
				{"p.acks", `"async"`, `null rest=[null]`},
				{"p.nested", `"object"`, `{"a":` + ph("0") + `,"b":[` + ph("1") + `],"c":{"d":` + ph("2") + `},"e":1} atts=0102,0000,6869`},
				{"p.nested", `"typed"`, `[` + ph("0") + `,` + ph("1") + `,` + ph("2") + `,` + ph("3") + `] atts=0100ffff,0000803f,07,0506`},
				{"p.nested", `"view"`, `{"v":` + ph("0") + `} atts=0203`},
				{"p.nested", `"slow"`, `{"when":"1970-01-01T00:00:00.000Z","b":` + ph("0") + `,"m":{"inner":` + ph("1") + `},"buf":[` + ph("2") + `]} atts=09,08,7a`},
				{"p.nested", `"proto"`, `{"__proto__":1}`},
				{"p.nested", `"plain"`, `{"a":[1,"x",null],"b":{"c":true}}`},
				{"p.nested", `"class"`, `{"x":1}`},
				{"p.top", `"int16"`, `bin:01000200`},
				{"p.top", `"dataview"`, `bin:0203`},
				{"p.top", `"buffer"`, `bin:6162`},
				{"p.top", `"arraybuffer"`, `bin:05`},
			} {
				o := runCall(t, e, context.Background(), newSocket("s"), tc.event, tc.data)
				if o.err != nil || payloadText(o.res) != tc.want {
					t.Errorf("%s(%s): got %q, %v; want %q", tc.event, tc.data, payloadText(o.res), o.err, tc.want)
				}
			}
		})
	}
}

func TestEmitsWithSeveralArguments(t *testing.T) {
	t.Parallel()
	hub := &recordingHub{}
	e := newEngine(t, map[string]string{"p.js": payloadModule}, Config{PoolSize: 1, Hub: hub})
	sock := newSocket("s")
	ok(t, runCall(t, e, context.Background(), sock, "p.emits", `"lobby"`), "5")
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	want := []string{
		`one 1`,
		`none `,
		`many 1 rest=[` + ph("0") + `,{"x":` + ph("1") + `}] atts=09,6869`,
		`bin bin:01 rest=["two"]`,
	}
	if !slices.Equal(sock.pushes, want) {
		t.Errorf("pushes\n%q\nwant\n%q", sock.pushes, want)
	}
	wantHub := []string{
		`lobby -s to "a" rest=["b"]`,
		`all -s bc {"z":` + ph("0") + `} rest=[3] atts=02`,
		`all io 1 rest=[2]`, `lobby room bin:04`, `lobby in [` + ph("0") + `] atts=05`,
	}
	if !slices.Equal(hub.sent, wantHub) {
		t.Errorf("hub\n%q\nwant\n%q", hub.sent, wantHub)
	}
}

func TestNamespaces(t *testing.T) {
	t.Parallel()
	hub := &recordingHub{}
	e := newEngine(t, map[string]string{"p.js": payloadModule}, Config{PoolSize: 1, Hub: hub})
	sock := newSocket("s")
	ok(t, runCall(t, e, context.Background(), sock, "p.namespaces", ""), `[3,2,5,"/",1,0]`)
	sock.handshake = []byte(`{"headers":{},"query":{},"address":"a","time":"t","auth":null,"namespace":"/chat","claims":null}`)
	ok(t, runCall(t, e, context.Background(), sock, "p.namespaces", ""), `[3,2,5,"/chat",1,4]`)
	want := []string{`/chat all e 1 rest=[2]`, `/chat r t bin:01`, `r -s x `, `/chat all e 1 rest=[2]`, `/chat r t bin:01`, `/chat r -s x `}
	if !slices.Equal(hub.sent, want) {
		t.Errorf("hub %q, want %q", hub.sent, want)
	}
	if len(sock.pushes) != 0 {
		t.Errorf("pushes %q", sock.pushes)
	}
	for _, ns := range []string{`"chat"`, `""`, `1`, ``} {
		ok(t, runCall(t, e, context.Background(), sock, "p.badNamespace", ns), "true")
	}
}

// TestSocketDataHasNoAttachments: socket.data is JSON as JSON.stringify
// writes it, binary values included.
func TestSocketDataHasNoAttachments(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"p.js": payloadModule}, Config{PoolSize: 1})
	sock := newSocket("s")
	ok(t, runCall(t, e, context.Background(), sock, "p.keepsData", ""), "1")
	ok(t, runCall(t, e, context.Background(), sock, "p.readData", ""), `{"b":{"0":1}}`)
}

func TestHasRoute(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"p.js": payloadModule, "_connection.js": "export function connected() {}"}, Config{PoolSize: 1})
	for event, want := range map[string]bool{"p.args": true, "p.emits": true, "p": false, "p.show": false, "p.nope": false, "(connected)": false, "_connection.connected": false} {
		if got := e.HasRoute(event); got != want {
			t.Errorf("HasRoute(%q) = %v", event, got)
		}
	}
}

func TestEmitOfUnserializableArgumentThrows(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"p.js": payloadModule}, Config{PoolSize: 1})
	sock := newSocket("s")
	o := runCall(t, e, context.Background(), sock, "p.badEmit", "")
	if o.err != nil || !strings.Contains(string(o.res.Data), "socket.emit: value is not JSON-serializable") || len(sock.pushes) != 0 {
		t.Fatalf("got %s, %v, pushes %q", o.res.Data, o.err, sock.pushes)
	}
}
