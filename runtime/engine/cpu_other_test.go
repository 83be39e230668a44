//go:build !unix

package engine

import "time"

// processCPU is -1: this platform's CPU time is not read here.
func processCPU() time.Duration { return -1 }
