package watch

import "errors"

var (
	// ErrNoDir is returned by [New] when [Config.Dir] is empty.
	ErrNoDir = errors.New("watch: Config.Dir is empty")

	// ErrNotDir is returned (wrapped) by [New] when [Config.Dir] is not a
	// directory.
	ErrNotDir = errors.New("watch: not a directory")

	// ErrClosed is returned by [Watcher.Run] and [Watcher.WatchDirs] after
	// [Watcher.Close] (Run closes the Watcher when it returns).
	ErrClosed = errors.New("watch: watcher closed")

	// ErrRunning is returned by [Watcher.Run] when another Run call is still
	// running.
	ErrRunning = errors.New("watch: already running")
)
