package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx is a transaction handed to the function given to DB.Tx. It is valid only
// while that function runs. Use its Query and Exec, not the DB's, inside the
// function: on SQLite the DB's writes wait for the transaction to end.
type Tx struct {
	tx      *sql.Tx
	backend Backend
	maxRows int
}

// Query is DB.Query inside the transaction.
func (t *Tx) Query(ctx context.Context, query string, params ...any) ([]Row, error) {
	rows, err := runQuery(ctx, t.tx, t.backend, t.maxRows, query, params)
	if err != nil {
		return nil, wrap("db: tx query", err)
	}
	return rows, nil
}

// Exec is DB.Exec inside the transaction.
func (t *Tx) Exec(ctx context.Context, query string, params ...any) (ExecResult, error) {
	res, err := runExec(ctx, t.tx, t.backend, query, params)
	if err != nil {
		return ExecResult{}, wrap("db: tx exec", err)
	}
	return res, nil
}

// Tx runs fn in a transaction. It commits when fn returns nil, and rolls back
// when fn returns an error (which Tx returns), when fn panics (the panic goes
// on after the rollback), or when ctx ends first (Tx returns ctx's error).
// On SQLite the transaction holds the write lock from its start (BEGIN
// IMMEDIATE), so transactions run one at a time.
func (d *DB) Tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if d.closed.Load() {
		return ErrClosed
	}
	return d.inTx(ctx, d.write, fn)
}

// beginner is what *sql.DB and *sql.Conn have in common.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func (d *DB) inTx(ctx context.Context, b beginner, fn func(tx *Tx) error) (err error) {
	stx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// Rollback after a ctx end is already done by database/sql and then
		// reports ErrTxDone, which is no news.
		if rerr := stx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, fmt.Errorf("db: rollback: %w", rerr))
		}
	}()
	if err := fn(&Tx{tx: stx, backend: d.backend, maxRows: d.opts.MaxRows}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("db: tx: %w", err)
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	committed = true
	return nil
}
