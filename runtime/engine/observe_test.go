package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/db"
)

// dbCalls records what Config.ObserveDB is told.
type dbCalls struct {
	mu    sync.Mutex
	calls []DBCall
}

func (r *dbCalls) observe(c DBCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

// take returns the calls told so far and forgets them.
func (r *dbCalls) take() []DBCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

// TestObserveDB: Config.ObserveDB is told each statement and transaction
// that reached the database, with its kind, its error and whether its call
// had ended; calls refused before the database are not told.
func TestObserveDB(t *testing.T) {
	t.Parallel()
	rec := &dbCalls{}
	e := newDBEngine(t, sqlDB{openSQLite(t)}, Config{PoolSize: 1, ObserveDB: rec.observe})
	call := func(ctx context.Context, event, data string) {
		t.Helper()
		o := runCall(t, e, ctx, newSocket("s"), event, data)
		if o.err != nil && !errors.Is(o.err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v", event, o.err)
		}
	}
	long := ctxWithTimeout(t, 20*time.Second)
	kinds := func(calls []DBCall) (out []string) {
		for _, c := range calls {
			out = append(out, c.Kind)
		}
		return out
	}

	call(long, "n.txCommit", "")
	got := rec.take()
	if k := kinds(got); len(k) != 4 || k[0] != DBExec || k[1] != DBExec || k[2] != DBQuery || k[3] != DBTx {
		t.Fatalf("txCommit: kinds %v, want exec exec query tx", k)
	}
	for _, c := range got {
		if c.Err != nil || c.Ended || c.Duration <= 0 {
			t.Errorf("txCommit: %+v", c)
		}
	}

	call(long, "n.bad", `"sql"`) // a TypeError before the database
	call(long, "n.bad", `"fn"`)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("refused before the database: told %+v", got)
	}

	call(long, "n.bad", `"rows"`)
	call(long, "n.bad", `"syntax"`)
	got = rec.take()
	if len(got) != 2 || got[0].Kind != DBQuery || !errors.Is(got[0].Err, db.ErrTooManyRows) ||
		got[1].Kind != DBQuery || got[1].Err == nil || errors.Is(got[1].Err, db.ErrTooManyRows) {
		t.Fatalf("too many rows, then a syntax error: %+v", got)
	}

	call(long, "n.txThrow", "")
	got = rec.take()
	if k := kinds(got); len(k) != 3 || k[0] != DBExec || k[1] != DBTx || k[2] != DBQuery {
		t.Fatalf("txThrow: kinds %v, want exec tx query", k)
	}
	if got[1].Err == nil || got[1].Ended {
		t.Errorf("the rolled back tx: %+v", got[1])
	}

	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	call(short, "n.slow", "")
	e.Close() // waits for the interrupted query's goroutine
	got = rec.take()
	if len(got) != 1 || got[0].Kind != DBQuery || got[0].Err == nil || !got[0].Ended {
		t.Fatalf("the query its call's deadline ended: %+v", got)
	}
}
