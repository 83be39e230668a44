package watch

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// due reports whether the debouncer says its batch is due, once every
// goroutine in the bubble is blocked.
func due(d *debouncer) bool {
	synctest.Wait()
	select {
	case <-d.C():
		return true
	default:
		return false
	}
}

func TestDebounceQuietPeriod(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		d := newDebouncer(30 * time.Millisecond)
		defer d.stop()
		if due(d) {
			t.Fatal("empty debouncer is due")
		}
		d.add("/b")
		time.Sleep(20 * time.Millisecond)
		d.add("/a")
		time.Sleep(20 * time.Millisecond)
		d.add("/b")
		time.Sleep(29 * time.Millisecond)
		if due(d) {
			t.Fatal("due 29ms after the last event")
		}
		time.Sleep(time.Millisecond)
		if !due(d) {
			t.Fatal("not due 30ms after the last event")
		}
		if got, want := d.flush(), []string{"/a", "/b"}; !slices.Equal(got, want) {
			t.Fatalf("flush = %q, want %q", got, want)
		}

		// The next batch starts afresh.
		time.Sleep(time.Second)
		if due(d) {
			t.Fatal("due with an empty batch")
		}
		d.add("/c")
		time.Sleep(30 * time.Millisecond)
		if !due(d) {
			t.Fatal("second batch not due")
		}
		if got := d.flush(); !slices.Equal(got, []string{"/c"}) {
			t.Fatalf("second flush = %q", got)
		}
	})
}

func TestDebounceCap(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		d := newDebouncer(30 * time.Millisecond)
		defer d.stop()
		start := time.Now()
		for {
			d.add("/x")
			time.Sleep(10 * time.Millisecond) // never quiet for 30ms
			if due(d) {
				break
			}
			if time.Since(start) > time.Second {
				t.Fatal("a steady stream of events starved the batch")
			}
		}
		if got, want := time.Since(start), 300*time.Millisecond; got != want {
			t.Errorf("batch due after %v, want %v (10×Debounce)", got, want)
		}
	})
}
