package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"
)

// Backend names the database behind a DB.
type Backend string

// The backends Open knows.
const (
	// SQLite is an SQLite file through modernc.org/sqlite (no cgo).
	SQLite Backend = "sqlite"
	// PostgreSQL is a PostgreSQL server through pgx's database/sql driver.
	PostgreSQL Backend = "postgres"
)

// DB is an open database. It is safe for concurrent use by any number of
// goroutines.
type DB struct {
	backend Backend
	opts    Options
	// read serves Query calls that only read; write serves everything else.
	// On PostgreSQL both are the same pool. On SQLite write has exactly one
	// connection, so writers queue in Go (cancellable) instead of failing
	// with SQLITE_BUSY, and read is a pool of query_only connections that
	// WAL lets run beside the writer.
	read, write *sql.DB
	closed      atomic.Bool
}

// Open opens the database that dsn names and checks that it answers:
//
//   - "" is the SQLite file DefaultSQLitePath;
//   - "postgres://..." or "postgresql://..." is a PostgreSQL server, the URL
//     as pgx takes it;
//   - "sqlite:path", or any other string, is the SQLite file at that path.
//
// An SQLite file and its folder are created when missing, in WAL mode, with
// busy_timeout set and foreign keys on.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	opts = opts.withDefaults()
	var (
		d   *DB
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d, err = openPostgres(ctx, dsn, opts)
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		switch {
		case dsn == "":
			path = DefaultSQLitePath
		case path == "":
			return nil, fmt.Errorf("db: open: %w: %q names no file", ErrBadDSN, dsn)
		}
		d, err = openSQLite(ctx, path, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	return d, nil
}

// Backend reports which database d talks to.
func (d *DB) Backend() Backend { return d.backend }

// Close closes every connection. Calls in flight finish first; later calls
// fail with ErrClosed.
func (d *DB) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	err := d.write.Close()
	if d.read != d.write {
		if rerr := d.read.Close(); err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("db: close: %w", err)
	}
	return nil
}
