// Package watch tells its caller when the files a build reads have changed.
//
// A [Watcher] watches the scripts folder recursively (folders created later
// included), a few extra single files such as the root package.json, and a
// replaceable set of extra folders watched non-recursively (the node_modules
// package folders the last build read). It filters out editor noise (see
// [Ignored]), debounces bursts of events, and hands each batch of changed
// paths to a callback. It does not build anything: the caller rebuilds.
//
// # Goroutines
//
// [New] starts the fsnotify watcher, which owns one goroutine reading the
// kernel's events, and one small goroutine of this package that drains the
// fsnotify error channel into a queue. (fsnotify sends some errors while
// holding the mutex that Add, Remove and Close also take; if nobody is
// reading errors at that moment, such a call blocks forever. The drain keeps
// Run's own Add and Remove calls, WatchDirs and Close from ever waiting on
// it.) Both stop in [Watcher.Close], which [Watcher.Run] calls when it
// returns; a Watcher that is never run must be closed by its owner.
//
// [Watcher.Run] does all the rest on the caller's goroutine: it receives
// events, adds and removes watches as folders come and go, debounces, and
// calls onChange. onChange runs on Run's goroutine, so events that arrive
// while it runs wait for the next batch.
//
// [Watcher.WatchDirs] and [Watcher.Close] are safe from any goroutine,
// including from inside onChange. Run may be called once.
//
// # Linux limits
//
// Each watched folder costs one inotify watch, counted against
// fs.inotify.max_user_watches. When the kernel's event queue
// (fs.inotify.max_queued_events) overflows, events are lost: the Watcher logs
// a warning, re-scans the scripts folder for folders it missed, and reports a
// batch containing the scripts folder itself so the caller rebuilds
// everything.
package watch
