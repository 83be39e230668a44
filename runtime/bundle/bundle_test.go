package bundle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dop251/goja"
)

// writeTree writes files (slash-separated path relative to the folder ->
// content) into a new temporary folder and returns its path.
func writeTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// mustBuild builds opts and fails the test on any error.
func mustBuild(tb testing.TB, opts Options) *Result {
	tb.Helper()
	res, err := Build(context.Background(), opts)
	if err != nil {
		tb.Fatalf("Build(%s): %v", opts.Dir, err)
	}
	return res
}

// find returns the module with the given Rel.
func find(tb testing.TB, res *Result, rel string) *Module {
	tb.Helper()
	for _, m := range res.Modules {
		if m.Rel == rel {
			return m
		}
	}
	tb.Fatalf("no module %s", rel)
	return nil
}

// load evaluates m in vm the way the engine does and returns module.exports.
// require serves External modules; nil makes every require fail.
func load(tb testing.TB, vm *goja.Runtime, m *Module, require func(name string) goja.Value) *goja.Object {
	tb.Helper()
	fnv, err := vm.RunProgram(m.Program)
	if err != nil {
		tb.Fatalf("%s: run program: %v", m.File, err)
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		tb.Fatalf("%s: program evaluated to %v, want a function", m.File, fnv)
	}
	exports := vm.NewObject()
	module := vm.NewObject()
	if err := module.Set("exports", exports); err != nil {
		tb.Fatal(err)
	}
	req := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		if require == nil {
			panic(vm.NewGoError(fmt.Errorf("unexpected require(%q)", name)))
		}
		return require(name)
	})
	if _, err := fn(goja.Undefined(), exports, req, module); err != nil {
		tb.Fatalf("%s: module body: %v", m.File, err)
	}
	return module.Get("exports").ToObject(vm)
}

// call calls exports[name](args...) and returns the result, settled if it is a
// promise (goja runs pending jobs before the call returns).
func call(tb testing.TB, vm *goja.Runtime, exports *goja.Object, name string, args ...any) goja.Value {
	tb.Helper()
	fn, ok := goja.AssertFunction(exports.Get(name))
	if !ok {
		tb.Fatalf("export %s is %v, want a function", name, exports.Get(name))
	}
	vals := make([]goja.Value, len(args))
	for i, a := range args {
		vals[i] = vm.ToValue(a)
	}
	v, err := fn(goja.Undefined(), vals...)
	if err != nil {
		tb.Fatalf("%s(): %v", name, err)
	}
	if p, ok := v.Export().(*goja.Promise); ok {
		if p.State() != goja.PromiseStateFulfilled {
			tb.Fatalf("%s(): promise %v: %v", name, p.State(), p.Result())
		}
		return p.Result()
	}
	return v
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"hello.js":                  "export const a = 1",
		"api/hello.js":              "export const a = 1",
		"api/v2/users.ts":           "export const a: number = 1",
		"api/v2/list.mts":           "export const a = 1",
		"chat.room.mjs":             "export const a = 1",
		"_lib/x.js":                 "export const a = 1",
		"api/_private.js":           "export const a = 1",
		".hidden.js":                "export const a = 1",
		".git/hooks/x.js":           "export const a = 1",
		"node_modules/pkg/index.js": "export const a = 1",
		"api/node_modules/p/i.js":   "export const a = 1",
		"types.d.ts":                "export type T = number",
		"api/more.d.mts":            "export type T = number",
		"README.md":                 "# not a module",
		"data.json":                 "{}",
		"old.cjs":                   "module.exports = 1",
		"view.tsx":                  "export const a = 1",
	})
	if err := os.Symlink(filepath.Join(dir, "api"), filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "api", "hello.js"), filepath.Join(dir, "alias.js")); err != nil {
		t.Fatal(err)
	}
	res := mustBuild(t, Options{Dir: dir})

	type row struct{ File, Rel, Name string }
	var got []row
	for _, m := range res.Modules {
		got = append(got, row{m.File, m.Rel, m.Name})
		if m.Program == nil || m.Size == 0 {
			t.Errorf("%s: Program %v, Size %d", m.Rel, m.Program, m.Size)
		}
	}
	slash := filepath.ToSlash(dir)
	want := []row{
		{slash + "/alias.js", "alias.js", "alias"},
		{slash + "/api/hello.js", "api/hello.js", "api.hello"},
		{slash + "/api/v2/list.mts", "api/v2/list.mts", "api.v2.list"},
		{slash + "/api/v2/users.ts", "api/v2/users.ts", "api.v2.users"},
		{slash + "/chat.room.mjs", "chat.room.mjs", "chat.room"},
		{slash + "/hello.js", "hello.js", "hello"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("modules:\n got %v\nwant %v", got, want)
	}
}

func TestDisplayPath(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"api/hello.js": "export const a = 1"})
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, want string }{
		{"absolute", dir, filepath.ToSlash(dir) + "/api/hello.js"},
		{"relative", rel, filepath.ToSlash(rel) + "/api/hello.js"},
		{"unclean", rel + "/./api/..//", filepath.ToSlash(rel) + "/api/hello.js"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustBuild(t, Options{Dir: tc.dir})
			if len(res.Modules) != 1 || res.Modules[0].File != tc.want {
				t.Fatalf("modules %+v, want one with File %s", res.Modules, tc.want)
			}
		})
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"_lib/greet.js": "export const greet = (name) => `Hello, ${name}!`;\n",
		"api/hello.js": `import { greet } from "../_lib/greet.js";

export function greeting(name) {
  return greet(name);
}
`,
		"api/typed.ts": `import { greet } from "../_lib/greet";

interface Person {
  name: string;
  age?: number;
}

export default function (p: Person): string {
  return greet(p.name);
}

export const greeting = (name: string): string => greet(name);

export async function later(n: number): Promise<number> {
  await null;
  return n * 2;
}
`,
		// goja has no async generators or for await: esbuild lowers both.
		"stream.mts": `async function* count(n: number) {
  for (let i = 1; i <= n; i++) {
    await null;
    yield i;
  }
}

export async function sum(n: number): Promise<number> {
  let total = 0;
  for await (const x of count(n)) total += x;
  return total;
}
`,
		// Decorators are lowered too.
		"decorated.ts": `function tag<T extends Function>(c: T, _ctx: ClassDecoratorContext): T {
  (c as any).tagged = true;
  return c;
}

@tag
class Thing {}

export const tagged = () => (Thing as any).tagged === true;
`,
		// A hashbang survives the wrapper.
		"tool.js": "#!/usr/bin/env node\nexport const ok = () => true;\n",
	})
	res := mustBuild(t, Options{Dir: dir})

	for _, tc := range []struct {
		rel, fn string
		args    []any
		want    any
	}{
		{"api/hello.js", "greeting", []any{"Ada"}, "Hello, Ada!"},
		{"api/typed.ts", "greeting", []any{"Ada"}, "Hello, Ada!"},
		{"api/typed.ts", "default", []any{map[string]any{"name": "Grace"}}, "Hello, Grace!"},
		{"api/typed.ts", "later", []any{21}, int64(42)},
		{"stream.mts", "sum", []any{4}, int64(10)},
		{"decorated.ts", "tagged", nil, true},
		{"tool.js", "ok", nil, true},
	} {
		t.Run(tc.rel+"/"+tc.fn, func(t *testing.T) {
			t.Parallel()
			vm := goja.New()
			exports := load(t, vm, find(t, res, tc.rel), nil)
			if got := call(t, vm, exports, tc.fn, tc.args...).Export(); got != tc.want {
				t.Errorf("%s(%v) = %#v, want %#v", tc.fn, tc.args, got, tc.want)
			}
		})
	}

	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	for _, rel := range []string{"_lib/greet.js", "api/hello.js", "api/typed.ts", "tool.js"} {
		if !slices.Contains(res.Inputs, abs(rel)) {
			t.Errorf("Inputs %v lack %s", res.Inputs, abs(rel))
		}
	}
}

func TestNPM(t *testing.T) {
	t.Parallel()
	lodash := filepath.Join("..", "..", "node_modules", "lodash", "package.json")
	if _, err := os.Stat(lodash); err != nil {
		t.Fatalf("npm packages are not installed (%v): run `make test`, or `npm ci` at the repository root, first", err)
	}
	dir := filepath.Join("..", "..", "testdata", "bundle", "npm", "scripts")
	res := mustBuild(t, Options{Dir: dir})
	m := find(t, res, "chunks.js")
	if want := "../../testdata/bundle/npm/scripts/chunks.js"; m.File != want {
		t.Errorf("File = %s, want %s", m.File, want)
	}
	vm := goja.New()
	exports := load(t, vm, m, nil)
	got, err := call(t, vm, exports, "pairs", []any{1, 2, 3, 4, 5}).ToObject(vm).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "[[1,2],[3,4],[5]]" {
		t.Errorf("pairs = %s", got)
	}
	lodashJS, err := filepath.Abs(filepath.Join("..", "..", "node_modules", "lodash", "lodash.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Inputs, lodashJS) {
		t.Errorf("Inputs %v lack %s", res.Inputs, lodashJS)
	}
}

func TestSourceMap(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		// Types, blank lines and an import move every position in the bundle.
		"api/boom.ts": `import { fail } from "../_lib/fail";

type Reason = string;

export function explode(reason: Reason): never {

  const message: string = "boom: " + reason;
  throw new Error(message);
}

export function delegate(): void {
  fail("deep");
}
`,
		"_lib/fail.ts": `interface Opts {
  code?: number;
}

export function fail(why: string, _opts: Opts = {}): never {
  throw new TypeError(why);
}
`,
	}
	dir := writeTree(t, files)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, display := range []string{dir, rel} {
		prefix := filepath.ToSlash(display)
		res := mustBuild(t, Options{Dir: display})
		m := find(t, res, "api/boom.ts")
		for _, tc := range []struct {
			fn   string
			want []string // substrings of the stack
		}{
			{"explode", []string{"Error: boom: x", prefix + "/api/boom.ts:8:9"}},
			{"delegate", []string{"TypeError: deep", prefix + "/_lib/fail.ts:6:9", prefix + "/api/boom.ts:12:3"}},
		} {
			t.Run(tc.fn+"/"+filepath.Base(display), func(t *testing.T) {
				vm := goja.New()
				exports := load(t, vm, m, nil)
				fn, _ := goja.AssertFunction(exports.Get(tc.fn))
				_, err := fn(goja.Undefined(), vm.ToValue("x"))
				var ex *goja.Exception
				if !errors.As(err, &ex) {
					t.Fatalf("%s() error %v, want *goja.Exception", tc.fn, err)
				}
				stack := ex.String()
				for _, w := range tc.want {
					if !strings.Contains(stack, w) {
						t.Errorf("stack lacks %q:\n%s", w, stack)
					}
				}
			})
		}
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	type want struct {
		rel          string
		line, column int
		text         string // substring
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []want
	}{{
		name: "syntax error and missing import at once",
		files: map[string]string{
			"api/broken.ts":  "export function f(): number {\n  return 1 +;\n}\n",
			"api/missing.js": "import x from \"./nope.js\";\nexport default x;\n",
			"api/fine.js":    "export const ok = true;\n",
		},
		want: []want{
			{"api/broken.ts", 2, 13, `Unexpected ";"`},
			{"api/missing.js", 1, 15, `Could not resolve "./nope.js"`},
		},
	}, {
		name:  "missing npm package",
		files: map[string]string{"a.js": "\nimport pad from \"left-pad-not-installed\";\nexport const f = pad;\n"},
		want:  []want{{"a.js", 2, 17, `Could not resolve "left-pad-not-installed"`}},
	}, {
		name:  "node built-in",
		files: map[string]string{"a.js": "import { readFileSync } from \"fs\";\nexport const f = readFileSync;\n"},
		want:  []want{{"a.js", 1, 30, `Could not resolve "fs" (Node.js built-in modules are not available)`}},
	}, {
		name:  "error in a helper",
		files: map[string]string{"a.js": "import { h } from \"./_lib/h.js\";\nexport const f = h;\n", "_lib/h.js": "export const h = ;\n"},
		want:  []want{{"_lib/h.js", 1, 18, `Unexpected ";"`}},
	}, {
		name:  "top-level await",
		files: map[string]string{"a.ts": "const x: number = await Promise.resolve(1);\nexport default x;\n"},
		want:  []want{{"a.ts", 1, 19, "top-level await is not supported"}},
	}, {
		name:  "top-level for await",
		files: map[string]string{"a.js": "export let n = 0;\nfor await (const x of [1]) n += x;\n"},
		want:  []want{{"a.js", 2, 5, "top-level await is not supported"}},
	}, {
		name:  "module name clash",
		files: map[string]string{"api/a.js": "export const a = 1;\n", "api/a.ts": "export const a = 1;\n", "api.a.mjs": "export const a = 1;\n"},
		want: []want{
			{"api/a.js", 0, 0, `module name "api.a" is already used by`},
			{"api/a.ts", 0, 0, `module name "api.a" is already used by`},
		},
	}, {
		// esbuild passes both; goja rejects them. Positions are mapped back
		// through the source map: by goja for the compile error, by the
		// package for the parse error (goja cannot parse a class field named
		// get, set or async, and points at the token after the "=").
		name: "goja errors",
		files: map[string]string{
			"cfg.ts": "// config\n\nexport class Config {\n  get = 1;\n}\n",
			"re.js":  "// indices\nexport const r = /a/d;\n",
		},
		want: []want{
			{"cfg.ts", 4, 9, "Unexpected token ="},
			{"re.js", 2, 18, "Invalid flags supplied to RegExp constructor 'd'"},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, tc.files)
			_, err := Build(context.Background(), Options{Dir: dir})
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("Build error %v (%T), want *Error", err, err)
			}
			if len(be.Messages) != len(tc.want) {
				t.Fatalf("got %d messages, want %d:\n%v", len(be.Messages), len(tc.want), err)
			}
			lines := make([]string, len(be.Messages))
			for i, w := range tc.want {
				got := be.Messages[i]
				file := filepath.ToSlash(filepath.Join(dir, w.rel))
				if got.File != file || got.Line != w.line || got.Column != w.column || !strings.Contains(got.Text, w.text) {
					t.Errorf("message %d = %+v\nwant %s:%d:%d containing %q", i, got, file, w.line, w.column, w.text)
				}
				lines[i] = fmt.Sprintf("%s:%d:%d: %s", got.File, got.Line, got.Column, got.Text)
				if got.Line == 0 {
					lines[i] = got.File + ": " + got.Text
				}
			}
			if want := strings.Join(lines, "\n"); err.Error() != want {
				t.Errorf("Error() =\n%s\nwant\n%s", err, want)
			}
		})
	}
}

func TestExternal(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"api/ext.ts": `import { emit } from "eventhost";

export function send(x: number): string {
  return emit("news", x);
}
`})
	res := mustBuild(t, Options{Dir: dir, External: []string{"eventhost"}})
	vm := goja.New()
	var required []string
	native := vm.NewObject()
	if err := native.Set("emit", func(name string, x int) string { return fmt.Sprintf("%s:%d", name, x) }); err != nil {
		t.Fatal(err)
	}
	exports := load(t, vm, find(t, res, "api/ext.ts"), func(name string) goja.Value {
		required = append(required, name)
		return native
	})
	if !slices.Equal(required, []string{"eventhost"}) {
		t.Errorf("require calls %q, want [eventhost]", required)
	}
	if got := call(t, vm, exports, "send", 7).String(); got != "news:7" {
		t.Errorf("send(7) = %s", got)
	}

	_, err := Build(context.Background(), Options{Dir: dir})
	var be *Error
	if !errors.As(err, &be) || !strings.Contains(err.Error(), `Could not resolve "eventhost"`) {
		t.Errorf("without External: %v, want an unresolved eventhost", err)
	}
}

func TestDir(t *testing.T) {
	t.Parallel()
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		_, err := Build(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "nope")})
		var be *Error
		if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &be) {
			t.Errorf("error %v, want a wrapped fs.ErrNotExist", err)
		}
	})
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		dir := writeTree(t, map[string]string{"a.js": ""})
		_, err := Build(context.Background(), Options{Dir: filepath.Join(dir, "a.js")})
		if !errors.Is(err, ErrNotDir) {
			t.Errorf("error %v, want ErrNotDir", err)
		}
	})
	for name, files := range map[string]map[string]string{
		"empty":         nil,
		"only excluded": {"_lib/a.js": "export const a = 1", "notes.txt": "x", "t.d.ts": "export type T = 1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := mustBuild(t, Options{Dir: writeTree(t, files)})
			if len(res.Modules) != 0 {
				t.Errorf("modules %v, want none", res.Modules)
			}
		})
	}
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Build(ctx, Options{Dir: writeTree(t, map[string]string{"a.js": "export const a = 1"})})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

// TestConcurrent builds twice at once and runs one Program in several
// runtimes at once (meaningful under -race).
func TestConcurrent(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.ts": "let calls = 0;\nexport const hit = (): number => ++calls;\n"})
	var wg sync.WaitGroup
	results := make([]*Result, 2)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = Build(context.Background(), Options{Dir: dir}) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	m := find(t, results[0], "a.ts")
	// Each runtime gets its own module state: hit counts 1, 2, 3 in each.
	hits := func() error {
		vm := goja.New()
		fnv, err := vm.RunProgram(m.Program)
		if err != nil {
			return err
		}
		fn, _ := goja.AssertFunction(fnv)
		module, exports := vm.NewObject(), vm.NewObject()
		if err := module.Set("exports", exports); err != nil {
			return err
		}
		if _, err := fn(goja.Undefined(), exports, goja.Undefined(), module); err != nil {
			return err
		}
		hit, _ := goja.AssertFunction(module.Get("exports").ToObject(vm).Get("hit"))
		for want := int64(1); want <= 3; want++ {
			v, err := hit(goja.Undefined())
			if err != nil {
				return err
			}
			if got := v.ToInteger(); got != want {
				return fmt.Errorf("hit() = %d, want %d", got, want)
			}
		}
		return nil
	}
	for i := range errs {
		wg.Go(func() { errs[i] = hits() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}

func TestMessageString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{File: "scripts/api/x.ts", Line: 3, Column: 7, Text: "bad"}, "scripts/api/x.ts:3:7: bad"},
		{Message{File: "scripts/api/x.ts", Line: 3, Text: "bad"}, "scripts/api/x.ts:3: bad"},
		{Message{File: "scripts/api/x.ts", Text: "bad"}, "scripts/api/x.ts: bad"},
		{Message{Text: "bad"}, "bad"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.m, got, tc.want)
		}
	}
	err := &Error{Messages: []Message{{File: "a.js", Line: 1, Column: 2, Text: "x"}, {Text: "y"}}}
	if got := err.Error(); got != "a.js:1:2: x\ny" {
		t.Errorf("Error() = %q", got)
	}
}

func BenchmarkBuild(b *testing.B) {
	files := map[string]string{
		"_lib/util.ts": "export const shout = (s: string): string => s.toUpperCase() + \"!\";\n",
	}
	for i := range 6 {
		files[fmt.Sprintf("api/handler%d.ts", i)] = fmt.Sprintf(`import { shout } from "../_lib/util";

interface Msg { text: string }

export function onMessage(msg: Msg): string {
  return shout(msg.text + %d);
}

export async function onJoin(room: string): Promise<string> {
  return "joined " + room;
}
`, i)
	}
	dir := writeTree(b, files)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(ctx, Options{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestShiftMappings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		// [0,0,0,0],[1,0,0,1] ; [0,0,1,0]: line 1 moves by 3, line 2 by 1,
		// the first original column by 1 (the rest are relative to it).
		{"lines", "AAAA,CAAC;AACA", "GAAC,CAAC;CACA"},
		{"empty lines", ";;AAAA;", ";;CAAC;"},
		{"generated only first", "A,CAAC;E", "G,CAAE;G"},
		{"empty", "", ""},
	} {
		if got, ok := shiftMappings(tc.in, 3); !ok || got != tc.want {
			t.Errorf("%s: shiftMappings(%q) = %q, %v; want %q", tc.name, tc.in, got, ok, tc.want)
		}
	}
	if _, ok := shiftMappings("AA!A", 3); ok {
		t.Error("shiftMappings accepted a bad character")
	}
}

// FuzzVLQ checks that decodeVLQ reads back what writeVLQ wrote.
func FuzzVLQ(f *testing.F) {
	for _, v := range []int{0, 1, -1, 15, 16, -16, 1 << 20, -(1 << 30)} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int) {
		if v > 1<<40 || v < -(1<<40) {
			t.Skip()
		}
		var b strings.Builder
		writeVLQ(&b, v)
		got, n, ok := decodeVLQ(b.String() + "A")
		if !ok || got != v || n != b.Len() {
			t.Fatalf("round trip of %d via %q: %d, %d, %v", v, b.String(), got, n, ok)
		}
	})
}
