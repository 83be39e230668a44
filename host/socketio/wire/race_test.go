//go:build race

package wire

// raceEnabled: the race detector's instrumentation changes what allocates.
const raceEnabled = true
