package bundle

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// exportClause matches the one export clause that esbuild prints at the end
// of an ES module bundle: "export {\n  a as default,\n  b\n};".
var exportClause = regexp.MustCompile(`(?m)^export \{([^}]*)\};[ \t]*$`)

// exportSpecifier is one "local" or "local as exported" of the clause; the
// exported name may be a string literal.
var exportSpecifier = regexp.MustCompile(`^([\p{L}\p{N}_$]+)(?:\s+as\s+([\p{L}\p{N}_$]+|"(?:[^"\\]|\\.)*"))?$`)

// exportsAssignment turns the export clause of esbuild's ES module output
// into "module.exports = {default: a, b: b};", keeping its line breaks so
// that source positions stay put. Code without a clause exports nothing.
//
// The exports object holds the values the bindings have when the module
// body has run (a snapshot, not live bindings): for the exported functions
// that are routes, the same thing.
func exportsAssignment(js string) (string, error) {
	return exportsTo(js, "module.exports = ", "", "", "")
}

// exportsTo is [exportsAssignment] with the object given to target, the
// code in front of the object literal ("module.exports = " or "return ").
// With a pick, the name of a variable, a switch follows on the clause's
// last line that returns the export pick names, if it has one. With a call
// as well (the name of a variable) and args (a parameter list), the switch
// returns that export while call is undefined, and otherwise calls it with
// args and returns its result, or returns call itself when the export is
// not a function (or pick names none): one call of the program then both evaluates the module
// and calls the export, and the caller tells a result from a missing
// function by the value it gave as call.
func exportsTo(js, target, pick, call, args string) (string, error) {
	// esbuild's clause ends its output, before the source map comment: a
	// look-alike earlier on is inside a string or template literal.
	locs := exportClause.FindAllStringSubmatchIndex(js, -1)
	if len(locs) == 0 || !onlySourceMap(js[locs[len(locs)-1][1]:]) {
		return commonJSExports(js), nil
	}
	loc := locs[len(locs)-1]
	var b strings.Builder
	b.WriteString(js[:loc[0]])
	b.WriteString(target + "{")
	var cases strings.Builder
	for i, part := range strings.Split(js[loc[2]:loc[3]], ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		spec := strings.TrimSpace(part)
		if spec == "" {
			b.WriteString(part)
			continue
		}
		m := exportSpecifier.FindStringSubmatch(spec)
		if m == nil {
			return "", fmt.Errorf("bundle: unexpected export specifier %q in esbuild output", spec)
		}
		local, exported := m[1], m[2]
		if exported == "" {
			exported = local
		}
		if pick != "" {
			name := exported
			if !strings.HasPrefix(name, `"`) {
				name = strconv.Quote(name)
			}
			cases.WriteString(" case " + name + ": return ")
			if call != "" {
				cases.WriteString(call + " === void 0 ? " + local + " : typeof " + local + " === \"function\" ? " + local + "(" + args + ") : " + call)
			} else {
				cases.WriteString(local)
			}
			cases.WriteString(";")
		}
		// Keep the specifier's own line break and indentation.
		b.WriteString(part[:strings.Index(part, spec)])
		b.WriteString(exported + ": " + local)
		b.WriteString(part[strings.Index(part, spec)+len(spec):])
	}
	b.WriteString("};")
	if pick != "" {
		b.WriteString(" switch (" + pick + ") {" + cases.String() + " }")
		if call != "" {
			b.WriteString(" return " + call + ";")
		}
	}
	b.WriteString(js[loc[1]:])
	return b.String(), nil
}

// nativeModules serves the named modules as "module.exports =
// require(name)", so that importing one calls the require function the
// module wrapper is given at run time.
func nativeModules(names []string) api.Plugin {
	return api.Plugin{Name: "eventhost-native-modules", Setup: func(build api.PluginBuild) {
		if len(names) == 0 {
			return
		}
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = regexp.QuoteMeta(n)
		}
		filter := "^(" + strings.Join(quoted, "|") + ")$"
		build.OnResolve(api.OnResolveOptions{Filter: filter}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			if args.Namespace == "native" {
				return api.OnResolveResult{Path: args.Path, External: true}, nil // the require inside the stub
			}
			return api.OnResolveResult{Path: args.Path, Namespace: "native"}, nil
		})
		build.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "native"}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			contents := fmt.Sprintf("module.exports = require(%q);", args.Path)
			return api.OnLoadResult{Contents: &contents, Loader: api.LoaderJS}, nil
		})
	}}
}

// commonJSDefault matches how esbuild's ES module output ends for a
// CommonJS module (module.exports = ..., exports.f = ...): the module's
// exports object as the default export.
var commonJSDefault = regexp.MustCompile(`(?m)^export default (require_[\p{L}\p{N}_$]+\(\));[ \t]*$`)

// commonJSExports turns the ending of a CommonJS module's output into an
// assignment of require_x() to module.exports, so that the module's
// exports are its CommonJS exports, as Node gives them to an importer.
// Other code is returned as it is.
func commonJSExports(js string) string {
	locs := commonJSDefault.FindAllStringSubmatchIndex(js, -1)
	if len(locs) == 0 || !onlySourceMap(js[locs[len(locs)-1][1]:]) {
		return js
	}
	loc := locs[len(locs)-1]
	// A function as module.exports is what Node gives an importer as the
	// default export, with its own properties as named ones.
	return js[:loc[0]] + "module.exports = (m => typeof m === \"function\" ? Object.assign({ default: m }, m) : m)(" +
		js[loc[2]:loc[3]] + ");" + js[loc[1]:]
}

// hasExportClause reports whether js ends with esbuild's export clause
// (before the source map comment), as [exportsTo] rewrites it.
func hasExportClause(js string) bool {
	locs := exportClause.FindAllStringIndex(js, -1)
	return len(locs) > 0 && onlySourceMap(js[locs[len(locs)-1][1]:])
}

// onlySourceMap reports whether s holds nothing but space and the source
// map comment: what esbuild writes after its export clause.
func onlySourceMap(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "//# sourceMappingURL=") {
			return false
		}
	}
	return true
}
