package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/runtime/bundle"
)

// sharedScripts import a _lib file with its own state, a circular pair of
// _lib files, another route module, and re-export one file's names.
var sharedScripts = map[string]string{
	"_lib/counter.js": `export let loads = 0;
loads++;
let n = 0;
export function next() { return ++n; }
export default function hello() { return "hello"; }
`,
	"_lib/a.js": `import { b } from "./b.js";
export function a() { return "a" + b(); }
export const name = "A";
`,
	"_lib/b.js": `import { name } from "./a.js";
export function b() { return "b"; }
export function peer() { return name; }
`,
	"api/other.js": `let calls = 0;
export function count() { return ++calls; }
`,
	"api/r.js": `import hello, { next, loads } from "../_lib/counter.js";
import * as A from "../_lib/a.js";
import { peer } from "../_lib/b.js";
import { count } from "./other.js";
export * from "../_lib/a.js";
let mine = 0;
export function f() {
  mine++;
  return { hello: hello(), shared: next(), loads, mine, a: A.a(), peer: peer(), other: count() };
}
export function fail() { return A.a.call(null, boom()); }
function boom() { throw new Error("boom"); }
`,
}

func TestReevalSharesImports(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sharedScripts, Config{PoolSize: 1, Mode: ModeReeval})
	for i := 1; i <= 3; i++ {
		o := runCall(t, e, context.Background(), newSocket("s"), "api.r.f", "")
		if o.err != nil {
			t.Fatal(o.err)
		}
		want := `{"hello":"hello","shared":` + string(rune('0'+i)) + `,"loads":1,"mine":1,"a":"ab","peer":"A","other":` + string(rune('0'+i)) + `}`
		if got := string(o.res.Data); got != want {
			t.Fatalf("call %d: %s, want %s", i, got, want)
		}
	}
	// export * re-exports a's functions as routes of r.
	if o := runCall(t, e, context.Background(), newSocket("s"), "api.r.a", ""); o.err != nil || string(o.res.Data) != `"ab"` {
		t.Fatalf("re-exported a: %s, %v", o.res.Data, o.err)
	}
	// The route module other is its own route too, evaluated per call.
	if o := runCall(t, e, context.Background(), newSocket("s"), "api.other.count", ""); o.err != nil || string(o.res.Data) != "1" {
		t.Fatalf("other.count: %s, %v", o.res.Data, o.err)
	}
}

func TestReevalSharedStackNamesFiles(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sharedScripts, Config{PoolSize: 1, Mode: ModeReeval})
	o := runCall(t, e, context.Background(), newSocket("s"), "api.r.fail", "")
	var he *HandlerError
	if !errors.As(o.err, &he) {
		t.Fatalf("err = %v", o.err)
	}
	for _, want := range []string{"/api/r.js:12:25", "/api/r.js:11:"} {
		if !strings.Contains(he.Stack, want) {
			t.Errorf("stack %q does not name %s", he.Stack, want)
		}
	}
}

func TestReevalDependencyThrowIsBuildError(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"_lib/bad.js": "export const x = 1;\nthrow new Error(\"no config\");\n",
		"m.js":        "import { x } from \"./_lib/bad.js\";\nexport function f() { return x; }\n",
	}
	dir := writeScripts(t, files)
	_, err := New(context.Background(), Config{Dir: dir, PoolSize: 1, Mode: ModeReeval})
	var be *bundle.Error
	if !errors.As(err, &be) || len(be.Messages) != 1 {
		t.Fatalf("err = %v, want one build error", err)
	}
	m := be.Messages[0]
	if !strings.HasSuffix(m.File, "/_lib/bad.js") || m.Line != 2 || m.Column != 7 || !strings.Contains(m.Text, "no config") {
		t.Fatalf("message %+v, want _lib/bad.js:2:7 no config", m)
	}
}

// TestReevalBareOwnProgram calls a route module that needs no module object
// (bare: its own program returns its exports) and one that mentions module,
// which still gets one: both start fresh on every call, and a throw in the
// bare one names its file and line.
func TestReevalBareOwnProgram(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"bare.js":   "let n = 0;\nexport function f() { return ++n; }\nexport function g() {\n  throw new Error(\"g\");\n}\n",
		"module.js": "let n = 0;\nexport function f() { return [++n, typeof module]; }\n",
	}
	e := newEngine(t, files, Config{PoolSize: 1, Mode: ModeReeval})
	gen := e.gen.Load()
	for _, r := range gen.routes {
		m := gen.modules[r.module]
		if m.Own == nil || m.OwnBare != strings.HasSuffix(m.File, "bare.js") {
			t.Fatalf("%s: own %v, bare %v", m.File, m.Own != nil, m.OwnBare)
		}
	}
	for i := 0; i < 2; i++ {
		if o := runCall(t, e, context.Background(), newSocket("s"), "bare.f", ""); o.err != nil || string(o.res.Data) != "1" {
			t.Fatalf("bare.f: %s, %v", o.res.Data, o.err)
		}
		if o := runCall(t, e, context.Background(), newSocket("s"), "module.f", ""); o.err != nil || string(o.res.Data) != `[1,"object"]` {
			t.Fatalf("module.f: %s, %v", o.res.Data, o.err)
		}
	}
	o := runCall(t, e, context.Background(), newSocket("s"), "bare.g", "")
	var he *HandlerError
	if !errors.As(o.err, &he) || !strings.Contains(he.Stack, "/bare.js:4:") {
		t.Fatalf("err = %v, want a stack naming bare.js:4", o.err)
	}
}
