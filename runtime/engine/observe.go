package engine

import (
	"context"
	"time"
)

// The kinds of DBCall.
const (
	DBQuery = "query" // db.query or tx.query
	DBExec  = "exec"  // db.exec or tx.exec
	DBTx    = "tx"    // db.tx, from its begin to its commit or rollback
)

// DBCall is one database call a script made, as Config.ObserveDB is told
// it once the database has answered. Calls refused before reaching the
// database (bad arguments, no database, too much host work) are not told.
type DBCall struct {
	// Kind is DBQuery, DBExec or DBTx. A statement inside a transaction
	// counts under its own kind, and the transaction under DBTx as well.
	Kind string
	// Err is the database's error, or, for a transaction, why it rolled
	// back; nil when it succeeded (a transaction: committed).
	Err error
	// Ended reports that the context of the call that made it had ended
	// when the database answered: the statement was cancelled, or its
	// result came too late to be used.
	Ended bool
	// Duration is how long the database took.
	Duration time.Duration
}

// observeDB tells Config.ObserveDB about a call of kind that started at
// start and ended with err under ctx. It runs on the goroutine of the host
// work.
func (e *Engine) observeDB(ctx context.Context, kind string, start time.Time, err error) {
	e.cfg.ObserveDB(DBCall{Kind: kind, Err: err, Ended: ctx.Err() != nil, Duration: time.Since(start)})
}
