package metrics

import (
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// Every core that serves calls updates the same few series for each call.
// A single atomic counter per series would bounce its cache line between
// the cores on every update; these spread each series over shards, each
// on a cache line of its own, picked at random per update, and sum them
// at scrape time.

// nShards is how many shards a series has: a few per core of a small
// server.
const nShards = 16

// shardIndex picks a shard: the runtime's per-thread random source, which
// takes no lock.
func shardIndex() uint32 { return rand.Uint32() % nShards }

// counter is a sharded monotonic counter.
type counter struct {
	shards [nShards]struct {
		n atomic.Uint64
		_ [56]byte // the rest of the cache line
	}
}

func (c *counter) add(n uint64) { c.shards[shardIndex()].n.Add(n) }

func (c *counter) value() uint64 {
	var sum uint64
	for i := range c.shards {
		sum += c.shards[i].n.Load()
	}
	return sum
}

// pair is two sharded counters updated together (frames and their bytes),
// on one cache line per shard.
type pair struct {
	shards [nShards]struct {
		n, bytes atomic.Uint64
		_        [48]byte
	}
}

func (p *pair) add(bytes int) {
	s := &p.shards[shardIndex()]
	s.n.Add(1)
	s.bytes.Add(uint64(bytes))
}

func (p *pair) values() (n, bytes uint64) {
	for i := range p.shards {
		n += p.shards[i].n.Load()
		bytes += p.shards[i].bytes.Load()
	}
	return n, bytes
}

// histogram is a sharded histogram of durations with fixed bounds. Each
// shard counts observations per bucket (not cumulative; the last bucket is
// +Inf) and sums them in nanoseconds, with integer atomics only.
type histogram struct {
	bounds  []time.Duration // upper bounds, ascending
	seconds []float64       // the same, for the exposition
	shards  []histShard
}

type histShard struct {
	sum     atomic.Uint64   // nanoseconds
	buckets []atomic.Uint64 // len(bounds)+1
	_       [32]byte        // keeps the next shard's hot fields off this line
}

func newHistogram(seconds []float64) *histogram {
	h := &histogram{seconds: seconds, shards: make([]histShard, nShards)}
	for _, s := range seconds {
		h.bounds = append(h.bounds, time.Duration(s*float64(time.Second)))
	}
	for i := range h.shards {
		h.shards[i].buckets = make([]atomic.Uint64, len(seconds)+1)
	}
	return h
}

func (h *histogram) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := 0
	for i < len(h.bounds) && d > h.bounds[i] {
		i++
	}
	s := &h.shards[shardIndex()]
	s.buckets[i].Add(1)
	s.sum.Add(uint64(d))
}

// snapshot returns the count, the sum in seconds and the cumulative
// bucket counts by upper bound, as prometheus.MustNewConstHistogram takes
// them.
func (h *histogram) snapshot() (count uint64, sum float64, buckets map[float64]uint64) {
	per := make([]uint64, len(h.bounds)+1)
	var ns uint64
	for i := range h.shards {
		s := &h.shards[i]
		ns += s.sum.Load()
		for j := range s.buckets {
			per[j] += s.buckets[j].Load()
		}
	}
	buckets = make(map[float64]uint64, len(h.bounds))
	for j, b := range h.seconds {
		count += per[j]
		buckets[b] = count
	}
	count += per[len(h.bounds)]
	return count, float64(ns) / float64(time.Second), buckets
}
