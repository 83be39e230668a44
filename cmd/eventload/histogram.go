package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The latency histogram is HDR-like: values below 2*histSub nanoseconds have
// a bucket each; above, every power of two is split into histSub buckets, so
// a bucket's width is under 1/histSub (0.8 %) of its values. Values beyond
// histMax are counted as histMax (the exact maximum is kept apart).
const (
	histSubBits = 7
	histSub     = 1 << histSubBits
	histMaxBits = 44 // 2^44 ns is about 4.9 hours
	histMax     = 1<<histMaxBits - 1
	histBuckets = (histMaxBits - histSubBits + 1) * histSub
)

// histogram counts latencies. It is safe from any goroutine: the readers of
// every connection record into one histogram with atomic adds, so its memory
// does not grow with the number of connections or of requests.
type histogram struct {
	counts [histBuckets]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64
}

// bucketOf returns the bucket of v nanoseconds.
func bucketOf(v int64) int {
	if v < 2*histSub {
		return int(max(v, 0))
	}
	v = min(v, histMax)
	shift := bits.Len64(uint64(v)) - histSubBits - 1 // v>>shift is in [histSub, 2*histSub)
	return (shift+1)*histSub + int(v>>shift) - histSub
}

// bucketHigh returns the largest value of bucket i.
func bucketHigh(i int) int64 {
	if i < 2*histSub {
		return int64(i)
	}
	shift := i/histSub - 1
	top := int64(i%histSub + histSub)
	return (top+1)<<shift - 1
}

// record counts one latency.
func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// count returns how many latencies were recorded.
func (h *histogram) count() uint64 { return h.total.Load() }

// percentile returns the latency that p percent (0 < p <= 100) of the
// recorded ones do not exceed: the upper bound of its bucket, never more
// than the maximum. Zero when nothing was recorded. Call it once recording
// has stopped.
func (h *histogram) percentile(p float64) time.Duration {
	total := h.total.Load()
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(total)))
	rank = min(max(rank, 1), total)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

// maximum returns the largest latency recorded, exactly.
func (h *histogram) maximum() time.Duration { return time.Duration(h.max.Load()) }
