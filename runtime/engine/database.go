package engine

import "context"

// Database is the SQL database that scripts reach as the db object of the
// native module "eventhost". The engine declares what it needs; cmd wires a
// db.DB to it. Its methods are called from goroutines the engine starts for
// the purpose, never from a VM's, with the context of the call that asked:
// they must return when it ends (cancelling the statement).
//
// Parameters arrive as nil, bool, int64, float64, string, []byte (a copy
// that the implementation may keep), time.Time or *big.Int (a BigInt, any
// size: the implementation refuses one it cannot bind). Column values are
// expected to be nil, bool, int64, float64, string, []byte or time.Time;
// any other type reaches scripts as its fmt.Sprint text.
type Database interface {
	// Query runs a statement that returns rows, with params bound to its
	// placeholders, and returns every row.
	Query(ctx context.Context, query string, params []any) (Rows, error)
	// Exec runs a statement that returns no rows.
	Exec(ctx context.Context, query string, params []any) (ExecResult, error)
	// Tx runs fn in a transaction: it commits when fn returns nil, and rolls
	// back when fn returns an error (which Tx returns) or ctx ends first.
	// fn runs on Tx's goroutine; tx is valid only until fn returns.
	Tx(ctx context.Context, fn func(tx DatabaseTx) error) error
}

// DatabaseTx is a transaction handed to the function given to Database.Tx.
// Its methods are called from other goroutines than that function's while
// it waits.
type DatabaseTx interface {
	// Query is Database.Query inside the transaction.
	Query(ctx context.Context, query string, params []any) (Rows, error)
	// Exec is Database.Exec inside the transaction.
	Exec(ctx context.Context, query string, params []any) (ExecResult, error)
}

// Rows is the result of a query: the column names in the query's order, and
// each row's values in the same order.
type Rows struct {
	// Columns are the column names; two may be equal (SELECT a.id, b.id).
	Columns []string
	// Values holds one slice per row, len(Columns) long.
	Values [][]any
}

// ExecResult is what a statement without rows reports.
type ExecResult struct {
	// RowsAffected is the number of rows the statement changed.
	RowsAffected int64
	// LastInsertID is the row id of the last insert where the database has
	// one (SQLite), else 0.
	LastInsertID int64
}
