package bundle

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-sourcemap/sourcemap"
)

// TestMapHostCall checks the mapping added for a bare own program's call
// of its export: the switch names HostCallSource, every position the
// esbuild map covered still maps where it did, and code without the switch
// keeps its map byte for byte.
func TestMapHostCall(t *testing.T) {
	js := "function echo(s, d) {\n  return d;\n}\nexport {\n  echo\n};\n//# sourceMappingURL=data:x\n"
	// esbuild-like: lines 1-3 map to a.js lines 1-3; the clause is unmapped.
	raw := []byte(`{"version":3,"sources":["a.js"],"sourcesContent":["x \"sources\": [1]"],"mappings":"AAAA,SAAS;AACT;AACA","names":[]}`)
	srcMap := gojaSourceMap(raw, len(ownPrefix))
	out, bare, err := ownModuleBare(js)
	if err != nil || !bare {
		t.Fatalf("bare %v, err %v", bare, err)
	}
	got := mapHostCall(srcMap, ownPrefix, out)
	if bytes.Equal(got, srcMap) {
		t.Fatal("no mapping added")
	}
	before, err := sourcemap.Parse("s/a.js", srcMap)
	if err != nil {
		t.Fatal(err)
	}
	after, err := sourcemap.Parse("s/a.js", got)
	if err != nil {
		t.Fatalf("%v in %s", err, got)
	}
	wrapped := ownPrefix + out
	lines := strings.Split(wrapped, "\n")
	for i, l := range lines {
		for c := 1; c <= len(l)+1; c++ {
			src, _, line, col, ok := after.Source(i+1, c)
			at := strings.Index(l, hostCallSwitch)
			if at >= 0 && c > at {
				if !ok || src != HostCallSource || line != 1 || col != 1 {
					t.Fatalf("%d:%d in the switch maps to %s:%d:%d (%v), want %s:1:1", i+1, c, src, line, col, ok, HostCallSource)
				}
				continue
			}
			if i < 3 { // mapped by esbuild: unchanged
				s0, _, l0, c0, ok0 := before.Source(i+1, c)
				if s0 != src || l0 != line || c0 != col || ok0 != ok {
					t.Fatalf("%d:%d maps to %s:%d:%d, was %s:%d:%d", i+1, c, src, line, col, s0, l0, c0)
				}
			}
		}
	}
	if !strings.Contains(string(got), `"sourcesContent":["x \"sources\": [1]"]`) {
		t.Errorf("sourcesContent changed: %s", got)
	}

	// Not bare: no switch, the map as it was.
	plain, err := ownModule("function f() {\n  return module.id;\n}\nexport {\n  f\n};\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := mapHostCall(srcMap, ownPrefix, plain); !bytes.Equal(got, srcMap) {
		t.Errorf("map changed for code without the call:\n%s", got)
	}
	// A look-alike that is not at the end (a string in user code): unchanged.
	if got := mapHostCall(srcMap, ownPrefix, "var s = \""+hostCallSwitch+"\";\nf();\n"); !bytes.Equal(got, srcMap) {
		t.Errorf("map changed for a look-alike:\n%s", got)
	}
}
