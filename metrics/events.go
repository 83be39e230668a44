package metrics

import (
	"strings"
	"sync"
	"sync/atomic"
)

// unknownEvent is the event label of every event that is not a route.
const unknownEvent = "unknown"

// eventSeries are one event label's series: a counter per code and the
// duration histogram.
type eventSeries struct {
	name     string
	codes    [nCodes]counter
	duration *histogram
}

func newEventSeries(event string) *eventSeries {
	return &eventSeries{name: event, duration: newHistogram(callBuckets)}
}

// all returns the unknown series and those of the routes seen so far.
func (t *eventTable) all() []*eventSeries {
	list := []*eventSeries{t.unknown}
	if p := t.routes.Load(); p != nil {
		for _, ev := range *p {
			list = append(list, ev)
		}
	}
	return list
}

// eventTable maps the routes seen so far to their series. Reads take no
// lock: the map is replaced, never modified, under mu.
type eventTable struct {
	routes  atomic.Pointer[map[string]*eventSeries]
	mu      sync.Mutex
	unknown *eventSeries
}

// event returns the series of event: its own when it is a route, else the
// unknown one. Events that are not routes never enter the table, so that
// clients cannot grow it.
func (m *Metrics) event(event string) *eventSeries {
	t := &m.events
	if p := t.routes.Load(); p != nil {
		if ev, ok := (*p)[event]; ok {
			return ev
		}
	}
	if event == unknownEvent || !m.hasRoute(event) {
		return t.unknown
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.routes.Load()
	if old != nil {
		if ev, ok := (*old)[event]; ok {
			return ev
		}
	}
	event = strings.Clone(event) // the host's copy is only valid during the call
	ev := newEventSeries(event)
	next := make(map[string]*eventSeries, 1)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[event] = ev
	t.routes.Store(&next)
	return ev
}
