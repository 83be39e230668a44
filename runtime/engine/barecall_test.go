package engine

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/runtime/bundle"
)

// bareScripts is a bare route module (its own program returns its exports,
// so reeval calls run it once per call and it calls the export itself).
const bareScripts = `let n = 0;
export function count() { return ++n; }
export function args(socket, ...a) { return [typeof socket.emit, a.length, ...a]; }
export function self() { return typeof this; }
export function fail() {
  throw new Error("fail");
}
export let flip = globalThis.flipped ? 1 : function () { globalThis.flipped = true; return "ok"; };
export let flop = globalThis.flopped ? {} : function () { globalThis.flopped = true; return "ok"; };
`

// TestReevalBareCallMatchesPreload calls the handlers of a bare module in
// both modes, through the two-argument call its own program makes and
// through the other argument shapes: the answers are the same, and the
// module's top level runs on every reeval call.
func TestReevalBareCallMatchesPreload(t *testing.T) {
	t.Parallel()
	reqs := []struct {
		name  string
		event string
		req   Request
	}{
		{"data", "b.args", Request{Data: []byte(`{"x":1}`)}},
		{"no data", "b.args", Request{}},
		{"rest", "b.args", Request{Data: []byte(`1`), Rest: []byte(`[2,3]`)}},
		{"this", "b.self", Request{Data: []byte(`1`)}},
	}
	answers := map[Mode][]string{}
	for _, mode := range []Mode{ModePreload, ModeReeval} {
		e := newEngine(t, map[string]string{"b.js": bareScripts}, Config{PoolSize: 1, Mode: mode})
		if mode == ModeReeval {
			gen := e.gen.Load()
			if m := gen.modules[gen.routes["b.count"].module]; m.Own == nil || !m.OwnBare {
				t.Fatalf("b.js: own %v, bare %v; want a bare own program", m.Own != nil, m.OwnBare)
			}
		}
		for i := 1; i <= 2; i++ {
			want := "1"
			if mode == ModePreload {
				want = strconv.Itoa(i)
			}
			if o := runCall(t, e, context.Background(), newSocket("s"), "b.count", ""); o.err != nil || string(o.res.Data) != want {
				t.Fatalf("%s: count call %d: %s, %v; want %s", mode, i, o.res.Data, o.err, want)
			}
		}
		for _, r := range reqs {
			req := r.req
			req.Event, req.Socket = r.event, newSocket("s")
			o := runRequest(t, e, &req)
			if o.err != nil {
				t.Fatalf("%s %s: %v", mode, r.name, o.err)
			}
			answers[mode] = append(answers[mode], string(o.res.Data))
		}
	}
	for i, r := range reqs {
		if p, x := answers[ModePreload][i], answers[ModeReeval][i]; p != x {
			t.Errorf("%s: preload %s, reeval %s", r.name, p, x)
		}
	}
	if got := answers[ModeReeval][0]; got != `["function",1,{"x":1}]` {
		t.Errorf("data: %s", got)
	}
}

// TestReevalBareNotAFunction: an export that was a function when the
// module was built and is no longer one when a call evaluates it is a
// handler error that names it, on the two-argument path and the others.
func TestReevalBareNotAFunction(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"b.js": bareScripts}, Config{PoolSize: 1, Mode: ModeReeval})
	for _, tc := range []struct {
		name, export string
		req          Request
	}{
		{"two arguments", "flip", Request{Data: []byte(`1`)}},
		{"rest", "flop", Request{Data: []byte(`1`), Rest: []byte(`[2]`)}},
	} {
		for i := 0; i < 2; i++ {
			req := tc.req
			req.Event, req.Socket = "b."+tc.export, newSocket("s")
			o := runRequest(t, e, &req)
			if i == 0 {
				if o.err != nil || string(o.res.Data) != `"ok"` {
					t.Fatalf("%s: first call %s, %v", tc.name, o.res.Data, o.err)
				}
				continue
			}
			var he *HandlerError
			want := `export "` + tc.export + `" of `
			if !errors.As(o.err, &he) || he.Code != "handler_error" || !strings.Contains(he.Message, want) || !strings.HasSuffix(he.Message, "b.js is no longer a function") {
				t.Fatalf("%s: second call %s, %v; want a handler_error %q...b.js is no longer a function", tc.name, o.res.Data, o.err, want)
			}
		}
	}
}

// stackFrame matches one "at" line of a goja stack: its file, line and
// column.
var stackFrame = regexp.MustCompile(`at (?:\S+ \()?([^()\s]+):(\d+):(\d+)\(\d+\)\)?`)

// TestReevalBareCallStack: a throw in a handler that its own program
// called names the handler's line, and the frame below it is the host's
// (bundle.HostCallSource), not a position of generated code under the
// script's name.
func TestReevalBareCallStack(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"b.js": bareScripts}, Config{PoolSize: 1, Mode: ModeReeval})
	o := runCall(t, e, context.Background(), newSocket("s"), "b.fail", "")
	var he *HandlerError
	if !errors.As(o.err, &he) {
		t.Fatalf("err = %v", o.err)
	}
	frames := stackFrame.FindAllStringSubmatch(he.Stack, -1)
	if len(frames) != 2 {
		t.Fatalf("stack %q: want the handler's frame and the host's", he.Stack)
	}
	if f := frames[0]; !strings.HasSuffix(f[1], "/b.js") || f[2] != "6" || f[3] != "9" {
		t.Errorf("first frame %q, want b.js:6:9", f[0])
	}
	if f := frames[1]; f[1] != bundle.HostCallSource {
		t.Errorf("second frame %q, want %s", f[0], bundle.HostCallSource)
	}
	lines := strings.Count(bareScripts, "\n")
	for _, f := range frames {
		if n, _ := strconv.Atoi(f[2]); strings.HasSuffix(f[1], "/b.js") && n > lines {
			t.Errorf("frame %q: b.js has %d lines", f[0], lines)
		}
	}
}
