package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ExecResult is what Exec reports about a statement.
type ExecResult struct {
	// RowsAffected is the number of rows the statement changed.
	RowsAffected int64
	// LastInsertID is SQLite's last_insert_rowid() after an INSERT. It is
	// always 0 on PostgreSQL, which has no such value: use RETURNING there.
	LastInsertID int64
}

// querier is what *sql.DB, *sql.Tx and *sql.Conn have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Query runs a statement that returns rows and returns them all, at most
// Options.MaxRows of them. Parameters are bound to the "?" placeholders in
// order. The query is cancelled when ctx ends.
func (d *DB) Query(ctx context.Context, query string, params ...any) ([]Row, error) {
	if d.closed.Load() {
		return nil, ErrClosed
	}
	q := d.write
	if d.backend == SQLite && readsOnly(query) {
		q = d.read
	}
	rows, err := runQuery(ctx, q, d.backend, d.opts.MaxRows, query, params)
	if err != nil {
		return nil, wrap("db: query", err)
	}
	return rows, nil
}

// Exec runs a statement that returns no rows. Parameters are bound to the
// "?" placeholders in order. The statement is cancelled when ctx ends.
func (d *DB) Exec(ctx context.Context, query string, params ...any) (ExecResult, error) {
	if d.closed.Load() {
		return ExecResult{}, ErrClosed
	}
	res, err := runExec(ctx, d.write, d.backend, query, params)
	if err != nil {
		return ExecResult{}, wrap("db: exec", err)
	}
	return res, nil
}

func runQuery(ctx context.Context, q querier, b Backend, maxRows int, query string, params []any) ([]Row, error) {
	args, err := bindArgs(b, params)
	if err != nil {
		return nil, err
	}
	rs, err := q.QueryContext(ctx, rebind(b, query), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	types, err := rs.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("columns: %w", err)
	}
	names := make([]string, len(types))
	dbTypes := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name()
		dbTypes[i] = strings.ToUpper(t.DatabaseTypeName())
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []Row
	for rs.Next() {
		if maxRows >= 0 && len(out) == maxRows {
			return nil, &RowLimitError{Limit: maxRows}
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		row := make(Row, len(vals))
		for i, v := range vals {
			row[i] = Column{Name: names[i], Value: columnValue(b, dbTypes[i], v)}
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		// A driver may end the rows early on cancellation without an error.
		return nil, err
	}
	if out == nil {
		out = []Row{}
	}
	return out, nil
}

func runExec(ctx context.Context, q querier, b Backend, query string, params []any) (ExecResult, error) {
	args, err := bindArgs(b, params)
	if err != nil {
		return ExecResult{}, err
	}
	res, err := q.ExecContext(ctx, rebind(b, query), args...)
	if err != nil {
		return ExecResult{}, err
	}
	var out ExecResult
	if out.RowsAffected, err = res.RowsAffected(); err != nil {
		return ExecResult{}, fmt.Errorf("rows affected: %w", err)
	}
	if b == SQLite {
		if out.LastInsertID, err = res.LastInsertId(); err != nil {
			return ExecResult{}, fmt.Errorf("last insert id: %w", err)
		}
	}
	return out, nil
}

// wrap adds op to err, except to a *RowLimitError, whose message is meant to
// reach the script as it is.
func wrap(op string, err error) error {
	var rl *RowLimitError
	if errors.As(err, &rl) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
