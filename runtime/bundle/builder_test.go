package bundle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// newBuilder returns a Builder for dir, closed when the test ends.
func newBuilder(tb testing.TB, dir string, external ...string) *Builder {
	tb.Helper()
	b := NewBuilder(Options{Dir: dir, External: external})
	tb.Cleanup(b.Close)
	return b
}

// mustRebuild runs b.Build and fails the test on any error.
func mustRebuild(tb testing.TB, b *Builder) *Result {
	tb.Helper()
	res, err := b.Build(context.Background())
	if err != nil {
		tb.Fatalf("Builder.Build(%s): %v", b.opts.Dir, err)
	}
	return res
}

// writeFile writes content to rel under dir, creating folders.
func writeFile(tb testing.TB, dir, rel, content string) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// byRel maps a result's modules by Rel.
func byRel(res *Result) map[string]*Module {
	m := make(map[string]*Module, len(res.Modules))
	for _, mod := range res.Modules {
		m[mod.Rel] = mod
	}
	return m
}

// changed returns the sorted Rels of next's modules that are not the same
// pointer as in prev (new modules included).
func changed(prev, next *Result) []string {
	old := byRel(prev)
	var rels []string
	for _, m := range next.Modules {
		if old[m.Rel] != m {
			rels = append(rels, m.Rel)
		}
	}
	return rels
}

// value loads m in a new runtime and returns exports.value() exported.
func value(tb testing.TB, m *Module) any {
	tb.Helper()
	vm := goja.New()
	return call(tb, vm, load(tb, vm, m, nil), "value").Export()
}

// valueModule is a route module, JavaScript and TypeScript alike, whose
// value() returns v.
func valueModule(v string) string {
	return fmt.Sprintf("export function value() {\n  return %q;\n}\n", v)
}

func TestBuilderUnchanged(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"a.ts":           valueModule("a"),
		"api/b.js":       "import { h } from \"../_lib/h.js\";\nexport const value = () => h(\"b\");\n",
		"api/c.mts":      valueModule("c"),
		"_lib/h.js":      "export const h = (s) => s + \"!\";\n",
		"_lib/unused.js": "export const u = 1;\n",
	})
	b := newBuilder(t, dir)
	first := mustRebuild(t, b)
	if len(first.Modules) != 3 || first.Reused != 0 {
		t.Fatalf("first build: %d modules, Reused %d; want 3, 0", len(first.Modules), first.Reused)
	}
	for range 2 {
		next := mustRebuild(t, b)
		if got := changed(first, next); len(got) != 0 || next.Reused != 3 {
			t.Errorf("rebuild without changes: changed %v, Reused %d; want none, 3", got, next.Reused)
		}
		if !slices.Equal(next.Inputs, first.Inputs) {
			t.Errorf("Inputs %v, want %v", next.Inputs, first.Inputs)
		}
	}
	if got := value(t, find(t, first, "api/b.js")); got != "b!" {
		t.Errorf("value() = %v, want b!", got)
	}
}

// TestBuilderEdit edits one of three modules and checks that only it changes.
// before and after, when set, are the edited file's modification time after
// the first and the second write, to test same-size rewrites within the same
// second, or even nanosecond, deterministically.
func TestBuilderEdit(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		name          string
		edit          string
		before, after time.Time
		want          string // value() after the edit
		wantChanged   bool
	}{
		{name: "longer", edit: valueModule("a, edited"), want: "a, edited", wantChanged: true},
		{name: "same size, immediately", edit: valueModule("A"), want: "A", wantChanged: true},
		{name: "same size and mtime", edit: valueModule("A"), before: now.Truncate(time.Second), after: now.Truncate(time.Second), want: "A", wantChanged: true},
		{name: "same size, old file", edit: valueModule("A"), before: now.Add(-time.Hour), want: "A", wantChanged: true},
		// Types added below the code leave the output, source map included,
		// as it was.
		{name: "types only", edit: valueModule("a") + "export interface T {\n  n: number;\n}\n", want: "a"},
		// The one change esbuild misses (see Builder): the file is rewritten
		// in place with the same size and its old mtime (over 3 s old) is
		// put back. This pins esbuild's behaviour, which Builder documents.
		{name: "same size, old mtime put back", edit: valueModule("A"), before: now.Add(-time.Hour), after: now.Add(-time.Hour), want: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, map[string]string{"a.ts": valueModule("a"), "b.ts": valueModule("b"), "c.js": valueModule("c")})
			touch := func(mtime time.Time) {
				if !mtime.IsZero() {
					if err := os.Chtimes(filepath.Join(dir, "a.ts"), mtime, mtime); err != nil {
						t.Fatal(err)
					}
				}
			}
			touch(tc.before)
			b := newBuilder(t, dir)
			first := mustRebuild(t, b)
			if got := value(t, find(t, first, "a.ts")); got != "a" {
				t.Fatalf("value() = %v, want a", got)
			}

			writeFile(t, dir, "a.ts", tc.edit)
			touch(tc.after)
			next := mustRebuild(t, b)
			want, wantReused := []string(nil), 3
			if tc.wantChanged {
				want, wantReused = []string{"a.ts"}, 2
			}
			if got := changed(first, next); !slices.Equal(got, want) || next.Reused != wantReused {
				t.Errorf("changed %v, Reused %d; want %v, %d", got, next.Reused, want, wantReused)
			}
			if got := value(t, find(t, next, "a.ts")); got != tc.want {
				t.Errorf("after the edit value() = %v, want %s", got, tc.want)
			}
		})
	}
}

// TestBuilderHelper edits a helper imported by two of three modules.
func TestBuilderHelper(t *testing.T) {
	t.Parallel()
	use := "import { tag } from \"%s_lib/tag\";\nexport const value = (): string => tag(%q);\n"
	dir := writeTree(t, map[string]string{
		"_lib/tag.ts":    "export const tag = (s: string): string => `<${s}>`;\n",
		"a.ts":           fmt.Sprintf(use, "./", "a"),
		"api/b.ts":       fmt.Sprintf(use, "../", "b"),
		"api/c.ts":       valueModule("c"),
		"_lib/unused.ts": "export const u = 1;\n",
	})
	b := newBuilder(t, dir)
	first := mustRebuild(t, b)
	writeFile(t, dir, "_lib/tag.ts", "export const tag = (s: string): string => `[${s}]`;\n")
	next := mustRebuild(t, b)
	if got, want := changed(first, next), []string{"a.ts", "api/b.ts"}; !slices.Equal(got, want) || next.Reused != 1 {
		t.Errorf("changed %v, Reused %d; want %v, 1", got, next.Reused, want)
	}
	for rel, want := range map[string]string{"a.ts": "[a]", "api/b.ts": "[b]", "api/c.ts": "c"} {
		if got := value(t, find(t, next, rel)); got != want {
			t.Errorf("%s: value() = %v, want %s", rel, got, want)
		}
	}
}

// TestBuilderFiles adds, removes and renames route modules between builds.
func TestBuilderFiles(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.js": valueModule("a"), "b.js": valueModule("b"), "api/c.ts": valueModule("c")})
	b := newBuilder(t, dir)
	prev := mustRebuild(t, b)
	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	for _, step := range []struct {
		name    string
		do      func()
		rels    []string // modules after the step
		changed []string // new pointers
	}{
		{"add", func() { writeFile(t, dir, "api/d.ts", valueModule("d")) },
			[]string{"a.js", "api/c.ts", "api/d.ts", "b.js"}, []string{"api/d.ts"}},
		{"remove", func() {
			if err := os.Remove(abs("b.js")); err != nil {
				t.Fatal(err)
			}
		}, []string{"a.js", "api/c.ts", "api/d.ts"}, nil},
		{"rename", func() {
			if err := os.Rename(abs("api/c.ts"), abs("api/e.ts")); err != nil {
				t.Fatal(err)
			}
		}, []string{"a.js", "api/d.ts", "api/e.ts"}, []string{"api/e.ts"}},
		{"add back what was removed", func() { writeFile(t, dir, "b.js", valueModule("b")) },
			[]string{"a.js", "api/d.ts", "api/e.ts", "b.js"}, []string{"b.js"}},
		{"rename a folder", func() {
			if err := os.Rename(abs("api"), abs("v2")); err != nil {
				t.Fatal(err)
			}
		}, []string{"a.js", "b.js", "v2/d.ts", "v2/e.ts"}, []string{"v2/d.ts", "v2/e.ts"}},
	} {
		step.do()
		res := mustRebuild(t, b)
		var rels []string
		for _, m := range res.Modules {
			rels = append(rels, m.Rel)
			if want := filepath.ToSlash(abs(m.Rel)); m.File != want {
				t.Errorf("%s: File %s, want %s", step.name, m.File, want)
			}
		}
		if !slices.Equal(rels, step.rels) {
			t.Errorf("%s: modules %v, want %v", step.name, rels, step.rels)
		}
		if got := changed(prev, res); !slices.Equal(got, step.changed) || res.Reused != len(rels)-len(step.changed) {
			t.Errorf("%s: changed %v, Reused %d; want %v, %d", step.name, got, res.Reused, step.changed, len(rels)-len(step.changed))
		}
		for _, m := range res.Modules {
			if !slices.Contains(res.Inputs, abs(m.Rel)) {
				t.Errorf("%s: Inputs %v lack %s", step.name, res.Inputs, abs(m.Rel))
			}
		}
		if len(res.Inputs) != len(rels) {
			t.Errorf("%s: Inputs %v, want one per module", step.name, res.Inputs)
		}
		if got := slices.Sorted(maps.Keys(b.last)); !slices.Equal(got, rels) {
			t.Errorf("%s: cached %v, want %v", step.name, got, rels)
		}
		for _, m := range res.Modules {
			// Renamed files keep their content.
			want := map[string]string{"api/e.ts": "c", "v2/d.ts": "d", "v2/e.ts": "c"}[m.Rel]
			if want == "" {
				want = strings.TrimSuffix(path.Base(m.Rel), path.Ext(m.Rel))
			}
			if got := value(t, m); got != want {
				t.Errorf("%s: %s: value() = %v, want %s", step.name, m.Rel, got, want)
			}
		}
		prev = res
	}

	// No modules left.
	for _, rel := range []string{"a.js", "b.js", "v2"} {
		if err := os.RemoveAll(abs(rel)); err != nil {
			t.Fatal(err)
		}
	}
	if res := mustRebuild(t, b); len(res.Modules) != 0 || res.Reused != 0 {
		t.Errorf("empty folder: %d modules, Reused %d", len(res.Modules), res.Reused)
	}
	writeFile(t, dir, "a.js", valueModule("a"))
	if res := mustRebuild(t, b); len(res.Modules) != 1 || res.Reused != 0 || value(t, res.Modules[0]) != "a" {
		t.Errorf("after the empty folder: %d modules, Reused %d", len(res.Modules), res.Reused)
	}
}

// TestBuilderRecovers breaks a built folder, checks the error, then fixes it.
func TestBuilderRecovers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		break_ map[string]string // files written to break the build
		// want is the first message, as "rel:line:column: text"
		want string
		fix  map[string]string // files written to fix it; "" removes one
	}{{
		name:   "syntax error",
		break_: map[string]string{"a.ts": "export function value(): string {\n  return \"a\" +;\n}\n"},
		want:   `a.ts:2:15: Unexpected ";"`,
		fix:    map[string]string{"a.ts": valueModule("fixed")},
	}, {
		name:   "syntax error in a helper",
		break_: map[string]string{"_lib/h.ts": "export const h = (s: string) => s +;\n"},
		want:   `_lib/h.ts:1:36: Unexpected ";"`,
		fix:    map[string]string{"_lib/h.ts": "export const h = (s: string) => s + \"?\";\n"},
	}, {
		name:   "missing import",
		break_: map[string]string{"a.ts": "import { x } from \"./_lib/nope\";\nexport const value = () => x;\n"},
		want:   `a.ts:1:19: Could not resolve "./_lib/nope"`,
		fix:    map[string]string{"_lib/nope.ts": "export const x = \"fixed\";\n"},
	}, {
		name:   "goja error",
		break_: map[string]string{"a.ts": "// indices\nexport const value = () => String(/a/d);\n"},
		want:   "a.ts:2:35: Invalid flags supplied to RegExp constructor 'd'",
		fix:    map[string]string{"a.ts": valueModule("fixed")},
	}, {
		name:   "name clash",
		break_: map[string]string{"a.js": valueModule("clash")},
		want:   `a.ts: module name "a" is already used by`,
		fix:    map[string]string{"a.js": "", "a.ts": valueModule("fixed")},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, map[string]string{
				"a.ts":      valueModule("a"),
				"b.ts":      "import { h } from \"./_lib/h\";\nexport const value = (): string => h(\"b\");\n",
				"c.ts":      valueModule("c"),
				"_lib/h.ts": "export const h = (s: string) => s + \"!\";\n",
			})
			b := newBuilder(t, dir)
			first := mustRebuild(t, b)
			write := func(files map[string]string) {
				for rel, content := range files {
					if content == "" {
						if err := os.Remove(filepath.Join(dir, rel)); err != nil {
							t.Fatal(err)
						}
						continue
					}
					writeFile(t, dir, rel, content)
				}
			}

			write(tc.break_)
			for range 2 { // still failing when built again
				_, err := b.Build(context.Background())
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("broken build: error %v (%T), want *Error", err, err)
				}
				if want := filepath.ToSlash(dir) + "/" + tc.want; !strings.HasPrefix(be.Messages[0].String(), want) {
					t.Errorf("broken build: first message %q, want %q", be.Messages[0].String(), want)
				}
			}

			write(tc.fix)
			res := mustRebuild(t, b)
			got := make(map[string]any)
			for _, m := range res.Modules {
				got[m.Rel] = value(t, m)
			}
			// b uses the helper; "a" changed unless only the helper broke.
			want := map[string]any{"a.ts": "fixed", "b.ts": "b!", "c.ts": "c"}
			wantChanged := []string{"a.ts"}
			switch tc.name {
			case "syntax error in a helper":
				want["a.ts"], want["b.ts"], wantChanged = "a", "b?", []string{"b.ts"}
			}
			if !maps.Equal(got, want) {
				t.Errorf("fixed build: values %v, want %v", got, want)
			}
			if c := changed(first, res); !slices.Equal(c, wantChanged) || res.Reused != 3-len(wantChanged) {
				t.Errorf("fixed build: changed %v, Reused %d; want %v, %d", c, res.Reused, wantChanged, 3-len(wantChanged))
			}
		})
	}
}

// TestBuilderMatchesBuild checks that a Builder's first build equals the
// package-level Build's, npm packages included.
func TestBuilderMatchesBuild(t *testing.T) {
	t.Parallel()
	lodash := filepath.Join("..", "..", "node_modules", "lodash", "package.json")
	if _, err := os.Stat(lodash); err != nil {
		t.Fatalf("npm packages are not installed (%v): run `make test`, or `npm ci` at the repository root, first", err)
	}
	dir := filepath.Join("..", "..", "testdata", "bundle", "npm", "scripts")
	want := mustBuild(t, Options{Dir: dir, External: []string{"eventhost"}})
	b := newBuilder(t, dir, "eventhost")
	for i := range 2 {
		got := mustRebuild(t, b)
		if !slices.Equal(got.Inputs, want.Inputs) {
			t.Errorf("build %d: Inputs\n %v\nwant %v", i, got.Inputs, want.Inputs)
		}
		if len(got.Modules) != len(want.Modules) {
			t.Fatalf("build %d: %d modules, want %d", i, len(got.Modules), len(want.Modules))
		}
		for j, m := range got.Modules {
			w := want.Modules[j]
			if m.File != w.File || m.Rel != w.Rel || m.Name != w.Name || m.Size != w.Size || m.Program == nil {
				t.Errorf("build %d: module %+v, want %+v", i, m, w)
			}
		}
	}
}

func TestBuilderCancel(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.ts": valueModule("a")})
	b := newBuilder(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Build(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: error %v, want context.Canceled", err)
	}
	first := mustRebuild(t, b)
	writeFile(t, dir, "a.ts", valueModule("A"))
	// Cancel while esbuild runs, or close to it: whichever step sees it,
	// the build fails and the next one works.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(time.Millisecond, cancel)
	if _, err := b.Build(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("canceled during the build: error %v, want context.Canceled or none", err)
	}
	next := mustRebuild(t, b)
	if got := value(t, find(t, next, "a.ts")); got != "A" || find(t, next, "a.ts") == find(t, first, "a.ts") {
		t.Errorf("after cancel: value() = %v, want A in a new module", got)
	}
}

func TestBuilderClose(t *testing.T) {
	t.Parallel()
	b := NewBuilder(Options{Dir: writeTree(t, map[string]string{"a.ts": valueModule("a")})})
	mustRebuild(t, b)
	b.Close()
	b.Close()
	if _, err := b.Build(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Build after Close: error %v, want ErrClosed", err)
	}
	NewBuilder(Options{}).Close() // never built
}

func TestBuilderDir(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.ts": valueModule("a")})
	b := newBuilder(t, dir)
	mustRebuild(t, b)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(context.Background()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("folder gone: error %v, want a wrapped fs.ErrNotExist", err)
	}
	writeFile(t, dir, "a.ts", valueModule("back"))
	if res := mustRebuild(t, b); value(t, res.Modules[0]) != "back" {
		t.Error("folder back: stale module")
	}
}

// TestBuilderConcurrent calls Build from several goroutines while a module
// changes (meaningful under -race).
func TestBuilderConcurrent(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.ts": valueModule("a"), "b.ts": valueModule("b")})
	b := newBuilder(t, dir)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			for range 3 {
				res, err := b.Build(context.Background())
				if err != nil {
					errs[i] = err
					return
				}
				if len(res.Modules) != 2 {
					errs[i] = fmt.Errorf("%d modules", len(res.Modules))
					return
				}
			}
		})
	}
	wg.Go(func() { writeFile(t, dir, "b.ts", valueModule("B")) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := value(t, find(t, mustRebuild(t, b), "b.ts")); got != "B" {
		t.Errorf("value() = %v, want B", got)
	}
}

// largeModule generates a deterministic TypeScript route module of about
// size bytes: small functions and constants, all reachable from its exports.
func largeModule(size int) string {
	var s strings.Builder
	s.WriteString("// generated\nexport const version: number = 0;\n\n")
	var names []string
	for i := 0; s.Len() < size; i++ {
		fmt.Fprintf(&s, "const k%d: number = %d;\n", i, i*7919%1000)
		fmt.Fprintf(&s, "function f%d(x: number): number {\n  const y = x * %d + k%d;\n  return y %% 2 === 0 ? y / 2 : y * 3 + 1;\n}\n\n", i, i%13+1, i)
		names = append(names, fmt.Sprintf("f%d", i))
	}
	fmt.Fprintf(&s, "const table = [%s];\n\n", strings.Join(names, ", "))
	s.WriteString("export function value(): string {\n  let x = 1;\n  for (const f of table) x = f(x) % 1000003;\n  return String(x);\n}\n")
	return s.String()
}

func TestLargeModule(t *testing.T) {
	t.Parallel()
	src := largeModule(200 << 10)
	if src != largeModule(200<<10) {
		t.Fatal("largeModule is not deterministic")
	}
	b := newBuilder(t, writeTree(t, map[string]string{"large.ts": src}))
	m := mustRebuild(t, b).Modules[0]
	if m.Size < 150<<10 {
		t.Errorf("bundle of %d bytes, want about 200 KB", m.Size)
	}
	if got, _ := value(t, m).(string); got == "" {
		t.Errorf("value() = %v", got)
	}
}

// rebuildFixture is a folder for the rebuild benchmarks: three tiny modules,
// or, for large, one ~200 KB module and two tiny ones.
func rebuildFixture(tb testing.TB, large bool) string {
	files := map[string]string{
		"_lib/util.ts": "export const shout = (s: string): string => s.toUpperCase() + \"!\";\n",
		"api/one.ts":   "import { shout } from \"../_lib/util\";\nexport const value = (): string => shout(\"one\");\n",
		"api/two.ts":   valueModule("two"),
		"three.ts":     valueModule("three"),
	}
	if large {
		delete(files, "three.ts")
		files["large.ts"] = largeModule(200 << 10)
	}
	return writeTree(tb, files)
}

// BenchmarkRebuild measures a Builder's build after one module changed: one
// of three tiny modules (tiny), or in a folder with a ~200 KB module, one of
// the tiny ones (large/tiny-edit) or the large one (large/large-edit).
func BenchmarkRebuild(b *testing.B) {
	large := largeModule(200 << 10)
	for _, bc := range []struct {
		name  string
		large bool
		edit  string
		// content returns the edited module for iteration i.
		content func(i int) string
	}{
		{"tiny", false, "api/two.ts", func(i int) string { return valueModule(fmt.Sprint("two ", i)) }},
		{"large/tiny-edit", true, "api/two.ts", func(i int) string { return valueModule(fmt.Sprint("two ", i)) }},
		{"large/large-edit", true, "large.ts", func(i int) string {
			return strings.Replace(large, "version: number = 0;", fmt.Sprintf("version: number = %d;", i), 1)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dir := rebuildFixture(b, bc.large)
			builder := newBuilder(b, dir)
			mustRebuild(b, builder)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				writeFile(b, dir, bc.edit, bc.content(i))
				res := mustRebuild(b, builder)
				if res.Reused != len(res.Modules)-1 {
					b.Fatalf("Reused %d of %d", res.Reused, len(res.Modules))
				}
			}
		})
	}
}

// BenchmarkBuildCold measures the package-level Build on BenchmarkRebuild's
// folders.
func BenchmarkBuildCold(b *testing.B) {
	for _, bc := range []struct {
		name  string
		large bool
	}{{"tiny", false}, {"large", true}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := rebuildFixture(b, bc.large)
			b.ReportAllocs()
			for b.Loop() {
				mustBuild(b, Options{Dir: dir})
			}
		})
	}
}
