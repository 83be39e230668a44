package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestConcurrentInserts(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY, g INTEGER NOT NULL, body TEXT NOT NULL)")
		const goroutines, each = 20, 50
		ctx := testCtx(t)
		var wg sync.WaitGroup
		errs := make(chan error, goroutines*each)
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					id := g*each + i + 1
					if _, err := d.Exec(ctx, "INSERT INTO notes (id, g, body) VALUES (?, ?, ?)", id, g, fmt.Sprintf("note %d", id)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("insert: %v", err)
		}
		if n := count(t, d, "notes"); n != goroutines*each {
			t.Fatalf("rows: got %d, want %d", n, goroutines*each)
		}
	})
}

// TestConcurrentHandles is the same load from 20 DBs on one database, as from
// 20 processes: on SQLite they meet at the file lock (busy_timeout).
func TestConcurrentHandles(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		dsn := b.dsn(t)
		const handles, each = 20, 50
		dbs := make([]*DB, handles)
		for i := range dbs {
			// A long busy_timeout: the busy handler is not fair, and CI machines are slow.
			dbs[i] = open(t, dsn, Options{MaxOpenConns: 2, BusyTimeoutMillis: 30000})
		}
		mustExec(t, dbs[0], "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
		ctx := testCtx(t)
		var wg sync.WaitGroup
		errs := make(chan error, handles*each)
		for g, d := range dbs {
			wg.Go(func() {
				for i := range each {
					id := g*each + i + 1
					err := d.Tx(ctx, func(tx *Tx) error {
						_, err := tx.Exec(ctx, "INSERT INTO notes (id, body) VALUES (?, ?)", id, "x")
						return err
					})
					if err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("insert: %v", err)
		}
		if n := count(t, dbs[0], "notes"); n != handles*each {
			t.Fatalf("rows: got %d, want %d", n, handles*each)
		}
	})
}

func TestTx(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
		insert := func(tx *Tx, id int) error {
			_, err := tx.Exec(testCtx(t), "INSERT INTO notes (id, body) VALUES (?, ?)", id, "x")
			return err
		}
		boom := errors.New("boom")

		if err := d.Tx(testCtx(t), func(tx *Tx) error { return insert(tx, 1) }); err != nil {
			t.Fatalf("committing Tx: %v", err)
		}

		err := d.Tx(testCtx(t), func(tx *Tx) error {
			if err := insert(tx, 2); err != nil {
				return err
			}
			rows, err := tx.Query(testCtx(t), "SELECT count(*) FROM notes")
			if err != nil {
				return err
			}
			if n := rows[0][0].Value; n != int64(2) {
				t.Errorf("inside tx: count %v, want 2", n)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("failing Tx: got %v, want boom", err)
		}

		func() {
			defer func() {
				if r := recover(); r != "panic in tx" {
					t.Errorf("recovered %v, want the tx's panic", r)
				}
			}()
			_ = d.Tx(testCtx(t), func(tx *Tx) error {
				if err := insert(tx, 3); err != nil {
					return err
				}
				panic("panic in tx")
			})
		}()

		ctx, cancel := context.WithCancel(testCtx(t))
		err = d.Tx(ctx, func(tx *Tx) error {
			if err := insert(tx, 4); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Tx whose ctx ended: got %v, want context.Canceled", err)
		}

		rows := mustQuery(t, d, "SELECT id FROM notes ORDER BY id")
		if len(rows) != 1 || rows[0][0].Value != int64(1) {
			t.Fatalf("after the rolled back transactions: rows %v, want only id 1", rows)
		}
		// The writer is free again after a panic and a cancellation.
		mustExec(t, d, "INSERT INTO notes (id, body) VALUES (?, ?)", 5, "y")
	})
}

func TestParameterStaysData(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
		evil := "'; DROP TABLE notes; --"
		mustExec(t, d, "INSERT INTO notes (id, body) VALUES (?, ?)", 1, evil)
		rows := mustQuery(t, d, "SELECT body FROM notes WHERE body = ?", evil)
		if len(rows) != 1 || rows[0][0].Value != evil {
			t.Fatalf("got %v, want the parameter back as data", rows)
		}
		// A "?" inside a literal is text, not a placeholder.
		rows = mustQuery(t, d, "SELECT 'a?b' AS lit, body FROM notes WHERE id = ?", 1)
		if rows[0][0].Value != "a?b" {
			t.Fatalf("literal: got %v", rows[0][0].Value)
		}
		// Numbered placeholders mean the same on both.
		rows = mustQuery(t, d, "SELECT body FROM notes WHERE id = ?2 AND body = ?1", evil, 1)
		if len(rows) != 1 {
			t.Fatalf("numbered placeholders: %v", rows)
		}
		if n := count(t, d, "notes"); n != 1 {
			t.Fatalf("rows: %d", n)
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		dsn := b.dsn(t)
		d, err := Open(testCtx(t), dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
		mustExec(t, d, "INSERT INTO notes (id, body) VALUES (?, ?)", 1, "kept")
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Query(testCtx(t), "SELECT 1"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Query after Close: got %v, want ErrClosed", err)
		}
		d = open(t, dsn, Options{})
		rows := mustQuery(t, d, "SELECT body FROM notes WHERE id = ?", 1)
		if len(rows) != 1 || rows[0][0].Value != "kept" {
			t.Fatalf("after reopen: %v", rows)
		}
	})
}

func TestRowCap(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		dsn := b.dsn(t)
		d := open(t, dsn, Options{MaxRows: 5})
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY)")
		for i := range 6 {
			mustExec(t, d, "INSERT INTO notes (id) VALUES (?)", i)
		}
		if rows := mustQuery(t, d, "SELECT id FROM notes WHERE id < ?", 5); len(rows) != 5 {
			t.Fatalf("5 rows under a cap of 5: got %d", len(rows))
		}
		_, err := d.Query(testCtx(t), "SELECT id FROM notes")
		var rl *RowLimitError
		if !errors.As(err, &rl) || !errors.Is(err, ErrTooManyRows) || err.Error() != "db: query returned more than 5 rows" {
			t.Fatalf("6 rows under a cap of 5: got %v", err)
		}
		err = d.Tx(testCtx(t), func(tx *Tx) error {
			_, err := tx.Query(testCtx(t), "SELECT id FROM notes")
			return err
		})
		if !errors.Is(err, ErrTooManyRows) {
			t.Fatalf("in a Tx: got %v", err)
		}
		// The connection is usable after the cap cut a query short.
		if n := count(t, d, "notes"); n != 6 {
			t.Fatalf("count: %d", n)
		}
		d.Close()
		// A negative cap is no cap.
		d = open(t, dsn, Options{MaxRows: -1})
		if rows := mustQuery(t, d, "SELECT id FROM notes"); len(rows) != 6 {
			t.Fatalf("uncapped: %d rows", len(rows))
		}
	})
}

func TestExecResult(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
		res := mustExec(t, d, "INSERT INTO notes (id, body) VALUES (?, ?), (?, ?)", 7, "a", 8, "b")
		if res.RowsAffected != 2 {
			t.Errorf("RowsAffected: %d", res.RowsAffected)
		}
		if want := map[Backend]int64{SQLite: 8, PostgreSQL: 0}[b.name]; res.LastInsertID != want {
			t.Errorf("LastInsertID: got %d, want %d", res.LastInsertID, want)
		}
		res = mustExec(t, d, "UPDATE notes SET body = ? WHERE id > ?", "c", 0)
		if res.RowsAffected != 2 {
			t.Errorf("update RowsAffected: %d", res.RowsAffected)
		}
		// A write through Query (RETURNING) works on both.
		rows := mustQuery(t, d, "INSERT INTO notes (id, body) VALUES (?, ?) RETURNING id", 9, "d")
		if len(rows) != 1 || rows[0][0].Value != int64(9) {
			t.Errorf("RETURNING: %v", rows)
		}
	})
}

func TestBadParameter(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		for _, p := range []any{uint64(1 << 63), struct{}{}, map[string]any{}} {
			_, err := d.Query(testCtx(t), "SELECT ?", p)
			if !errors.Is(err, ErrUnsupportedValue) || !strings.Contains(err.Error(), "parameter 1") {
				t.Errorf("%T: got %v, want ErrUnsupportedValue for parameter 1", p, err)
			}
		}
	})
}

func TestOpenDefaultPath(t *testing.T) {
	t.Chdir(t.TempDir())
	d := open(t, "", Options{})
	if d.Backend() != SQLite {
		t.Fatalf("backend %q", d.Backend())
	}
	mustExec(t, d, "CREATE TABLE x (a INTEGER)")
	rows := mustQuery(t, d, "PRAGMA journal_mode")
	if rows[0][0].Value != "wal" {
		t.Errorf("journal_mode: %v", rows[0][0].Value)
	}
	rows = mustQuery(t, d, "PRAGMA foreign_keys")
	if rows[0][0].Value != int64(1) {
		t.Errorf("foreign_keys: %v", rows[0][0].Value)
	}
	// A path with blanks and non-ASCII letters, given plainly.
	oddDir := filepath.Join(t.TempDir(), "a folder")
	odd := open(t, filepath.Join(oddDir, "dé jà%41.db"), Options{})
	mustExec(t, odd, "CREATE TABLE x (a INTEGER)")
	if _, err := os.Stat(filepath.Join(oddDir, "dé jà%41.db")); err != nil {
		t.Errorf("the file is not where its path says: %v", err)
	}
	for _, bad := range []string{":memory:", "sqlite:", "sqlite:a.db?mode=ro", "file:a.db"} {
		if _, err := Open(testCtx(t), bad, Options{}); !errors.Is(err, ErrBadDSN) {
			t.Errorf("%q: got %v, want ErrBadDSN", bad, err)
		}
	}
}

func TestForeignKeys(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE rooms (id INTEGER PRIMARY KEY)")
		mustExec(t, d, "CREATE TABLE msgs (id INTEGER PRIMARY KEY, room INTEGER NOT NULL REFERENCES rooms(id))")
		if _, err := d.Exec(testCtx(t), "INSERT INTO msgs (id, room) VALUES (?, ?)", 1, 42); err == nil {
			t.Fatal("a row pointing at no room was accepted")
		}
	})
}
