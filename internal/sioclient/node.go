package sioclient

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot is the module's root folder, found from this source file's
// location (tests run with the package folder as working directory,
// wherever that package is).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("sioclient: cannot locate the source tree")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Node returns the path of node on PATH, checking that the npm packages
// named are installed under the module root's node_modules (npm ci). When
// one is missing the test is skipped with one line, or fails when the
// environment variable CI is "true".
func Node(tb testing.TB, packages ...string) string {
	tb.Helper()
	missing := func(what string) {
		tb.Helper()
		if os.Getenv("CI") == "true" {
			tb.Fatalf("sioclient: %s (CI=true: required)", what)
		}
		tb.Skipf("sioclient: %s; skipping", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	root := RepoRoot(tb)
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(root, "node_modules", p, "package.json")); err != nil {
			missing("npm package " + p + " is not installed (run npm ci)")
		}
	}
	return node
}
