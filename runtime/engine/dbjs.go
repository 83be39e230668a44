package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// errTxScriptFailed is what the function given to Database.Tx returns when
// the script's transaction function threw or rejected: the transaction
// rolls back, and db.tx rejects with what the script threw.
var errTxScriptFailed = errors.New("engine: the transaction's function failed")

// statements is what db and a transaction have in common: Database and
// DatabaseTx.
type statements interface {
	Query(ctx context.Context, query string, params []any) (Rows, error)
	Exec(ctx context.Context, query string, params []any) (ExecResult, error)
}

// dbObject returns the db object of the native module "eventhost": query,
// exec and tx. Every statement runs off the VM as host work (startAsync),
// under the context of the call that made it.
func (v *vm) dbObject() *goja.Object {
	if v.db.obj != nil {
		return v.db.obj
	}
	obj := v.rt.NewObject()
	target := func() (statements, error) {
		if v.e.cfg.DB == nil {
			return nil, ErrNoDatabase
		}
		return v.e.cfg.DB, nil
	}
	_ = obj.Set("query", v.statementFunc("db.query", true, target))
	_ = obj.Set("exec", v.statementFunc("db.exec", false, target))
	_ = obj.Set("tx", v.dbTx)
	v.db.obj = obj
	return obj
}

// statementFunc returns query(sql, ...params) (rows set) or exec(sql,
// ...params) of db or of a transaction: a function that returns a promise
// of the rows or of {rowsAffected, lastInsertId}. Wrong arguments reject it
// with a TypeError without reaching the database.
func (v *vm) statementFunc(what string, rows bool, target func() (statements, error)) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		st, err := target()
		if err != nil {
			return v.rejected(v.rt.NewGoError(fmt.Errorf("%s: %w", what, err)))
		}
		query, ok := call.Argument(0).Export().(string)
		if !ok {
			return v.rejected(v.rt.NewTypeError("%s: the SQL must be a string, with ? for each parameter", what))
		}
		var args []goja.Value
		if len(call.Arguments) > 1 {
			args = call.Arguments[1:]
		}
		params, err := v.dbParams(args)
		if err != nil {
			return v.rejected(v.rt.NewTypeError("%s: %v", what, err))
		}
		observe := v.e.cfg.ObserveDB != nil
		if rows {
			return v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
				var start time.Time
				if observe {
					start = time.Now()
				}
				res, err := st.Query(ctx, query, params)
				if observe {
					v.e.observeDB(ctx, DBQuery, start, err)
				}
				return func() (goja.Value, error) {
					if err != nil {
						return nil, err
					}
					return v.dbRows(res), nil
				}
			})
		}
		return v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
			var start time.Time
			if observe {
				start = time.Now()
			}
			res, err := st.Exec(ctx, query, params)
			if observe {
				v.e.observeDB(ctx, DBExec, start, err)
			}
			return func() (goja.Value, error) {
				if err != nil {
					return nil, err
				}
				return v.dbExecResult(res), nil
			}
		})
	}
}

// rejected returns a promise rejected with reason.
func (v *vm) rejected(reason goja.Value) goja.Value {
	p, _, reject := v.rt.NewPromise()
	_ = reject(reason)
	return v.rt.ToValue(p)
}

// isRejected reports whether val is a promise that is already rejected.
func isRejected(val goja.Value) bool {
	obj, ok := val.(*goja.Object)
	if !ok {
		return false
	}
	p, ok := obj.Export().(*goja.Promise)
	return ok && p.State() == goja.PromiseStateRejected
}

// jsTx is one db.tx between the VM and the goroutine that holds the
// transaction open (running Database.Tx). The channels cross goroutines;
// the other fields belong to the VM's goroutine.
type jsTx struct {
	ready   chan DatabaseTx // the transaction has begun
	outcome chan error      // the script's function has settled: nil commits
	ended   chan struct{}   // Database.Tx has returned, or never started

	tx       DatabaseTx
	finished bool       // the function has settled: tx's methods refuse
	value    goja.Value // what the function resolved with
	thrown   any        // what it threw (*goja.Exception) or rejected with (goja.Value)
}

// dbTx is db.tx(fn): it begins a transaction, calls fn(tx) on the VM, and
// commits when the promise fn returns fulfils (db.tx then resolves with its
// value), or rolls back when fn throws or rejects (db.tx rejects with the
// same value) or when the call ends first.
//
// Two pieces of host work carry it: one runs Database.Tx, whose function
// hands the transaction over and then waits for fn's outcome; the other
// waits for the hand-over and then, on the VM, calls fn.
func (v *vm) dbTx(call goja.FunctionCall) goja.Value {
	d := v.e.cfg.DB
	if d == nil {
		return v.rejected(v.rt.NewGoError(fmt.Errorf("db.tx: %w", ErrNoDatabase)))
	}
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		return v.rejected(v.rt.NewTypeError("db.tx: the argument must be a function: db.tx(async (tx) => { ... })"))
	}
	t := &jsTx{ready: make(chan DatabaseTx, 1), outcome: make(chan error, 1), ended: make(chan struct{})}
	begun := v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
		select {
		case tx := <-t.ready:
			return func() (goja.Value, error) {
				v.runTxFunc(t, tx, fn)
				return nil, nil
			}
		case <-t.ended: // it never began
		case <-ctx.Done():
		}
		return nil
	})
	if isRejected(begun) {
		return begun // too much host work in flight: nothing started
	}
	observe := v.e.cfg.ObserveDB != nil
	outer := v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
		var start time.Time
		if observe {
			start = time.Now()
		}
		err := d.Tx(ctx, func(tx DatabaseTx) error {
			t.ready <- tx
			select {
			case err := <-t.outcome:
				return err
			case <-ctx.Done():
				return fmt.Errorf("db.tx: the call ended before the transaction's function did: %w", context.Cause(ctx))
			}
		})
		close(t.ended)
		if observe {
			v.e.observeDB(ctx, DBTx, start, err)
		}
		return func() (goja.Value, error) {
			t.finished = true
			switch {
			case err == nil:
				return t.value, nil
			case errors.Is(err, errTxScriptFailed) && t.thrown != nil:
				panic(t.thrown) // rejects db.tx's promise with what the function threw
			}
			return nil, err
		}
	})
	if isRejected(outer) {
		close(t.ended)
	}
	return outer
}

// runTxFunc calls the script's transaction function with the tx object and
// arranges for its outcome to reach the goroutine that holds the
// transaction. It runs on the VM.
func (v *vm) runTxFunc(t *jsTx, tx DatabaseTx, fn goja.Callable) {
	t.tx = tx
	target := func() (statements, error) {
		if t.finished {
			return nil, errors.New("the transaction has ended: use tx only inside the function given to db.tx, and await its calls")
		}
		return t.tx, nil
	}
	obj := v.rt.NewObject()
	_ = obj.Set("query", v.statementFunc("tx.query", true, target))
	_ = obj.Set("exec", v.statementFunc("tx.exec", false, target))
	val, err := fn(goja.Undefined(), obj)
	if err != nil {
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			panic(err) // interrupted or overflowed: the call fails, its VM is replaced
		}
		t.settle(nil, ex)
		return
	}
	p, isPromise := val.(*goja.Object)
	if !isPromise || p.ExportType() != typePromise {
		t.settle(val, nil)
		return
	}
	switch pr := p.Export().(*goja.Promise); pr.State() {
	case goja.PromiseStateFulfilled:
		t.settle(pr.Result(), nil)
	case goja.PromiseStateRejected:
		t.settle(nil, pr.Result())
	default:
		then, _ := goja.AssertFunction(p.Get("then"))
		onFulfilled := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			t.settle(call.Argument(0), nil)
			return goja.Undefined()
		})
		onRejected := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			t.settle(nil, call.Argument(0))
			return goja.Undefined()
		})
		if _, err := then(p, onFulfilled, onRejected); err != nil {
			panic(err)
		}
	}
}

// settle records the function's outcome, once, and tells the transaction:
// commit when thrown is nil, else roll back.
func (t *jsTx) settle(value goja.Value, thrown any) {
	if t.finished {
		return
	}
	t.finished = true
	if thrown != nil {
		t.thrown = thrown
		t.outcome <- errTxScriptFailed
		return
	}
	t.value = value
	t.outcome <- nil
}
