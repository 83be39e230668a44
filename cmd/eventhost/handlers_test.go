package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/host/protocol"
)

// TestShippedScripts calls the handlers in scripts/ in both modes.
func TestShippedScripts(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../scripts", "-mode", mode)
			c := dial(t, srv.url)
			c.ok("api.services.status", "", `"online"`)
			c.ok("api.hello.greeting", `{"name":"Ada"}`, `"You're welcome Ada"`)
			if msg := c.fails("api.hello.greeting", `{}`, "bad_request"); msg != "name is required" {
				t.Errorf("message %q", msg)
			}
			c.fails("api.hello.greeting", "", "bad_request")
			c.ok("api.test.board", `{"a":[1,"two",{"three":3}],"b":null}`, `{"a":[1,"two",{"three":3}],"b":null}`)
			c.ok("api.test.board", `"text"`, `"text"`)
			c.ok("api.ping", "", `"pong"`)
			c.ok("api.stats.summary", `{"values":[1,2,3,6]}`, `{"count":4,"sum":12,"mean":3,"min":1,"max":6}`)
			c.fails("api.stats.summary", `{"values":[]}`, "bad_request")

			f, pushes := c.reply(c.request("api.clock.ticks", `{"count":3}`))
			if string(f.data) != "3" || len(pushes) != 3 {
				t.Fatalf("ticks: reply %s after %d pushes", f.raw, len(pushes))
			}
			for i, p := range pushes {
				var tick struct{ N int }
				if p.event != "clock.tick" || json.Unmarshal(p.data, &tick) != nil || tick.N != i+1 {
					t.Errorf("push %d: %s", i, p.raw)
				}
			}
		})
	}
}

// TestHandlerContract covers results, thrown errors and rejected promises.
func TestHandlerContract(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/e2e", "-mode", mode)
			c := dial(t, srv.url)

			c.ok("t.sock.nothing", "", "null")
			c.ok("t.sock.slow", `{"ms":5,"n":7}`, "7")
			if msg := c.fails("t.errors.plain", "", "handler_error"); msg != "boom" {
				t.Errorf("plain: %q", msg)
			}
			if msg := c.fails("t.errors.coded", "", "forbidden"); msg != "you may not" {
				t.Errorf("coded: %q", msg)
			}
			c.fails("t.errors.badCode", "", "handler_error")
			if msg := c.fails("t.errors.thrownString", "", "handler_error"); msg != "just a string" {
				t.Errorf("thrown string: %q", msg)
			}
			if msg := c.fails("t.errors.rejects", "", "too_late"); msg != "later" {
				t.Errorf("rejected: %q", msg)
			}
			if msg := c.fails("t.errors.cyclic", "", "handler_error"); !strings.Contains(msg, "JSON") {
				t.Errorf("cyclic: %q", msg)
			}
			// Not a function, a helper, hidden files and packages are no routes.
			for _, event := range []string{"t.state.notAFunction", "_lib.sleep.sleep", "_lib.sleep.helperIsNotARoute", ".hidden.hidden", "node_modules.fake.index.fake", "t.state"} {
				c.fails(event, "", "unknown_event")
			}

			// The client sees messages, never stacks; the log has the stack
			// with the original TypeScript position.
			msg := c.fails("t.typed.fail", `{"name":"Ada"}`, "handler_error")
			if msg != "typed failure for Ada" {
				t.Errorf("typed: %q", msg)
			}
			srv.logsContain(t, "typed failure for Ada", "testdata/e2e/t/typed.ts:10:")
			c.ok("t.typed.log", "", "1")
			srv.logsContain(t, "typed log line", "script=../../testdata/e2e/t/typed.ts:14:")

			c.ok("t.npm.chunks", `{"items":[1,2,3,4,5],"size":2}`, `[[1,2],[3,4],[5]]`)
		})
	}
}

// TestGlobals checks what scripts find in their global scope.
func TestGlobals(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../testdata/e2e")
	c := dial(t, srv.url)
	c.ok("t.globals.types", "", `{"setTimeout":"function","clearTimeout":"function","setInterval":"function","clearInterval":"function",
		"Promise":"function","Buffer":"function","console":"object","require":"function","process":"undefined",
		"base64":"aGVsbG8=","fromBase64":"hello"}`)
	c.ok("t.globals.interval", "", "3")
	c.ok("t.globals.cleared", "", `"cleared"`)
	c.ok("t.globals.timerArgs", "", "42")
	c.ok("t.globals.disposes", "", `["used","disposed"]`)
	// require exists inside modules but serves only native modules: files
	// and packages are bundled at build time.
	if msg := c.fails("t.globals.requireFS", "", "handler_error"); !strings.Contains(msg, `cannot find module "fs"`) {
		t.Errorf("require: %q", msg)
	}
}

// TestSocket covers socket.id, socket.emit (also after the reply) and
// socket.close.
func TestSocket(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/e2e", "-mode", mode)
			a, b := dial(t, srv.url), dial(t, srv.url)
			idA, idB := a.call("t.sock.id", ""), b.call("t.sock.id", "")
			if string(idA.data) == string(idB.data) || len(idA.data) < 10 {
				t.Errorf("socket ids %s and %s", idA.data, idB.data)
			}
			if again := a.call("t.sock.id", ""); string(again.data) != string(idA.data) {
				t.Errorf("socket id changed: %s then %s", idA.data, again.data)
			}

			a.ok("t.sock.later", `{"x":1}`, `"scheduled"`)
			if p := a.next(); p.event != "later" || string(p.data) != `{"x":1}` {
				t.Errorf("push after the reply: %s", p.raw)
			}

			f, pushes := a.reply(a.request("t.sock.emitBinary", ""))
			if f.err != nil || len(pushes) != 1 || !pushes[0].binary || pushes[0].event != "bin" || string(pushes[0].payload) != "\x01\x02\x03" {
				t.Errorf("binary push: reply %s, pushes %+v", f.raw, pushes)
			}

			b.request("t.sock.close", `{"code":4001,"reason":"bye"}`)
			if err := b.waitClose(); !isClose(err, 4001, "bye") {
				t.Errorf("close: %v", err)
			}
			a.ok("t.sock.nothing", "", "null") // the other connection lives on
		})
	}
}

// TestBinaryFrames sends payloads as binary frames: no base64 on the wire.
func TestBinaryFrames(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/e2e", "-mode", mode)
			c := dial(t, srv.url)
			payload := []byte{0, 1, 2, 250, 255}
			c.sendBinary(protocol.AppendBinary(nil, []byte(`{"event":"t.globals.binaryIn","id":"b1"}`), payload))
			f, _ := c.reply(`"b1"`)
			if f.binary || !jsonEqual(string(f.data), `{"isUint8Array":true,"length":5,"first":0}`) {
				t.Errorf("binary in: %s", f.raw)
			}
			c.sendBinary(protocol.AppendBinary(nil, []byte(`{"event":"t.globals.arrayBuffer","id":2}`), nil))
			f, _ = c.reply("2")
			if !f.binary || string(f.payload) != "\x09\x08\x07" {
				t.Errorf("ArrayBuffer reply: %+v", f)
			}

			shipped := startServer(t, "-scripts", "../../scripts", "-mode", mode)
			s := dial(t, shipped.url)
			s.sendBinary(protocol.AppendBinary(nil, []byte(`{"event":"api.bytes.reverse","id":3}`), payload))
			f, _ = s.reply("3")
			if !f.binary || string(f.payload) != "\xff\xfa\x02\x01\x00" {
				t.Errorf("Buffer reply: %+v", f)
			}
		})
	}
}

// TestProtocolErrors sends bad input: every request gets a structured error
// and the connection lives on.
func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../scripts")
	c := dial(t, srv.url)
	tests := []struct {
		name, frame, wantID, wantCode string
	}{
		{"malformed JSON", `{"event":`, "", "bad_request"},
		{"not an object", `[1,2]`, "", "bad_request"},
		{"missing event", `{"id":5}`, "5", "bad_request"},
		{"empty event", `{"event":"","id":"e"}`, `"e"`, "bad_request"},
		{"bad id type", `{"event":"api.ping","id":{"x":1}}`, "", "bad_request"},
		{"unknown event with id", `{"event":"no.such","id":6}`, "6", "unknown_event"},
		{"unknown event without id", `{"event":"no.such"}`, "", "unknown_event"},
		{"handler error without id", `{"event":"api.hello.greeting"}`, "", "bad_request"},
	}
	for _, tt := range tests {
		c.send(tt.frame)
		f := c.next()
		if tt.wantID != "" {
			if f.id != tt.wantID || f.err == nil || f.err.Code != tt.wantCode || f.err.Message == "" {
				t.Errorf("%s: got %s", tt.name, f.raw)
			}
			continue
		}
		var data struct{ Code, Message, Event string }
		if f.event != "error" || json.Unmarshal(f.data, &data) != nil || data.Code != tt.wantCode || data.Message == "" {
			t.Errorf("%s: got %s, want an error push with code %s", tt.name, f.raw, tt.wantCode)
		}
	}
	c.send(`{"event":"api.ping"}`) // success without id: no reply at all
	c.ok("api.services.status", "", `"online"`)
}
