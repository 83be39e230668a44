package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// How shared imports are built ([Options.SharedImports]).
//
// After the whole bundles build, two more esbuild runs build the same graph
// with every import between files left as require(id), id being the
// imported file's absolute path: one run prints each route module alone as
// an ES module (its own program, [Module.Own]); the other prints every file
// that something imports, npm files included, alone as CommonJS ([Dep]).
// The files to print start as those the whole build's metafile lists as
// imported; a run that resolves one more adds it and runs again. Dynamic
// import() stays inlined, as in the whole bundle.

// Dep is one imported file built on its own for the module registry of
// shared imports: its Program evaluates, once per VM and generation, to a
// function(exports, require, module), the same shape as a whole bundle.
type Dep struct {
	// ID is what importers pass to require: the file's absolute path.
	ID string
	// File is the display path ("scripts/_lib/greet.js"); stacks name it.
	File string
	// Program runs the file's body; immutable, shared by every VM.
	Program *goja.Program
	// Size is the length in bytes of the file's JavaScript as built.
	Size int
}

// depsDir is where, under the scripts folder, esbuild is told it writes the
// dependencies (nothing is written).
const depsDir = "__eventhost_deps"

// sharedResolver leaves every import between files to require(id) and
// records the files it resolved; native modules stay require(name). Entry
// points and dynamic imports are left to esbuild.
type sharedResolver struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (s *sharedResolver) plugin(native []string) api.Plugin {
	return api.Plugin{Name: "eventhost-shared-imports", Setup: func(build api.PluginBuild) {
		build.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			if slices.Contains(native, args.Path) {
				return api.OnResolveResult{Path: args.Path, External: true}, nil
			}
			if args.PluginData == s || args.Namespace != "file" {
				return api.OnResolveResult{}, nil
			}
			switch args.Kind {
			case api.ResolveJSImportStatement, api.ResolveJSRequireCall:
			default:
				return api.OnResolveResult{}, nil
			}
			r := build.Resolve(args.Path, api.ResolveOptions{Importer: args.Importer, Namespace: args.Namespace,
				ResolveDir: args.ResolveDir, Kind: args.Kind, PluginData: s})
			if len(r.Errors) > 0 || r.External || !filepath.IsAbs(r.Path) {
				return api.OnResolveResult{Errors: r.Errors}, nil
			}
			s.mu.Lock()
			s.seen[r.Path] = true
			s.mu.Unlock()
			return api.OnResolveResult{Path: r.Path, External: true}, nil
		})
	}}
}

// sharedBuild is the raw output of the two extra runs.
type sharedBuild struct {
	own  map[string][2][]byte // by Rel: code and source map
	deps []string             // absolute paths, sorted
	dep  map[string][2][]byte // by path
}

// buildShared runs esbuild for the own programs and the dependencies of
// mods; seed lists files already known to be imported.
func buildShared(ctx context.Context, absDir string, mods []*Module, external, seed []string) (*sharedBuild, []api.Message, error) {
	res := &sharedBuild{own: map[string][2][]byte{}, dep: map[string][2][]byte{}}
	s := &sharedResolver{seen: map[string]bool{}}
	base := esbuildOptions(absDir, mods, external)
	base.Metafile = false
	base.Plugins = []api.Plugin{s.plugin(external)}
	out := api.Build(base)
	if len(out.Errors) > 0 {
		return nil, out.Errors, nil
	}
	for _, f := range out.OutputFiles {
		rel, err := filepath.Rel(absDir, f.Path)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".js.map") {
			v := res.own[strings.TrimSuffix(rel, ".js.map")]
			v[1] = f.Contents
			res.own[strings.TrimSuffix(rel, ".js.map")] = v
		} else if strings.HasSuffix(rel, ".js") {
			v := res.own[strings.TrimSuffix(rel, ".js")]
			v[0] = f.Contents
			res.own[strings.TrimSuffix(rel, ".js")] = v
		}
	}
	for _, p := range seed {
		s.seen[p] = true
	}
	for round := 0; ; round++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		s.mu.Lock()
		deps := make([]string, 0, len(s.seen))
		for p := range s.seen {
			deps = append(deps, p)
		}
		s.mu.Unlock()
		slices.Sort(deps)
		if slices.Equal(deps, res.deps) || len(deps) == 0 {
			break
		}
		if round == 50 {
			return nil, nil, fmt.Errorf("bundle: the imports of %s did not settle", absDir)
		}
		res.deps = deps
		opts := base
		opts.Format = api.FormatCommonJS
		opts.EntryPoints = nil
		opts.EntryPointsAdvanced = make([]api.EntryPoint, len(deps))
		for i, p := range deps {
			opts.EntryPointsAdvanced[i] = api.EntryPoint{InputPath: p, OutputPath: depsDir + "/" + strconv.Itoa(i)}
		}
		out := api.Build(opts)
		if len(out.Errors) > 0 {
			return nil, out.Errors, nil
		}
		clear(res.dep)
		for _, f := range out.OutputFiles {
			name := strings.TrimPrefix(filepath.ToSlash(f.Path), filepath.ToSlash(filepath.Join(absDir, depsDir))+"/")
			idx, isMap := strings.CutSuffix(name, ".js.map")
			if !isMap {
				idx = strings.TrimSuffix(name, ".js")
			}
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= len(deps) {
				continue
			}
			v := res.dep[deps[i]]
			if isMap {
				v[1] = relocateSources(f.Contents, filepath.Dir(f.Path), filepath.Dir(deps[i]))
			} else {
				v[0] = f.Contents
			}
			res.dep[deps[i]] = v
		}
	}
	return res, nil, nil
}

// importedFiles lists the files that the inputs of an esbuild metafile
// import statically (import statements and require calls).
func importedFiles(metafile string) []string {
	var meta struct {
		Inputs map[string]struct {
			Imports []struct {
				Path     string `json:"path"`
				Kind     string `json:"kind"`
				External bool   `json:"external"`
			} `json:"imports"`
		} `json:"inputs"`
	}
	if json.Unmarshal([]byte(metafile), &meta) != nil {
		return nil
	}
	var files []string
	for _, in := range meta.Inputs {
		for _, imp := range in.Imports {
			if !imp.External && filepath.IsAbs(imp.Path) && (imp.Kind == "import-statement" || imp.Kind == "require-call") {
				files = append(files, imp.Path)
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// relocateSources rewrites a source map's sources, relative to from, to be
// relative to to: the folder of the file the program is named after.
func relocateSources(data []byte, from, to string) []byte {
	key := []byte(`"sources"`)
	i := bytes.Index(data, key)
	if i < 0 {
		return data
	}
	j := i + len(key)
	for j < len(data) && (data[j] == ' ' || data[j] == ':' || data[j] == '\n' || data[j] == '\t' || data[j] == '\r') {
		j++
	}
	dec := json.NewDecoder(bytes.NewReader(data[j:]))
	var sources []string
	if dec.Decode(&sources) != nil {
		return data
	}
	end := j + int(dec.InputOffset())
	for k, s := range sources {
		if filepath.IsAbs(s) || strings.Contains(s, ":") {
			continue
		}
		if rel, err := filepath.Rel(to, filepath.Join(from, filepath.FromSlash(s))); err == nil {
			sources[k] = filepath.ToSlash(rel)
		}
	}
	enc, err := json.Marshal(sources)
	if err != nil {
		return data
	}
	out := make([]byte, 0, len(data)+len(enc))
	out = append(out, data[:j]...)
	out = append(out, enc...)
	return append(out, data[end:]...)
}

// programCache keeps compiled programs by the digest of their wrapper and
// esbuild output, so that a rebuild compiles only what changed.
type programCache map[[sha256.Size]byte]*goja.Program

// compileShared compiles the own programs and dependencies of sb, taking
// unchanged ones from prev, and returns the cache of this build. Own
// programs are set on the modules in fresh (the others keep theirs); a route
// module whose output has an import form ownModule does not know keeps a nil
// Own, and is evaluated whole.
func compileShared(ctx context.Context, absDir, display string, fresh []*Module, sb *sharedBuild, prev programCache) (map[string]*Dep, programCache, []Message) {
	next := programCache{}
	var msgs []Message
	get := func(name string, code, srcMap []byte, prefix string, rewrite func(string) (string, error)) (*goja.Program, *Message) {
		sum := digest(append([]byte(prefix), code...), srcMap)
		if p, ok := prev[sum]; ok {
			next[sum] = p
			return p, nil
		}
		p, msg := compileWrapped(name, code, srcMap, prefix, rewrite)
		if p != nil {
			next[sum] = p
		}
		return p, msg
	}
	for _, m := range fresh {
		if ctx.Err() != nil {
			return nil, nil, nil
		}
		out, ok := sb.own[m.Rel]
		if !ok || out[0] == nil {
			continue
		}
		_, bare, err := ownModuleBare(string(out[0]))
		if err != nil {
			continue // evaluated whole
		}
		p, msg := get(m.File, out[0], out[1], ownPrefix, ownModule)
		if msg != nil {
			msgs = append(msgs, *msg)
			continue
		}
		m.Own, m.OwnSize, m.OwnBare = p, len(out[0]), bare
	}
	deps := make(map[string]*Dep, len(sb.deps))
	for _, p := range sb.deps {
		if ctx.Err() != nil {
			return nil, nil, nil
		}
		out := sb.dep[p]
		if out[0] == nil {
			continue // required by nothing that runs; require reports it
		}
		rel, err := filepath.Rel(absDir, p)
		if err != nil {
			rel = p
		}
		d := &Dep{ID: p, File: displayPath(display, rel), Size: len(out[0])}
		prg, msg := get(d.File, out[0], out[1], wrapPrefix, exportsAssignment)
		if msg != nil {
			msgs = append(msgs, *msg)
			continue
		}
		d.Program = prg
		deps[p] = d
	}
	return deps, next, msgs
}
