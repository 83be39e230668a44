package watch

import (
	"slices"
	"time"
)

// debouncer collects paths into a batch and says when to report it: after
// quiet without a new path, or at most max after the batch's first path. It
// belongs to one goroutine.
type debouncer struct {
	quiet, max time.Duration
	timer      *time.Timer
	paths      map[string]struct{}
	first      time.Time // when the batch's first path arrived
}

func newDebouncer(quiet time.Duration) *debouncer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &debouncer{
		quiet: quiet,
		max:   maxWaitFactor * quiet,
		timer: t,
		paths: make(map[string]struct{}),
	}
}

// add puts path in the batch and pushes the report back to quiet from now,
// but never past max after the batch's first path.
func (d *debouncer) add(path string) {
	now := time.Now()
	if len(d.paths) == 0 {
		d.first = now
	}
	d.paths[path] = struct{}{}
	wait := d.quiet
	if left := d.first.Add(d.max).Sub(now); left < wait {
		wait = left
	}
	d.timer.Reset(wait)
}

// C delivers when the batch is due.
func (d *debouncer) C() <-chan time.Time { return d.timer.C }

// flush empties the batch and returns its paths, sorted.
func (d *debouncer) flush() []string {
	d.timer.Stop()
	out := make([]string, 0, len(d.paths))
	for p := range d.paths {
		out = append(out, p)
	}
	clear(d.paths)
	slices.Sort(out)
	return out
}

func (d *debouncer) stop() { d.timer.Stop() }
