package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// safety bounds how long a test waits for something that should happen; it
// fails rather than hangs. Tests never assert that things happen quickly.
const safety = 10 * time.Second

// recorder is a slog handler that writes to the test's output and keeps the
// warnings.
type recorder struct {
	slog.Handler
	mu    sync.Mutex
	warns []string
}

func (r *recorder) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelWarn {
		var b strings.Builder
		b.WriteString(rec.Message)
		rec.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
			return true
		})
		r.mu.Lock()
		r.warns = append(r.warns, b.String())
		r.mu.Unlock()
	}
	return r.Handler.Handle(ctx, rec)
}

func (r *recorder) warnings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.warns)
}

// harness runs a Watcher on a goroutine the test owns and collects its
// batches.
type harness struct {
	t       testing.TB
	w       *Watcher
	dir     string
	log     *recorder
	batches chan []string
}

// start creates a Watcher for cfg (Dir defaults to a fresh "scripts" folder
// in a temp dir) and runs it until the test ends. hook, when not nil, runs
// inside onChange before the batch is handed to the test.
func start(t testing.TB, cfg Config, hook func(ctx context.Context, changed []string)) *harness {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), "scripts")
		mkdir(t, cfg.Dir)
	}
	rec := &recorder{Handler: slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})}
	cfg.Logger = slog.New(rec)
	w, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, w: w, dir: w.dir, log: rec, batches: make(chan []string, 1000)}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(ctx context.Context, changed []string) {
			if hook != nil {
				hook(ctx, changed)
			}
			select {
			case h.batches <- changed:
			case <-ctx.Done():
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(safety):
			t.Errorf("Run did not return within %v of cancel", safety)
		}
	})
	return h
}

// path joins elem onto the watched folder.
func (h *harness) path(elem ...string) string {
	return filepath.Join(append([]string{h.dir}, elem...)...)
}

// next returns the next batch, checking its shape.
func (h *harness) next() []string {
	h.t.Helper()
	select {
	case b := <-h.batches:
		h.check(b)
		return b
	case <-time.After(safety):
		h.t.Fatalf("no batch within %v", safety)
		return nil
	}
}

// check fails unless b is a non-empty, sorted, deduplicated list of
// absolute paths.
func (h *harness) check(b []string) {
	h.t.Helper()
	if len(b) == 0 {
		h.t.Fatalf("empty batch")
	}
	if !slices.IsSorted(b) || len(slices.Compact(slices.Clone(b))) != len(b) {
		h.t.Fatalf("batch not sorted and deduplicated: %q", b)
	}
	for _, p := range b {
		if !filepath.IsAbs(p) {
			h.t.Fatalf("batch has relative path %q", p)
		}
	}
}

// waitFor reads batches until every path in want has been reported and
// returns every path reported meanwhile.
func (h *harness) waitFor(want ...string) map[string]bool {
	h.t.Helper()
	seen := make(map[string]bool)
	deadline := time.After(safety)
	for {
		missing := 0
		for _, p := range want {
			if !seen[p] {
				missing++
			}
		}
		if missing == 0 {
			return seen
		}
		select {
		case b := <-h.batches:
			h.check(b)
			for _, p := range b {
				seen[p] = true
			}
		case <-deadline:
			h.t.Fatalf("within %v, wanted %q reported; saw %q", safety, want, keys(seen))
		}
	}
}

// quiet fails if a batch arrives within d.
func (h *harness) quiet(d time.Duration) {
	h.t.Helper()
	select {
	case b := <-h.batches:
		h.t.Fatalf("unexpected batch %q", b)
	case <-time.After(d):
	}
}

// noIgnored fails if seen has a path whose name is Ignored.
func noIgnored(t testing.TB, seen map[string]bool) {
	t.Helper()
	for p := range seen {
		if Ignored(filepath.Base(p)) {
			t.Errorf("ignored name reported: %s (all: %q)", p, keys(seen))
		}
	}
}

// onlyPaths fails if seen has a path not in allowed.
func onlyPaths(t testing.TB, seen map[string]bool, allowed ...string) {
	t.Helper()
	for p := range seen {
		if !slices.Contains(allowed, p) {
			t.Errorf("unexpected path reported: %s (all: %q)", p, keys(seen))
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mkdir(t testing.TB, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t testing.TB, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rename(t testing.TB, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func remove(t testing.TB, p string) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
}

func TestWriteInPlace(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "scripts")
	mkdir(t, dir)
	x := filepath.Join(dir, "x.js")
	write(t, x, "export default 1\n")
	h := start(t, Config{Dir: dir}, nil)

	f, err := os.OpenFile(x, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("2"), 15); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	onlyPaths(t, h.waitFor(x), x)
}

func TestTruncateThenWrite(t *testing.T) {
	t.Parallel()
	h := start(t, Config{}, nil)
	x := h.path("x.js")
	write(t, x, "export default 1\n")
	h.waitFor(x)

	// Truncate and write in one go.
	f, err := os.OpenFile(x, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("export default 2\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	onlyPaths(t, h.waitFor(x), x)

	// Truncate, let the empty file be reported, then write: the write must
	// be reported again so that the caller does not keep the empty build.
	if err := os.Truncate(x, 0); err != nil {
		t.Fatal(err)
	}
	h.waitFor(x)
	f, err = os.OpenFile(x, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("export default 3\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	onlyPaths(t, h.waitFor(x), x)
}

func TestTempFileRenamedOverTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		save func(t testing.TB, x string)
	}{
		{"tmp suffix", func(t testing.TB, x string) {
			write(t, x+".tmp", "export default 2\n")
			rename(t, x+".tmp", x)
		}},
		{"jetbrains safe write", func(t testing.TB, x string) {
			write(t, x+"___jb_tmp___", "export default 2\n")
			rename(t, x, x+"___jb_old___")
			rename(t, x+"___jb_tmp___", x)
			remove(t, x+"___jb_old___")
		}},
		{"vim backupcopy=no", func(t testing.TB, x string) {
			probe := filepath.Join(filepath.Dir(x), "4913")
			write(t, probe, "")
			remove(t, probe)
			rename(t, x, x+"~")
			write(t, x, "export default 2\n")
			remove(t, x+"~")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Config{}, nil)
			x := h.path("x.js")
			write(t, x, "export default 1\n")
			h.waitFor(x)

			tc.save(t, x)
			seen := h.waitFor(x)
			noIgnored(t, seen)
			onlyPaths(t, seen, x, x+".tmp")
		})
	}
}

func TestNewNestedFolder(t *testing.T) {
	t.Parallel()
	h := start(t, Config{}, nil)
	c := h.path("a", "b", "c")
	mkdir(t, c)
	f := filepath.Join(c, "f.js")
	write(t, f, "export default 1\n")
	seen := h.waitFor(f)
	onlyPaths(t, seen, h.path("a"), h.path("a", "b"), c, f)

	// A new file in the new folder is only seen if its watch was added.
	g := filepath.Join(c, "g.js")
	write(t, g, "export default 2\n")
	onlyPaths(t, h.waitFor(g), g)
}

func TestDelete(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "scripts")
	d := filepath.Join(dir, "d")
	mkdir(t, filepath.Join(d, "e"))
	write(t, filepath.Join(dir, "x.js"), "1")
	write(t, filepath.Join(d, "e", "y.js"), "2")
	h := start(t, Config{Dir: dir}, nil)

	remove(t, h.path("x.js"))
	onlyPaths(t, h.waitFor(h.path("x.js")), h.path("x.js"))

	remove(t, d)
	seen := h.waitFor(d)
	onlyPaths(t, seen, d, filepath.Join(d, "e"), filepath.Join(d, "e", "y.js"))

	// The same folder made again is watched again.
	mkdir(t, filepath.Join(d, "e"))
	z := filepath.Join(d, "e", "z.js")
	write(t, z, "3")
	h.waitFor(z)
	w := filepath.Join(d, "e", "w.js")
	write(t, w, "4")
	h.waitFor(w)

	if warns := h.log.warnings(); len(warns) > 0 {
		t.Errorf("warnings logged: %q", warns)
	}
}

func TestRename(t *testing.T) {
	t.Parallel()
	h := start(t, Config{}, nil)
	x, y := h.path("x.js"), h.path("y.js")
	write(t, x, "1")
	h.waitFor(x)

	rename(t, x, y)
	onlyPaths(t, h.waitFor(x, y), x, y)

	// A renamed folder is watched under its new name only.
	a, b := h.path("a"), h.path("b")
	mkdir(t, filepath.Join(a, "sub"))
	write(t, filepath.Join(a, "sub", "f.js"), "1")
	h.waitFor(filepath.Join(a, "sub", "f.js"))
	rename(t, a, b)
	h.waitFor(a, b, filepath.Join(b, "sub", "f.js"))
	g := filepath.Join(b, "sub", "g.js")
	write(t, g, "2")
	seen := h.waitFor(g)
	for p := range seen {
		if strings.HasPrefix(p, a+string(filepath.Separator)) {
			t.Errorf("event reported under the old folder name: %s", p)
		}
	}
	if warns := h.log.warnings(); len(warns) > 0 {
		t.Errorf("warnings logged: %q", warns)
	}
}

func TestOnlyIgnored(t *testing.T) {
	t.Parallel()
	h := start(t, Config{}, nil)
	for _, name := range []string{".x.js.swp", "x.js~", "4913", ".#x.js", "#x.js#", ".DS_Store", "x.js___jb_tmp___"} {
		write(t, h.path(name), "noise")
	}
	remove(t, h.path("4913"))
	h.quiet(300 * time.Millisecond)

	x := h.path("x.js")
	write(t, x, "1")
	onlyPaths(t, h.waitFor(x), x)
}

func TestNodeModulesAndGitNotWatched(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "scripts")
	mkdir(t, filepath.Join(dir, "node_modules", "pkg"))
	mkdir(t, filepath.Join(dir, ".git", "refs"))
	h := start(t, Config{Dir: dir}, nil)

	write(t, h.path("node_modules", "pkg", "index.js"), "1")
	write(t, h.path(".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, h.path(".git", "refs", "x"), "1")
	mkdir(t, h.path("lib", "node_modules", "dep"))
	write(t, h.path("lib", "node_modules", "dep", "index.js"), "1")
	h.waitFor(h.path("lib", "node_modules"))
	write(t, h.path("lib", "node_modules", "dep", "later.js"), "1")
	x := h.path("x.js")
	write(t, x, "1")
	onlyPaths(t, h.waitFor(x), h.path("lib"), h.path("lib", "node_modules"), x)
}

func TestBurst(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Debounce: 200 * time.Millisecond}, nil)
	var want []string
	for i := range 20 {
		want = append(want, h.path(fmt.Sprintf("f%02d.js", i)))
	}
	for _, p := range want {
		write(t, p, "1")
	}
	seen := make(map[string]bool)
	batches := 0
	for len(seen) < len(want) {
		for _, p := range h.next() {
			seen[p] = true
		}
		batches++
	}
	onlyPaths(t, seen, want...)
	if batches > 3 {
		t.Errorf("20 writes within a few ms came in %d batches, want at most 3", batches)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "scripts")
	mkdir(t, dir)
	pkg := filepath.Join(root, "package.json")
	lock := filepath.Join(root, "package-lock.json") // does not exist yet
	write(t, pkg, "{}")
	h := start(t, Config{Dir: dir, Files: []string{pkg, lock}}, nil)

	write(t, filepath.Join(root, "other.json"), "{}")
	write(t, filepath.Join(root, "README.md"), "hi")
	write(t, pkg, `{"name":"x"}`)
	onlyPaths(t, h.waitFor(pkg), pkg)

	write(t, lock, "{}")
	onlyPaths(t, h.waitFor(lock), lock)

	// A file of Files saved by rename is still reported.
	write(t, pkg+".tmp", `{"name":"y"}`)
	rename(t, pkg+".tmp", pkg)
	onlyPaths(t, h.waitFor(pkg), pkg)
}

func TestWatchDirs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "scripts")
	mkdir(t, dir)
	nmA := filepath.Join(root, "node_modules", "a")
	nmB := filepath.Join(root, "node_modules", "b")
	mkdir(t, filepath.Join(nmA, "lib"))
	mkdir(t, nmB)
	h := start(t, Config{Dir: dir}, nil)

	if err := h.w.WatchDirs([]string{nmA}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(nmA, "lib", "deep.js"), "1") // not recursive
	write(t, filepath.Join(nmA, "index.js"), "1")
	onlyPaths(t, h.waitFor(filepath.Join(nmA, "index.js")), filepath.Join(nmA, "index.js"), filepath.Join(nmA, "lib"))

	if err := h.w.WatchDirs([]string{nmB}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(nmA, "after.js"), "1")
	write(t, filepath.Join(nmB, "index.js"), "1")
	onlyPaths(t, h.waitFor(filepath.Join(nmB, "index.js")), filepath.Join(nmB, "index.js"))

	// A watched package folder that is deleted is reported; after it is
	// re-created, setting the same list again watches it again.
	remove(t, nmB)
	h.waitFor(nmB)
	mkdir(t, nmB)
	if err := h.w.WatchDirs([]string{nmB}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(nmB, "again.js"), "1")
	h.waitFor(filepath.Join(nmB, "again.js"))

	// A missing folder is an error that wraps fs.ErrNotExist; the others
	// are still applied.
	err := h.w.WatchDirs([]string{filepath.Join(root, "node_modules", "missing"), nmA})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WatchDirs with a missing folder: %v, want fs.ErrNotExist", err)
	}
	write(t, filepath.Join(nmA, "applied.js"), "1")
	h.waitFor(filepath.Join(nmA, "applied.js"))
}

func TestWatchDirsFromOnChange(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "scripts")
	nm := filepath.Join(root, "node_modules", "a")
	mkdir(t, dir)
	mkdir(t, nm)
	errc := make(chan error, 100)
	var w *Watcher
	var wMu sync.Mutex
	h := start(t, Config{Dir: dir}, func(ctx context.Context, changed []string) {
		wMu.Lock()
		defer wMu.Unlock()
		errc <- w.WatchDirs([]string{nm}) // as the lead does after each build
	})
	wMu.Lock()
	w = h.w
	wMu.Unlock()

	x := filepath.Join(dir, "x.js")
	write(t, x, "1")
	h.waitFor(x)
	if err := <-errc; err != nil {
		t.Fatalf("WatchDirs inside onChange: %v", err)
	}
	p := filepath.Join(nm, "index.js")
	write(t, p, "1")
	h.waitFor(p)
}

func TestOverflowReportsDir(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := start(t, Config{}, func(ctx context.Context, changed []string) {
		once.Do(func() {
			close(entered)
			select {
			case <-release: // hold Run so that the kernel queue fills up
			case <-ctx.Done():
			}
		})
	})
	a, b := h.path("a.js"), h.path("b.js")
	write(t, a, "1")
	write(t, b, "1")
	fa, err := os.OpenFile(a, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.OpenFile(b, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	select {
	case <-entered:
	case <-time.After(safety):
		t.Fatal("first batch never reached onChange")
	}

	// Alternate files so that the kernel cannot merge the events: the queue
	// holds fs.inotify.max_queued_events (16384 by default).
	queue := 16384
	if data, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events"); err == nil {
		fmt.Sscan(string(data), &queue)
	}
	for i := range queue + 8192 {
		f := fa
		if i%2 == 1 {
			f = fb
		}
		if _, err := f.WriteAt([]byte{'x'}, 0); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	h.waitFor(h.dir)
	if warns := h.log.warnings(); len(warns) == 0 {
		t.Errorf("overflow logged no warning")
	}

	// Still watching afterwards.
	c := h.path("c.js")
	write(t, c, "1")
	h.waitFor(c)
}

func TestRunStopsAndClose(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := New(Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, func(context.Context, []string) {}) }()

	// A second Run is refused while the first runs. Wait until it runs.
	deadline := time.Now().Add(safety)
	for {
		w.mu.Lock()
		running := w.running
		w.mu.Unlock()
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not start")
		}
		time.Sleep(time.Millisecond)
	}
	if err := w.Run(ctx, nil); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run: %v, want ErrRunning", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v, want nil", err)
		}
	case <-time.After(safety):
		t.Fatal("Run did not return after cancel")
	}
	assertClosed(t, w)
	for range 2 {
		if err := w.Close(); err != nil {
			t.Errorf("Close after Run: %v", err)
		}
	}
	if err := w.Run(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v, want ErrClosed", err)
	}
	if err := w.WatchDirs([]string{dir}); !errors.Is(err, ErrClosed) {
		t.Errorf("WatchDirs after Close: %v, want ErrClosed", err)
	}
}

func TestCloseStopsRun(t *testing.T) {
	t.Parallel()
	w, err := New(Config{Dir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background(), func(context.Context, []string) {}) }()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, ErrClosed) { // ErrClosed if Close won the race to start
			t.Errorf("Run: %v", err)
		}
	case <-time.After(safety):
		t.Fatal("Run did not return after Close")
	}
}

func TestNewWithoutRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WatchDirs([]string{dir}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "x.js"), "1") // an event nobody reads
	for range 2 {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	assertClosed(t, w)
}

// assertClosed checks that fsnotify's reader and the error drain have ended.
func assertClosed(t testing.TB, w *Watcher) {
	t.Helper()
	select {
	case <-w.drained:
	case <-time.After(safety):
		t.Fatal("error drain still running")
	}
	for range w.fsw.Events { // closed when fsnotify's reader returns
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	file := filepath.Join(root, "file")
	write(t, file, "")
	for _, tc := range []struct {
		name string
		cfg  Config
		want error
	}{
		{"no dir", Config{}, ErrNoDir},
		{"missing dir", Config{Dir: filepath.Join(root, "missing")}, fs.ErrNotExist},
		{"dir is a file", Config{Dir: file}, ErrNotDir},
		{"file in missing folder", Config{Dir: root, Files: []string{filepath.Join(root, "missing", "package.json")}}, fs.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := New(tc.cfg)
			if !errors.Is(err, tc.want) {
				t.Errorf("New: %v, want %v", err, tc.want)
			}
			if w != nil {
				t.Errorf("New returned a Watcher with an error")
				w.Close()
			}
		})
	}
}

func TestTreeCreatedQuickly(t *testing.T) {
	t.Parallel()
	h := start(t, Config{}, nil)

	// Like cp -r or git checkout: folders and files made as fast as possible,
	// mostly before the Watcher gets to add watches to the new folders.
	var want []string
	p := h.path("gen")
	for depth := range 5 {
		p = filepath.Join(p, fmt.Sprintf("d%d", depth))
		mkdir(t, p)
		for i := range 4 {
			f := filepath.Join(p, fmt.Sprintf("f%d.js", i))
			write(t, f, "1")
			want = append(want, f)
		}
	}
	h.waitFor(want...)
	later := filepath.Join(p, "later.js")
	write(t, later, "1")
	h.waitFor(later)

	// A folder moved in from outside the tree is scanned and watched too.
	outside := filepath.Join(t.TempDir(), "pkg")
	mkdir(t, filepath.Join(outside, "sub"))
	write(t, filepath.Join(outside, "sub", "a.js"), "1")
	in := h.path("pkg")
	rename(t, outside, in)
	h.waitFor(in, filepath.Join(in, "sub", "a.js"))
	b := filepath.Join(in, "sub", "b.js")
	write(t, b, "1")
	h.waitFor(b)
}

func TestDirRemoved(t *testing.T) {
	t.Parallel()
	h := start(t, Config{}, nil)
	mkdir(t, h.path("a"))
	write(t, h.path("a", "x.js"), "1")
	h.waitFor(h.path("a", "x.js"))
	remove(t, h.dir)
	h.waitFor(h.dir)
	if warns := h.log.warnings(); len(warns) > 0 {
		t.Errorf("warnings logged: %q", warns)
	}
}

// TestFsnotifyErrorWhileHoldingLock covers an fsnotify hazard: when a
// watched folder is renamed and deleted before fsnotify reads the rename,
// fsnotify gets EINVAL removing the dead watch and sends it on its
// unbuffered Errors channel while holding the mutex that Add, Remove and
// Close take. Without the error drain, the WatchDirs and Close below block
// forever.
func TestFsnotifyErrorWhileHoldingLock(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "scripts")
	pkg := filepath.Join(root, "node_modules", "pkg")
	mkdir(t, dir)
	mkdir(t, pkg)
	w, err := New(Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WatchDirs([]string{pkg}); err != nil {
		t.Fatal(err)
	}

	// Hold fsnotify's reader on an event nobody receives yet, so that the
	// rename and the delete are both queued before it reads them. (An empty
	// file makes one event, IN_CREATE; content would add IN_MODIFY.)
	write(t, filepath.Join(dir, "x.js"), "")
	time.Sleep(100 * time.Millisecond)
	retired := filepath.Join(root, "node_modules", ".pkg-retired") // what npm does
	rename(t, pkg, retired)
	remove(t, retired)
	<-w.fsw.Events // stand in for Run: the reader goes on to the rename
	time.Sleep(100 * time.Millisecond)

	done := make(chan error, 1)
	go func() {
		err := w.WatchDirs(nil)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(safety):
		t.Fatal("WatchDirs or Close blocked on fsnotify's mutex")
	}
	if errs := w.takeErrors(); len(errs) == 0 {
		t.Log("fsnotify sent no error this time (the rename was read before the delete)")
	}
}

// TestFolderComesBack: the watched folder itself, moved away or deleted and
// then back, is watched again. Found in review: its watches were dropped
// for good, and the server never reloaded again.
func TestFolderComesBack(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "scripts")
	mkdir(t, dir)
	write(t, filepath.Join(dir, "x.js"), "1")
	h := start(t, Config{Dir: dir}, nil)

	rename(t, dir, dir+".bak")
	h.waitFor(dir)
	rename(t, dir+".bak", dir)
	h.waitFor(dir)
	y := filepath.Join(dir, "y.js")
	write(t, y, "2")
	h.waitFor(y)

	remove(t, dir)
	h.waitFor(dir)
	mkdir(t, filepath.Join(dir, "sub"))
	z := filepath.Join(dir, "sub", "z.js")
	write(t, z, "3")
	h.waitFor(z)
}
