package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/eventhost/eventhost/db"
	"github.com/eventhost/eventhost/runtime/engine"
)

// migrationsDir is the folder of the scripts folder that holds the
// database migrations (a name starting with "_" holds no routes).
const migrationsDir = "_migrations"

// dbConfig is what the serve command is told about the database.
type dbConfig struct {
	dsn     string
	maxRows int
	pool    int
}

// register defines the database flags on fs.
func (c *dbConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dsn, "db", "./"+db.DefaultSQLitePath, "the scripts' database: an SQLite file (created when missing), or a postgres:// URL for PostgreSQL")
	fs.IntVar(&c.maxRows, "db-max-rows", db.DefaultMaxRows, "most rows one db.query may return; more rejects the query")
	fs.IntVar(&c.pool, "db-pool", db.DefaultMaxOpenConns, "database connections: PostgreSQL's pool, SQLite's readers (SQLite writes go through one)")
}

// check validates the values.
func (c *dbConfig) check() error {
	switch {
	case c.dsn == "":
		return errors.New("-db must name an SQLite file or a postgres:// URL")
	case c.maxRows < 1 || c.pool < 1:
		return errors.New("-db-max-rows and -db-pool must be positive")
	}
	return nil
}

// openDatabase opens the database and logs which one it is, without the
// PostgreSQL URL's password.
func openDatabase(ctx context.Context, c dbConfig, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, c.dsn, db.Options{MaxOpenConns: c.pool, MaxRows: c.maxRows})
	if err != nil {
		return nil, fmt.Errorf("-db %s: %w", redactDSN(c.dsn), err)
	}
	log.Info("database open", "backend", d.Backend(), "db", redactDSN(c.dsn), "pool", c.pool, "max_rows", c.maxRows)
	return d, nil
}

// redactDSN hides the password of a PostgreSQL URL, in its user part or
// its query.
func redactDSN(dsn string) string {
	if !strings.HasPrefix(dsn, "postgres") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// migrator returns the engine's BeforeBuild hook: it applies the .sql files
// of scripts/_migrations that are new, in order, before every build, so
// that the code of a generation finds the schema it was written for.
func migrator(d *db.DB, scripts string, log *slog.Logger) func(context.Context) error {
	dir := filepath.Join(scripts, migrationsDir)
	shown := filepath.ToSlash(filepath.Join(filepath.Base(scripts), migrationsDir))
	return func(ctx context.Context) error {
		applied, err := d.MigrateDir(ctx, dir)
		for _, name := range applied {
			log.Info("migration applied", "file", shown+"/"+name)
		}
		var me *db.MigrationError
		if errors.As(err, &me) {
			return &migrationError{path: shown + "/" + me.File, err: me}
		}
		if err != nil {
			return fmt.Errorf("migrations in %s: %w", shown, err)
		}
		return nil
	}
}

// migrationError is a migration file that failed or changed after it was
// applied: "scripts/_migrations/002_x.sql: message".
type migrationError struct {
	path string
	err  *db.MigrationError
}

// Error returns "path: message".
func (e *migrationError) Error() string { return e.path + ": " + e.err.Err.Error() }

// Unwrap returns the *db.MigrationError.
func (e *migrationError) Unwrap() error { return e.err }

// sqlDatabase is a db.DB as the engine's Database.
type sqlDatabase struct{ d *db.DB }

// Query runs a query.
func (s sqlDatabase) Query(ctx context.Context, query string, params []any) (engine.Rows, error) {
	rows, err := s.d.Query(ctx, query, params...)
	if err != nil {
		return engine.Rows{}, err
	}
	return engineRows(rows), nil
}

// Exec runs a statement.
func (s sqlDatabase) Exec(ctx context.Context, query string, params []any) (engine.ExecResult, error) {
	res, err := s.d.Exec(ctx, query, params...)
	return engine.ExecResult{RowsAffected: res.RowsAffected, LastInsertID: res.LastInsertID}, err
}

// Tx runs fn in a transaction.
func (s sqlDatabase) Tx(ctx context.Context, fn func(engine.DatabaseTx) error) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return fn(sqlTx{tx}) })
}

// sqlTx is a db.Tx as the engine's DatabaseTx.
type sqlTx struct{ tx *db.Tx }

// Query runs a query in the transaction.
func (s sqlTx) Query(ctx context.Context, query string, params []any) (engine.Rows, error) {
	rows, err := s.tx.Query(ctx, query, params...)
	if err != nil {
		return engine.Rows{}, err
	}
	return engineRows(rows), nil
}

// Exec runs a statement in the transaction.
func (s sqlTx) Exec(ctx context.Context, query string, params []any) (engine.ExecResult, error) {
	res, err := s.tx.Exec(ctx, query, params...)
	return engine.ExecResult{RowsAffected: res.RowsAffected, LastInsertID: res.LastInsertID}, err
}

// engineRows converts db rows into the engine's, the values of all rows in
// one backing slice.
func engineRows(rows []db.Row) engine.Rows {
	if len(rows) == 0 {
		return engine.Rows{}
	}
	n := len(rows[0])
	out := engine.Rows{Columns: make([]string, n), Values: make([][]any, len(rows))}
	for i, c := range rows[0] {
		out.Columns[i] = c.Name
	}
	flat := make([]any, n*len(rows))
	for i, r := range rows {
		vals := flat[i*n : (i+1)*n : (i+1)*n]
		for j, c := range r {
			vals[j] = c.Value
		}
		out.Values[i] = vals
	}
	return out
}
