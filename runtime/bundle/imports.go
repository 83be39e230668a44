package bundle

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// OwnPrefix is the first line of an own program's wrapper ([Module.Own]):
// besides exports, require and module, it takes the function that returns
// an imported module's namespace, and (read by bare programs only) the name
// of the one export the caller wants, and to have that export called, a
// marker and the two arguments of the call ([Module.OwnBare]).
const ownPrefix = "(function(exports, require, module, __eh_import, __eh_export, __eh_call, __eh_a, __eh_b){"

// importStatement matches one import statement as esbuild prints external
// imports at the top of its ES module output: a default binding, a
// namespace or a braced list (maybe over several lines), and the
// specifier.
var importStatement = regexp.MustCompile(`^import (?:([\p{L}\p{N}_$]+)(?:, | ))?(?:\* as ([\p{L}\p{N}_$]+) |\{([^}]*)\} )?(?:from )?("(?:[^"\\\n]|\\.)*");`)

// exportStar matches esbuild's re-export of an external module's names.
var exportStar = regexp.MustCompile(`^export \* from ("(?:[^"\\\n]|\\.)*");`)

// importSpecifier is one "name" or "name as local" of a braced import list;
// the imported name may be a string literal.
var importSpecifier = regexp.MustCompile(`^([\p{L}\p{N}_$]+|"(?:[^"\\]|\\.)*")(?:\s+as\s+([\p{L}\p{N}_$]+))?$`)

// ownModule rewrites esbuild's ES module output of a route module whose
// imports are external into the body of an own program: each import
// statement at the top becomes a declaration that reads the imported
// module's namespace from __eh_import (once per evaluation, so named
// imports are the values the shared module holds when the route module is
// evaluated, not live bindings), each "export * from" copies the names it
// re-exports, and the export clause becomes module.exports as in
// [exportsAssignment]. Line breaks stay where they were, so source
// positions stay put. See [ownModuleBare] for the code of a module that
// uses neither module nor exports.
func ownModule(js string) (string, error) {
	out, _, err := ownModuleBare(js)
	return out, err
}

// moduleOrExports matches a mention of the identifiers module or exports,
// or of eval and arguments, which could reach them (or a look-alike in a
// string, comment or property name: a false match only costs the faster
// evaluation).
var moduleOrExports = regexp.MustCompile(`\b(module|exports|eval|arguments)\b`)

// ownModuleBare is [ownModule], and whether the code it returns is bare: it
// ends by returning its exports object instead of assigning it to
// module.exports (or, given an export's name, that export alone), and
// mentions neither module nor exports, so that the caller need not make
// either object ([Module.OwnBare]). A module is bare when its own code
// (after its imports) mentions neither name (nor eval or arguments), has no
// "export * from" and ends with esbuild's export clause.
func ownModuleBare(js string) (string, bool, error) {
	var b strings.Builder
	var stars []string
	pos := 0
	for pos < len(js) {
		rest := js[pos:]
		line, _, _ := strings.Cut(rest, "\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "//") {
			n := len(line) + 1
			if n > len(rest) {
				n = len(rest)
			}
			b.WriteString(rest[:n])
			pos += n
			continue
		}
		if m := importStatement.FindStringSubmatchIndex(rest); m != nil {
			decl, err := importDeclaration(rest, m)
			if err != nil {
				return "", false, err
			}
			b.WriteString(decl)
			pos += m[1]
			continue
		}
		if m := exportStar.FindStringSubmatchIndex(rest); m != nil {
			name := "__eh_star" + strconv.Itoa(len(stars))
			stars = append(stars, name)
			b.WriteString("var " + name + " = __eh_import(" + rest[m[2]:m[3]] + ");")
			pos += m[1]
			continue
		}
		if strings.HasPrefix(trimmed, "import ") || strings.HasPrefix(trimmed, "import{") || strings.HasPrefix(trimmed, "export * ") {
			return "", false, fmt.Errorf("bundle: unexpected import form %q in esbuild output", trimmed)
		}
		break
	}
	b.WriteString(js[pos:])
	if len(stars) == 0 && hasExportClause(js[pos:]) && !moduleOrExports.MatchString(js[pos:]) {
		out, err := exportsTo(b.String(), "if (__eh_export === void 0) return ", "__eh_export", "__eh_call", "__eh_a, __eh_b")
		return out, err == nil, err
	}
	out, err := exportsAssignment(b.String())
	if err != nil || len(stars) == 0 {
		return out, false, err
	}
	// Copy the re-exported names on a line of their own before the source
	// map comment, so that no mapped line moves.
	var copy strings.Builder
	for _, s := range stars {
		fmt.Fprintf(&copy, "for (const k in %s) if (k !== \"default\" && !Object.prototype.hasOwnProperty.call(module.exports, k)) module.exports[k] = %s[k];\n", s, s)
	}
	at := strings.LastIndex(out, "//# sourceMappingURL=")
	if at < 0 || !onlySourceMap(out[at:]) {
		at = len(out)
	}
	return out[:at] + "\n" + copy.String() + out[at:], false, nil
}

// importDeclaration is the declaration that replaces the import statement
// matched at m in s.
func importDeclaration(s string, m []int) (string, error) {
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	def, ns, list, spec := group(1), group(2), group(3), group(4)
	get := "__eh_import(" + spec + ")"
	switch {
	case ns != "":
		if def != "" {
			return "var " + ns + " = " + get + ", " + def + " = " + ns + ".default;", nil
		}
		return "var " + ns + " = " + get + ";", nil
	case m[6] >= 0: // a braced list, maybe empty
		var b strings.Builder
		b.WriteString("var {")
		if def != "" {
			b.WriteString(" default: " + def)
			if strings.TrimSpace(list) != "" {
				b.WriteByte(',')
			}
		}
		for i, part := range strings.Split(list, ",") {
			if i > 0 {
				b.WriteByte(',')
			}
			sp := strings.TrimSpace(part)
			if sp == "" {
				b.WriteString(part)
				continue
			}
			sm := importSpecifier.FindStringSubmatch(sp)
			if sm == nil {
				return "", fmt.Errorf("bundle: unexpected import specifier %q in esbuild output", sp)
			}
			name, local := sm[1], sm[2]
			at := strings.Index(part, sp)
			b.WriteString(part[:at])
			if local == "" {
				b.WriteString(name)
			} else {
				b.WriteString(name + ": " + local)
			}
			b.WriteString(part[at+len(sp):])
		}
		b.WriteString("} = " + get + ";")
		return b.String(), nil
	case def != "":
		return "var " + def + " = " + get + ".default;", nil
	default:
		return get + ";", nil
	}
}
