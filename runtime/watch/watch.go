package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is the quiet period used when [Config.Debounce] is zero.
const DefaultDebounce = 30 * time.Millisecond

// maxWaitFactor caps how long a batch can be held back by a stream of
// events: it is reported at most maxWaitFactor×Debounce after its first one.
const maxWaitFactor = 10

// Config configures a Watcher. Zero values mean defaults.
type Config struct {
	// Dir is the scripts folder, watched recursively, including folders
	// created later. Required. The folders .git and node_modules under it
	// are not descended into; a node_modules folder appearing or vanishing
	// directly is still reported.
	Dir string

	// Files are extra single files to watch (e.g. the root package.json and
	// package-lock.json). A file that does not exist yet is fine: the
	// Watcher watches its parent folder (which must exist) and reports only
	// events whose path is exactly one of Files.
	Files []string

	// Debounce is the quiet period after the last event of a batch before
	// the batch is reported; a steady stream of events is reported at most
	// 10×Debounce after the batch's first event. DefaultDebounce when zero.
	Debounce time.Duration

	// Logger receives warnings (lost events, failed watches) and debug
	// records. slog.Default() when nil.
	Logger *slog.Logger
}

// withDefaults returns c with its zero fields filled in.
func (c Config) withDefaults() Config {
	if c.Debounce <= 0 {
		c.Debounce = DefaultDebounce
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Watcher reports batches of changed paths. Create with New, run with Run.
type Watcher struct {
	dir      string          // absolute, cleaned Config.Dir
	files    map[string]bool // absolute Config.Files
	debounce time.Duration
	log      *slog.Logger
	fsw      *fsnotify.Watcher

	// The error drain (see doc.go) appends to errs and signals errReady.
	errMu    sync.Mutex
	errs     []error
	errReady chan struct{} // capacity 1
	drained  chan struct{} // closed when the drain goroutine returns

	// mu guards the watch sets and the flags. It may be held across fsw
	// calls: those never wait on Run because the drain reads fsw.Errors.
	mu       sync.Mutex
	tree     map[string]bool // folders under dir watched as part of the tree
	fileDirs map[string]bool // parent folders of files
	extra    map[string]bool // folders set by WatchDirs
	running  bool
	closed   bool

	closeOnce sync.Once
	closeErr  error
}

// New sets up fsnotify and watches cfg.Dir recursively and the parents of
// cfg.Files. The Watcher must be run with [Watcher.Run] or closed with
// [Watcher.Close].
func New(cfg Config) (*Watcher, error) {
	cfg = cfg.withDefaults()
	if cfg.Dir == "" {
		return nil, ErrNoDir
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s", ErrNotDir, dir)
	}

	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &Watcher{
		dir:      dir,
		files:    make(map[string]bool),
		debounce: cfg.Debounce,
		log:      cfg.Logger,
		fsw:      fsw,
		errReady: make(chan struct{}, 1),
		drained:  make(chan struct{}),
		tree:     make(map[string]bool),
		fileDirs: make(map[string]bool),
		extra:    make(map[string]bool),
	}
	go w.drainErrors()

	if err := w.setUp(cfg.Files); err != nil {
		_ = w.Close()
		return nil, err
	}
	return w, nil
}

// setUp adds the initial watches.
func (w *Watcher) setUp(files []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		parent := filepath.Dir(abs)
		if err := w.fsw.Add(parent); err != nil {
			return fmt.Errorf("watch: watching %s for %s: %w", parent, filepath.Base(abs), err)
		}
		w.files[abs] = true
		w.fileDirs[parent] = true
	}
	// The folder's parent too: if the folder is removed or moved away and
	// comes back, its creation there is how it is seen.
	if parent := filepath.Dir(w.dir); parent != w.dir {
		if err := w.fsw.Add(parent); err != nil {
			return fmt.Errorf("watch: watching %s for %s: %w", parent, filepath.Base(w.dir), err)
		}
		w.fileDirs[parent] = true
	}
	return w.addTree(w.dir, nil)
}

// drainErrors moves fsnotify's errors into w.errs until fsnotify closes its
// error channel.
func (w *Watcher) drainErrors() {
	defer close(w.drained)
	for err := range w.fsw.Errors {
		w.errMu.Lock()
		if len(w.errs) < 16 { // any one error already means "rebuild all"
			w.errs = append(w.errs, err)
		}
		w.errMu.Unlock()
		select {
		case w.errReady <- struct{}{}:
		default:
		}
	}
}

func (w *Watcher) takeErrors() []error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	errs := w.errs
	w.errs = nil
	return errs
}

// Run reports each batch of changes to onChange (absolute paths, sorted,
// deduplicated) until ctx ends, then closes the watcher. onChange runs on
// Run's goroutine; events arriving meanwhile are batched for the next call.
// Run returns nil on ctx end or when [Watcher.Close] is called, [ErrClosed]
// if the Watcher was already closed, and [ErrRunning] if another Run is
// running.
func (w *Watcher) Run(ctx context.Context, onChange func(ctx context.Context, changed []string)) error {
	w.mu.Lock()
	switch {
	case w.closed:
		w.mu.Unlock()
		return ErrClosed
	case w.running:
		w.mu.Unlock()
		return ErrRunning
	}
	w.running = true
	w.mu.Unlock()
	defer func() { _ = w.Close() }()

	batch := newDebouncer(w.debounce)
	defer batch.stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil // closed by Close
			}
			w.handle(ev, batch.add)
		case <-w.errReady:
			w.handleErrors(batch.add)
		case <-batch.C():
			changed := batch.flush()
			w.log.Debug("watch: changed", "dir", w.dir, "paths", len(changed))
			onChange(ctx, changed)
		}
	}
}

// handle turns one fsnotify event into changed paths and keeps the tree's
// watches in step with folders created, removed and renamed.
func (w *Watcher) handle(ev fsnotify.Event, report func(string)) {
	name := ev.Name
	parent, base := filepath.Dir(name), filepath.Base(name)

	w.mu.Lock()
	defer w.mu.Unlock()
	inTree := w.tree[parent] && !Ignored(base) && base != ".git"
	relevant := inTree ||
		w.files[name] ||
		(w.extra[parent] && !Ignored(base)) ||
		w.tree[name] || w.extra[name] // a watched folder itself went away

	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.tree[name] {
			w.removeTree(name)
		}
	}
	if name == w.dir && ev.Has(fsnotify.Create) {
		// The folder itself is back: watch its tree again, and rebuild.
		if err := w.addTree(name, report); err != nil {
			w.log.Warn("watch: cannot watch the scripts folder again; its changes may be missed", "dir", name, "err", err)
		}
		relevant = true
	}
	if inTree && ev.Has(fsnotify.Create) && base != "node_modules" {
		if fi, err := os.Lstat(name); err == nil && fi.IsDir() {
			// Files may have been created in it before its watch was added:
			// report everything found while adding the watches.
			if err := w.addTree(name, report); err != nil {
				w.log.Warn("watch: cannot watch new folder; its changes may be missed", "dir", name, "err", err)
			}
		}
	}
	if relevant {
		report(name)
	}
}

// handleErrors logs fsnotify's errors and, unless they are all harmless,
// re-scans the tree and reports Dir itself for a full rebuild.
func (w *Watcher) handleErrors(report func(string)) {
	full := false
	for _, err := range w.takeErrors() {
		if errors.Is(err, syscall.EINVAL) {
			// fsnotify failed to drop the watch of a folder that was renamed
			// and then deleted before it read the rename. The kernel dropped
			// it already, and the rename itself arrives as an event.
			w.log.Debug("watch: stale watch of a moved folder", "err", err)
			continue
		}
		w.log.Warn("watch: events may have been lost; reporting a full rebuild", "dir", w.dir, "err", err)
		full = true
	}
	if !full {
		return
	}
	w.mu.Lock()
	old := w.tree
	w.tree = make(map[string]bool, len(old))
	if err := w.addTree(w.dir, nil); err != nil {
		w.log.Warn("watch: re-scanning the scripts folder failed", "dir", w.dir, "err", err)
	}
	for d := range old {
		if !w.tree[d] {
			w.unwatch(d)
		}
	}
	w.mu.Unlock()
	report(w.dir)
}

// addTree watches root and every folder below it, except under .git and
// node_modules folders and ignored names. It reports every entry below root
// to report, when not nil. A folder that vanishes meanwhile is skipped.
// w.mu must be held.
func (w *Watcher) addTree(root string, report func(string)) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != w.dir {
				return nil // gone before we got to it; its removal is an event
			}
			return fmt.Errorf("watch: %w", err)
		}
		if p != root {
			if Ignored(d.Name()) || d.Name() == ".git" {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if report != nil {
				report(p)
			}
			if d.IsDir() && d.Name() == "node_modules" {
				return filepath.SkipDir
			}
		}
		if !d.IsDir() {
			return nil
		}
		// Watch before WalkDir lists the folder: an entry created after the
		// listing then shows up as an event.
		if err := w.fsw.Add(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != w.dir {
				return filepath.SkipDir
			}
			return fmt.Errorf("watch: watching %s: %w", p, err)
		}
		w.tree[p] = true
		return nil
	})
}

// removeTree forgets root and every tree folder below it. w.mu must be held.
func (w *Watcher) removeTree(root string) {
	prefix := root + string(filepath.Separator)
	for d := range w.tree {
		if d == root || strings.HasPrefix(d, prefix) {
			delete(w.tree, d)
			w.unwatch(d)
		}
	}
}

// unwatch removes the fsnotify watch of d unless d is still needed for
// another reason. The kernel drops the watch of a deleted folder by itself,
// so failures here are expected and only logged at debug level. w.mu must
// be held.
func (w *Watcher) unwatch(d string) {
	if w.tree[d] || w.fileDirs[d] || w.extra[d] {
		return
	}
	if err := w.fsw.Remove(d); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
		w.log.Debug("watch: removing watch", "dir", d, "err", err)
	}
}

// WatchDirs replaces the set of extra directories watched non-recursively
// (the node_modules package folders the last build read from): changes to
// entries directly inside them are reported, as is a folder of the set
// itself being removed or renamed. Every folder of the set is (re-)added,
// so a folder that was deleted and re-created is watched again. WatchDirs
// applies what it can and returns the failures joined (a missing folder's
// error wraps fs.ErrNotExist). Safe from any goroutine, including from
// inside onChange.
func (w *Watcher) WatchDirs(dirs []string) error {
	next := make(map[string]bool, len(dirs))
	var errs []error
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			errs = append(errs, fmt.Errorf("watch: %w", err))
			continue
		}
		next[abs] = true
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	old := w.extra
	w.extra = next
	for d := range old {
		if !next[d] {
			w.unwatch(d)
		}
	}
	for d := range next {
		if err := w.fsw.Add(d); err != nil {
			errs = append(errs, fmt.Errorf("watch: watching %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}

// Close stops watching and releases the inotify instance. It is idempotent
// and safe from any goroutine; a running Run returns nil.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		w.closeErr = w.fsw.Close()
		if w.closeErr == nil {
			<-w.drained
		} else {
			w.closeErr = fmt.Errorf("watch: close: %w", w.closeErr)
		}
	})
	return w.closeErr
}
