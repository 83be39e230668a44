package webapi

import (
	"testing"

	"github.com/dop251/goja"
)

// newRuntime returns a goja runtime with Install run on it.
func newRuntime(tb testing.TB) *goja.Runtime {
	tb.Helper()
	rt := goja.New()
	if err := Install(rt); err != nil {
		tb.Fatalf("Install: %v", err)
	}
	return rt
}

// jsCase is one script and the value (exported) it must end with.
type jsCase struct {
	name string
	src  string
	want any
}

// runCases runs each case in its own runtime, comparing String() of the
// result with want's fmt form when want is a string, else Export().
func runCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := newRuntime(t)
			v, err := rt.RunString(tc.src)
			if err != nil {
				t.Fatalf("run:\n%s\nerror: %v", tc.src, err)
			}
			got := v.Export()
			if s, ok := tc.want.(string); ok {
				if v.String() != s {
					t.Fatalf("got %q, want %q\nsrc: %s", v.String(), s, tc.src)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("got %#v, want %#v\nsrc: %s", got, tc.want, tc.src)
			}
		})
	}
}

// errorsAs is errors.As for a goja exception.
func errorsAs(err error, target **goja.Exception) bool {
	ex, ok := err.(*goja.Exception)
	if ok {
		*target = ex
	}
	return ok
}
