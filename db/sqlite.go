package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// openSQLite opens the file at path as one writer connection and a pool of
// read-only connections.
func openSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("%w: %q: want a plain file path", ErrBadDSN, path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: create folder: %w", err)
		}
	}
	write, err := sql.Open("sqlite", sqliteDSN(path, opts, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer connects first: it creates the file and turns WAL on, which
	// the file then keeps.
	if err := write.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: %s: %w", path, err), write.Close())
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, opts, true))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: %w", err), write.Close())
	}
	read.SetMaxOpenConns(opts.MaxOpenConns)
	read.SetMaxIdleConns(opts.MaxOpenConns)
	if err := read.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: %s: %w", path, err), read.Close(), write.Close())
	}
	return &DB{backend: SQLite, opts: opts, read: read, write: write}, nil
}

// sqliteDSN is the modernc.org/sqlite data source for path: WAL,
// busy_timeout, foreign keys, BEGIN IMMEDIATE for transactions (a transaction
// takes the write lock up front rather than failing when it later upgrades),
// times written in SQLite's own text form, and query_only for readers.
func sqliteDSN(path string, opts Options, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(opts.BusyTimeoutMillis)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	// SQLite decodes %XX in a file: URI; escape "%" so the path is taken
	// as written.
	return "file:" + strings.ReplaceAll(path, "%", "%25") + "?" + q.Encode()
}

// readsOnly reports whether an SQLite statement surely only reads, so that it
// may run on a reader connection: it starts with SELECT after any blanks and
// comments. Anything else (WITH, VALUES, PRAGMA, INSERT ... RETURNING) runs
// on the writer, which can run it whatever it is.
func readsOnly(query string) bool {
	s := query
	for {
		s = strings.TrimLeft(s, " \t\r\n\f(")
		switch {
		case strings.HasPrefix(s, "--"):
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return false
			}
			s = s[nl+1:]
		case strings.HasPrefix(s, "/*"):
			end := strings.Index(s, "*/")
			if end < 0 {
				return false
			}
			s = s[end+2:]
		default:
			return len(s) >= 6 && strings.EqualFold(s[:6], "select") && (len(s) == 6 || !isIdentByte(s[6]))
		}
	}
}
