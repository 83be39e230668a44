package bundle

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/evanw/esbuild/pkg/api"
)

// Options configures a build.
//
// Route modules are the .js, .mjs, .ts and .mts files under Dir, at any
// depth, except type declarations (.d.ts, .d.mts), anything inside a
// node_modules folder, and any file or folder whose name starts with "_" or
// "." (the place for shared helpers such as _lib/). A symbolic link to a
// file counts; links to folders are not followed. Route modules may import
// any file, helpers and npm packages included.
type Options struct {
	// Dir is the scripts folder, relative to the working directory or
	// absolute. It is also the prefix of every display path, so give it as
	// the user wrote it. "" means the working directory.
	Dir string
	// External lists module names left as require("name") calls, for native
	// modules the runtime serves (e.g. "eventhost"). Nil bundles everything.
	External []string
	// SharedImports also builds every route module on its own, its imports
	// left to a module registry ([Module.Own]), and every file something
	// imports once ([Result.Deps]), so that an engine can evaluate a route
	// module's own code per call and its imports once per VM, as Node's
	// module cache does. The whole bundles ([Module.Program]) are built
	// either way.
	SharedImports bool
}

// Module is one route module: a file under Dir bundled as its own entry
// point and compiled.
type Module struct {
	// File is the display path, Dir as given (cleaned) joined with Rel, with
	// forward slashes, e.g. "scripts/api/hello.ts". Stack traces and messages
	// use it.
	File string
	// Rel is the path relative to Dir, with forward slashes, e.g. "api/hello.ts".
	Rel string
	// Name is the event prefix: Rel without its extension, "/" replaced by
	// ".", e.g. "api.hello".
	Name string
	// Program evaluates to a function(exports, require, module) that runs the
	// module body. It is immutable and may run in many runtimes at once.
	Program *goja.Program
	// Size is the length in bytes of the bundled JavaScript, without its
	// source map.
	Size int
	// Own is set with [Options.SharedImports]: the module's own code alone,
	// evaluating to a function(exports, require, module, importNS, name,
	// call, a, b) (the last four for bare programs, see OwnBare) where
	// require(id) returns an imported file's module.exports and importNS(id)
	// its namespace as ES imports see it (ids are [Dep.ID]s). Named imports
	// are read once per evaluation, not live. Nil without SharedImports, or
	// when the module's output has an import form this package does not
	// rewrite: then Program is the only way to run it.
	Own *goja.Program
	// OwnSize is the length in bytes of Own's JavaScript; 0 without Own.
	OwnSize int
	// OwnBare says that Own's code mentions neither its exports nor its
	// module argument and returns the module's exports object: a caller may
	// pass undefined for both and take the exports from the return value.
	// Given the name of an export as a fifth argument, it returns that
	// export alone (undefined if there is none), making no exports object.
	// Given as well a sixth argument other than undefined (a marker), it
	// calls that export with the seventh and eighth arguments and returns
	// the call's result, or the marker itself when there is no such export
	// or it is not a function.
	// Otherwise Own assigns module.exports.
	OwnBare bool
	// Hooks marks the connection hooks module, _connection.{js,mjs,ts,mts}
	// at the top of Dir: private (its exports are no routes), but built like
	// a route module. Its Name is "_connection".
	Hooks bool
}

// HooksModule is the name, without extension, of the optional module at the
// top of the scripts folder that exports the connection hooks.
const HooksModule = "_connection"

// Result is one complete build.
type Result struct {
	// Modules are the route modules sorted by Rel; empty when Dir has none.
	Modules []*Module
	// Inputs are the absolute paths of every source file that went into the
	// build, route modules, helpers and npm files alike, sorted.
	Inputs []string
	// Duration is the wall time Build took.
	Duration time.Duration
	// Reused counts the Modules a [Builder] took unchanged from its previous
	// build, Program included; always 0 from the package-level [Build].
	Reused int
	// Deps are, with [Options.SharedImports], the files that route modules
	// and their imports import, npm files included, each built on its own,
	// by [Dep.ID]. Nil without SharedImports.
	Deps map[string]*Dep
}

// wrapPrefix turns esbuild's CommonJS output into a function expression. It
// sits on the first line, so only line 1 of the source map moves
// (gojaSourceMap accounts for it).
const wrapPrefix = "(function(exports, require, module){"

// Build discovers the route modules under opts.Dir, bundles each with esbuild
// and compiles it for goja.
//
// When the scripts do not build it returns an [*Error] listing every problem
// with its position. A missing or unreadable Dir and a done ctx give a plain
// wrapped error. ctx is checked between steps; an esbuild run in progress is
// not interrupted.
func Build(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	display := filepath.Clean(opts.Dir)
	absDir, err := filepath.Abs(display)
	if err != nil {
		return nil, fmt.Errorf("bundle: %s: %w", opts.Dir, err)
	}
	mods, err := discover(absDir, display)
	if err != nil {
		return nil, err
	}
	res := &Result{Modules: mods}
	if len(mods) == 0 {
		res.Duration = time.Since(start)
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", opts.Dir, err)
	}

	msgs := nameClashes(mods)
	out := api.Build(esbuildOptions(absDir, mods, opts.External))
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", opts.Dir, err)
	}
	for _, e := range out.Errors {
		msgs = append(msgs, esbuildMessage(e, display))
	}
	if len(msgs) > 0 {
		return nil, newError(msgs)
	}

	msgs = compileAll(ctx, mods, outputs(absDir, out.OutputFiles))
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", opts.Dir, err)
	}
	if len(msgs) > 0 {
		return nil, newError(msgs)
	}
	if res.Inputs, err = metafileInputs(out.Metafile); err != nil {
		return nil, fmt.Errorf("bundle: build %s: %w", opts.Dir, err)
	}
	if opts.SharedImports {
		if res.Deps, _, err = shared(ctx, absDir, display, mods, mods, opts.External, out.Metafile, nil); err != nil {
			if be := (*Error)(nil); errors.As(err, &be) {
				return nil, be
			}
			return nil, fmt.Errorf("bundle: build %s: %w", opts.Dir, err)
		}
	}
	res.Duration = time.Since(start)
	return res, nil
}

// shared builds and compiles the own programs of fresh (of mods) and the
// dependencies of mods ([Options.SharedImports]).
func shared(ctx context.Context, absDir, display string, mods, fresh []*Module, external []string, metafile string, prev programCache) (map[string]*Dep, programCache, error) {
	sb, errs, err := buildShared(ctx, absDir, mods, external, importedFiles(metafile))
	if err != nil {
		return nil, nil, err
	}
	var msgs []Message
	for _, e := range errs {
		msgs = append(msgs, esbuildMessage(e, display))
	}
	if len(msgs) > 0 {
		return nil, nil, newError(msgs)
	}
	deps, cache, msgs := compileShared(ctx, absDir, display, fresh, sb, prev)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if len(msgs) > 0 {
		return nil, nil, newError(msgs)
	}
	return deps, cache, nil
}

// esbuildOptions are the esbuild options of a build of mods, the route
// modules under absDir; [Build] and [Builder] share them.
func esbuildOptions(absDir string, mods []*Module, external []string) api.BuildOptions {
	entries := make([]api.EntryPoint, len(mods))
	for i, m := range mods {
		// Output next to the input ("api/hello.ts" -> "api/hello.ts.js"):
		// unique per module, and the source map's relative sources resolve
		// against the display path.
		entries[i] = api.EntryPoint{InputPath: filepath.FromSlash(m.Rel), OutputPath: filepath.FromSlash(m.Rel)}
	}
	return api.BuildOptions{
		EntryPointsAdvanced: entries,
		Bundle:              true,
		Write:               false,
		AllowOverwrite:      true, // nothing is written; outputs sit beside inputs
		// ES module output: scope-hoisted, without CommonJS interop helpers.
		// Its one trailing export clause becomes a plain object assignment
		// in compile (see exportsAssignment), so evaluating a module costs
		// its own top-level code and nothing else.
		Format:   api.FormatESModule,
		Platform: api.PlatformNeutral,
		Target:   api.ESNext,
		// goja reads UTF-8 source; the default ASCII output would escape a
		// non-ASCII export name (café) into a form the export clause
		// rewrite (exportsAssignment) does not read.
		Charset: api.CharsetUTF8,
		// goja lacks these; esbuild lowers them. Without "decorators",
		// esbuild leaves @decorator syntax as is for ESNext.
		Supported: map[string]bool{
			"async-generator": false,
			"for-await":       false,
			"using":           false,
			"decorators":      false,
			// Modules are evaluated synchronously, inside a function.
			"top-level-await": false,
		},
		MainFields:     []string{"module", "main"},
		Conditions:     []string{"module"},
		Plugins:        []api.Plugin{nativeModules(external)},
		Sourcemap:      api.SourceMapLinked, // handed to goja by compile
		SourcesContent: api.SourcesContentExclude,
		LegalComments:  api.LegalCommentsNone,
		LogLevel:       api.LogLevelSilent,
		AbsWorkingDir:  absDir,
		Outdir:         absDir,
		Outbase:        absDir,
		Metafile:       true,
		AbsPaths:       api.MetafileAbsPath,
	}
}

// outputs indexes esbuild's output files by module: the bundle and its
// source map, nil when esbuild wrote none.
func outputs(absDir string, files []api.OutputFile) func(*Module) (code, srcMap []byte) {
	byPath := make(map[string][]byte, len(files))
	for _, f := range files {
		byPath[f.Path] = f.Contents
	}
	return func(m *Module) (code, srcMap []byte) {
		p := filepath.Join(absDir, filepath.FromSlash(m.Rel)) + ".js"
		return byPath[p], byPath[p+".map"]
	}
}

// discover walks absDir for route modules, sorted by Rel.
func discover(absDir, display string) ([]*Module, error) {
	info, err := os.Stat(absDir)
	if err != nil {
		return nil, fmt.Errorf("bundle: scripts folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("bundle: scripts folder %s: %w", display, ErrNotDir)
	}
	var mods []*Module
	err = filepath.WalkDir(absDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == absDir {
			return nil
		}
		name := d.Name()
		hooks := filepath.Dir(p) == absDir && isRoute(name) && strings.TrimSuffix(name, path.Ext(name)) == HooksModule
		skip := !hooks && (strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || name == "node_modules")
		if d.IsDir() {
			if skip {
				return filepath.SkipDir
			}
			return nil
		}
		if skip || !isRoute(name) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// WalkDir does not follow links. A link to a file is a route
			// module; a link to a folder is skipped (no cycles to guard).
			if info, err := os.Stat(p); err != nil || !info.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(absDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		mods = append(mods, &Module{
			File:  filepath.ToSlash(filepath.Join(display, rel)),
			Rel:   rel,
			Name:  strings.ReplaceAll(strings.TrimSuffix(rel, path.Ext(rel)), "/", "."),
			Hooks: hooks,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bundle: walk %s: %w", display, err)
	}
	slices.SortFunc(mods, func(a, b *Module) int { return strings.Compare(a.Rel, b.Rel) })
	return mods, nil
}

// isRoute reports whether a file name is a route module's.
func isRoute(name string) bool {
	if strings.HasSuffix(name, ".d.ts") || strings.HasSuffix(name, ".d.mts") {
		return false
	}
	switch path.Ext(name) {
	case ".js", ".mjs", ".ts", ".mts":
		return true
	}
	return false
}

// nameClashes reports modules whose Names collide ("a.js" and "a.ts", or
// "a.b.js" and "a/b.js"): their events would be ambiguous.
func nameClashes(mods []*Module) []Message {
	var msgs []Message
	first := make(map[string]*Module, len(mods))
	for _, m := range mods {
		if f, ok := first[m.Name]; ok {
			msgs = append(msgs, Message{File: m.File, Text: fmt.Sprintf("module name %q is already used by %s", m.Name, f.File)})
			continue
		}
		first[m.Name] = m
	}
	return msgs
}

// esbuildMessage converts an esbuild error. Its file is relative to the
// scripts folder (esbuild's working directory), so it is joined to the
// display folder.
func esbuildMessage(e api.Message, display string) Message {
	text := e.Text
	if strings.HasPrefix(text, "Top-level await is currently not supported") || strings.HasPrefix(text, "Top-level await is not available") {
		text = "top-level await is not supported: modules are evaluated synchronously; await inside an exported function instead"
	}
	if len(e.Notes) > 0 && strings.Contains(e.Notes[0].Text, "built into node") {
		text += " (Node.js built-in modules are not available)"
	}
	m := Message{Text: text}
	if loc := e.Location; loc != nil && loc.File != "" {
		m.File = displayPath(display, loc.File)
		m.Line = loc.Line
		m.Column = loc.Column + 1
	}
	return m
}

// displayPath joins a path relative to the scripts folder to its display form.
func displayPath(display, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(display, p)
	}
	return filepath.ToSlash(p)
}

// compileAll wraps and compiles every module's bundle, a few at a time,
// and returns the problems. It stops early when ctx is done.
func compileAll(ctx context.Context, mods []*Module, output func(*Module) (code, srcMap []byte)) []Message {
	errs := make([]*Message, len(mods))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(mods)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(mods) {
					return
				}
				m := mods[i]
				code, srcMap := output(m)
				if code == nil {
					errs[i] = &Message{File: m.File, Text: "esbuild produced no output"}
					continue
				}
				m.Size = len(code)
				m.Program, errs[i] = compile(m.File, code, srcMap)
			}
		})
	}
	wg.Wait()
	var msgs []Message
	for _, m := range errs {
		if m != nil {
			msgs = append(msgs, *m)
		}
	}
	return msgs
}

// compile wraps one esbuild CommonJS output as a function expression and
// compiles it with its source map, so positions name the original files.
// Syntax goja rejects is reported at its original position too.
func compile(name string, code, srcMap []byte) (*goja.Program, *Message) {
	return compileWrapped(name, code, srcMap, wrapPrefix, exportsAssignment)
}

// compileWrapped is compile with the wrapper's first line and the rewrite
// of esbuild's output into the wrapper's body given.
func compileWrapped(name string, code, srcMap []byte, prefix string, rewrite func(string) (string, error)) (*goja.Program, *Message) {
	js := string(code)
	if strings.HasPrefix(js, "#!") {
		js = "//" + js[2:] // a hashbang is only valid at the very start
	}
	srcMap = gojaSourceMap(srcMap, len(prefix))
	// The output ends with a sourceMappingURL comment; goja asks the loader.
	loader := parser.WithSourceMapLoader(func(string) ([]byte, error) { return srcMap, nil })
	js, err := rewrite(js)
	if err != nil {
		return nil, &Message{File: name, Text: err.Error()}
	}
	if prefix == ownPrefix {
		srcMap = mapHostCall(srcMap, prefix, js)
	}
	ast, err := parser.ParseFile(nil, name, prefix+js+"\n})", 0, loader)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			// The parse failed before goja read the map: map it here.
			return nil, originalPosition(name, srcMap, list[0].Position, list[0].Message)
		}
		return nil, &Message{File: name, Text: err.Error()}
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		var se *goja.CompilerSyntaxError
		if errors.As(err, &se) && se.File != nil {
			pos := se.File.Position(se.Offset) // mapped by goja
			return nil, &Message{File: pos.Filename, Line: pos.Line, Column: pos.Column, Text: se.Message}
		}
		return nil, &Message{File: name, Text: err.Error()}
	}
	return prg, nil
}

// metafileInputs lists the absolute input paths of an esbuild metafile built
// with api.MetafileAbsPath.
func metafileInputs(metafile string) ([]string, error) {
	var meta struct {
		Inputs map[string]struct{} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil, fmt.Errorf("read esbuild metafile: %w", err)
	}
	inputs := make([]string, 0, len(meta.Inputs))
	for p := range meta.Inputs {
		if filepath.IsAbs(p) { // skips virtual inputs such as "<runtime>"
			inputs = append(inputs, p)
		}
	}
	slices.Sort(inputs)
	return inputs, nil
}

// newError sorts msgs by file and position into an *Error.
func newError(msgs []Message) *Error {
	slices.SortStableFunc(msgs, func(a, b Message) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return &Error{Messages: msgs}
}
