package cluster

import (
	"slices"
	"sync"
	"time"
)

// registry is what a node knows of the other nodes: when each last
// announced itself. A node is live until expiry passes without an
// announce, or until it says it leaves.
type registry struct {
	mu     sync.Mutex
	seen   map[string]time.Time
	expiry time.Duration
}

func newRegistry(expiry time.Duration) *registry {
	return &registry{seen: make(map[string]time.Time), expiry: expiry}
}

// saw records an announce of node id at now, and reports whether the node
// was not known before.
func (r *registry) saw(id string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	last, known := r.seen[id]
	r.seen[id] = now
	return !known || now.Sub(last) > r.expiry
}

// left drops node id at once, and reports whether it was known.
func (r *registry) left(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.seen[id]
	delete(r.seen, id)
	return ok
}

// live returns the ids of the nodes heard from within expiry of now,
// sorted, and forgets the others.
func (r *registry) live(now time.Time) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.seen))
	for id, t := range r.seen {
		if now.Sub(t) > r.expiry {
			delete(r.seen, id)
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// expire forgets the nodes silent for longer than expiry and returns their
// ids.
func (r *registry) expire(now time.Time) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var gone []string
	for id, t := range r.seen {
		if now.Sub(t) > r.expiry {
			delete(r.seen, id)
			gone = append(gone, id)
		}
	}
	return gone
}
