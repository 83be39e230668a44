package bundle

import (
	"strings"
	"testing"
)

// TestOwnModuleBare checks which own programs return their exports without
// module or exports objects, and that the others still assign
// module.exports.
func TestOwnModuleBare(t *testing.T) {
	tests := []struct {
		name, js string
		bare     bool
		want     string // in the rewritten code
	}{
		{"echo", "function echo(s, d) {\n  return d;\n}\nexport {\n  echo\n};\n", true, "return {\n  echo: echo\n}; switch (__eh_export) { case \"echo\": return __eh_call === void 0 ? echo : typeof echo === \"function\" ? echo(__eh_a, __eh_b) : __eh_call; } return __eh_call;"},
		{"import", "import _ from \"lodash\";\nfunction echo(s, d) {\n  return _.identity(d);\n}\nexport {\n  echo\n};\n//# sourceMappingURL=data:x\n", true, "var _ = __eh_import(\"lodash\").default;"},
		{"module mentioned", "function f() {\n  return module.id;\n}\nexport {\n  f\n};\n", false, "module.exports = {"},
		{"exports mentioned", "function f() {\n  return typeof exports;\n}\nexport {\n  f\n};\n", false, "module.exports = {"},
		{"eval", "function f(s) {\n  return eval(s);\n}\nexport {\n  f\n};\n", false, "module.exports = {"},
		{"star", "export * from \"./lib.js\";\nfunction f() {\n}\nexport {\n  f\n};\n", false, "module.exports[k]"},
		{"no clause", "console.log(1);\n", false, "console.log(1);"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, bare, err := ownModuleBare(tt.js)
			if err != nil {
				t.Fatal(err)
			}
			if bare != tt.bare || !strings.Contains(out, tt.want) {
				t.Errorf("bare %v, code:\n%s\nwant bare %v and %q in it", bare, out, tt.bare, tt.want)
			}
			if bare && strings.Contains(out, "module.exports") {
				t.Errorf("bare code assigns module.exports:\n%s", out)
			}
			if got := strings.Count(out, "\n"); got != strings.Count(tt.js, "\n") && !strings.Contains(tt.js, "export *") {
				t.Errorf("%d lines, want %d: positions moved", got, strings.Count(tt.js, "\n"))
			}
		})
	}
}
