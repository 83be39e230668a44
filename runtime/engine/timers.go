package engine

import (
	"container/heap"
	"time"

	"github.com/dop251/goja"
)

// timer is one pending setTimeout or setInterval callback.
type timer struct {
	id       int64
	when     time.Time
	interval time.Duration // zero for setTimeout
	fn       goja.Callable
	args     []goja.Value
	owner    *call       // the call that set it; nil for module top-level code
	gen      *generation // the generation it was set under
	index    int         // in the heap
}

// timerQueue is a VM's pending timers: a min-heap on when, and an index by id
// for clearTimeout. It belongs to the VM's goroutine.
type timerQueue struct {
	items  []*timer
	byID   map[int64]*timer
	lastID int64
}

func (q *timerQueue) Len() int           { return len(q.items) }
func (q *timerQueue) Less(i, j int) bool { return q.items[i].when.Before(q.items[j].when) }
func (q *timerQueue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].index, q.items[j].index = i, j
}
func (q *timerQueue) Push(x any) {
	t := x.(*timer)
	t.index = len(q.items)
	q.items = append(q.items, t)
}
func (q *timerQueue) Pop() any {
	last := len(q.items) - 1
	t := q.items[last]
	q.items[last] = nil
	q.items = q.items[:last]
	t.index = -1
	return t
}

func (q *timerQueue) add(d time.Duration, repeat bool, fn goja.Callable, args []goja.Value, owner *call, gen *generation) *timer {
	q.lastID++
	t := &timer{id: q.lastID, when: time.Now().Add(d), fn: fn, args: args, owner: owner, gen: gen}
	if repeat {
		t.interval = d
	}
	heap.Push(q, t)
	q.byID[t.id] = t
	return t
}

func (q *timerQueue) remove(id int64) {
	if t, ok := q.byID[id]; ok {
		delete(q.byID, id)
		if t.index >= 0 {
			heap.Remove(q, t.index)
		}
	}
}

// next returns how long until the earliest timer is due.
func (q *timerQueue) next() (time.Duration, bool) {
	if len(q.items) == 0 {
		return 0, false
	}
	return time.Until(q.items[0].when), true
}

// popDue removes and returns the earliest timer if it is due. An interval is
// put back for its next run.
func (q *timerQueue) popDue(now time.Time) *timer {
	if len(q.items) == 0 || q.items[0].when.After(now) {
		return nil
	}
	t := q.items[0]
	if t.interval > 0 {
		t.when = now.Add(t.interval)
		heap.Fix(q, 0)
	} else {
		heap.Pop(q)
		delete(q.byID, t.id)
	}
	return t
}
