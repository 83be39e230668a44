package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// TestBeforeBuild: the hook runs before every build; its error fails New,
// and on Reload keeps the current generation serving as LastFailure until
// a build succeeds.
func TestBeforeBuild(t *testing.T) {
	failing := errors.New("migrations: 002_bad.sql: syntax error")
	var calls atomic.Int32
	var fail atomic.Bool
	hook := func(context.Context) error {
		calls.Add(1)
		if fail.Load() {
			return failing
		}
		return nil
	}
	e := newEngine(t, map[string]string{"m.js": "export function v() { return 1 }\n"}, Config{PoolSize: 1, BeforeBuild: hook})
	if calls.Load() != 1 {
		t.Fatalf("New ran the hook %d times, want 1", calls.Load())
	}
	fail.Store(true)
	if err := os.WriteFile(filepath.Join(e.cfg.Dir, "m.js"), []byte("export function v() { return 2 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reload(context.Background()); !errors.Is(err, failing) {
		t.Fatalf("Reload = %v, want the hook's error", err)
	}
	if f := e.LastFailure(); f == nil || !errors.Is(f.Err, failing) {
		t.Fatalf("LastFailure = %v, want the hook's error", f)
	}
	if o := runCall(t, e, context.Background(), newSocket("s"), "m.v", ""); o.err != nil || string(o.res.Data) != "1" {
		t.Fatalf("after a failed hook: %s %v, want the old generation's 1", o.res.Data, o.err)
	}
	fail.Store(false)
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f := e.LastFailure(); f != nil {
		t.Fatalf("LastFailure after a good build = %v", f.Err)
	}
	if o := runCall(t, e, context.Background(), newSocket("s"), "m.v", ""); o.err != nil || string(o.res.Data) != "2" {
		t.Fatalf("after a good reload: %s %v, want 2", o.res.Data, o.err)
	}

	dir := writeScripts(t, map[string]string{"m.js": "export function v() {}\n"})
	if _, err := New(context.Background(), Config{Dir: dir, BeforeBuild: func(context.Context) error { return failing }}); !errors.Is(err, failing) {
		t.Fatalf("New with a failing hook = %v", err)
	}
}
