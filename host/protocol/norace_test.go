//go:build !race

package protocol

// raceEnabled: the race detector's instrumentation changes what allocates.
const raceEnabled = false
