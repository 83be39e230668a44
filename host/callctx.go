package host

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// callContext is the context.Context a handler gets with a call: it carries
// the call's deadline and ends when the deadline passes, when the call is
// answered, or when Shutdown's grace period ends. It is part of the request,
// and it does what context.WithDeadline on a server-wide parent plus
// context.AfterFunc did, at a fraction of the cost: no registration of
// every call with one shared parent under its lock, no timer of its own
// (its connection's expiry timer ends it at the deadline: Conn.expireCalls),
// and an AfterFunc method (which context.AfterFunc uses) that stores the
// function instead of building a context for it.
type callContext struct {
	deadline time.Time
	ended    atomic.Bool // set once err is; lets Err skip the lock while the call runs

	mu    sync.Mutex
	err   error         // nil until the context ends
	done  chan struct{} // made on the first Done; closed when the context ends
	after []*afterFunc  // functions to run when the context ends
}

// afterFunc is one registration of callContext.AfterFunc.
type afterFunc struct{ f func() }

// closedChan is the Done channel of contexts that ended before anyone asked.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

var _ context.Context = (*callContext)(nil)

// Deadline returns the call's deadline.
func (c *callContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done returns a channel closed when the context ends.
func (c *callContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.err != nil {
			c.done = closedChan
		} else {
			c.done = make(chan struct{})
		}
	}
	return c.done
}

// Err returns nil until the context ends, then context.DeadlineExceeded or
// context.Canceled.
func (c *callContext) Err() error {
	if !c.ended.Load() {
		return nil // the common case: the engine asks before and after every call
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns nil: a call's context carries no values.
func (c *callContext) Value(any) any { return nil }

// AfterFunc arranges for f to run in its own goroutine when the context
// ends, as context.AfterFunc does; context.AfterFunc calls it.
func (c *callContext) AfterFunc(f func()) (stop func() bool) {
	a := &afterFunc{f: f}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	c.after = append(c.after, a)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.after, a)
		if i < 0 {
			return false
		}
		c.after = slices.Delete(c.after, i, i+1)
		return true
	}
}

// end ends the context with err and starts the functions registered with
// AfterFunc. Only the first call counts.
func (c *callContext) end(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	c.ended.Store(true)
	if c.done != nil {
		close(c.done)
	}
	after := c.after
	c.after = nil
	c.mu.Unlock()
	for _, a := range after {
		go a.f()
	}
}
