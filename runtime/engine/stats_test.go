package engine

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestStatsCounters: Busy counts the VM running a call's synchronous part,
// the reload counters count each result, and QueueWait hears of every call.
func TestStatsCounters(t *testing.T) {
	var waits atomic.Int64
	e := newEngine(t, map[string]string{
		"m.js": `export function spin(s, ms) { const end = Date.now() + ms; while (Date.now() < end) {} return 1; }
export function quick() { return 2; }`,
	}, Config{PoolSize: 1, QueueWait: func(d time.Duration) {
		if d < 0 {
			panic("negative wait")
		}
		waits.Add(1)
	}})
	o := start(e, context.Background(), newSocket("s"), "m.spin", "300")
	deadline := time.Now().Add(10 * time.Second)
	for e.Stats().Busy != 1 {
		if time.Now().After(deadline) {
			t.Fatal("Busy never reached 1")
		}
		time.Sleep(time.Millisecond)
	}
	<-o.finished
	if o := runCall(t, e, context.Background(), newSocket("s"), "m.quick", ""); o.err != nil {
		t.Fatal(o.err)
	}
	if got := waits.Load(); got != 2 {
		t.Errorf("QueueWait heard of %d calls, want 2", got)
	}
	// The worker answers a call inside its busy window: Busy drops to 0
	// just after the answer, not before it.
	deadline = time.Now().Add(10 * time.Second)
	for e.Stats().Busy != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("Busy = %d after the calls, want 0", e.Stats().Busy)
		}
		time.Sleep(time.Millisecond)
	}

	file := filepath.Join(e.cfg.Dir, "m.js")
	if _, err := e.Reload(context.Background()); err != nil { // unchanged
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(`export function quick() { return 3; }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(`export function quick( {`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reload(context.Background()); err == nil {
		t.Fatal("a syntax error built")
	}
	s := e.Stats()
	if s.ReloadsOK != 1 || s.ReloadsUnchanged != 1 || s.ReloadsFailed != 1 {
		t.Errorf("reloads ok/unchanged/failed = %d/%d/%d, want 1/1/1", s.ReloadsOK, s.ReloadsUnchanged, s.ReloadsFailed)
	}
}
