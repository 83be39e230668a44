package db

import (
	"context"
	"errors"
	"testing"
	"time"
)

// slowQuery is a query that runs for far longer than any test on each backend.
var slowQuery = map[Backend]string{
	SQLite: `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000)
		SELECT count(*) FROM c`,
	PostgreSQL: "SELECT pg_sleep(600)",
}

func TestCancel(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY)")

		ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
		defer cancel()
		_, err := d.Query(ctx, slowQuery[b.name])
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("slow query: got %v, want the deadline's error", err)
		}

		// A slow statement inside a transaction: the ctx's end interrupts it
		// and the transaction rolls back.
		ctx, cancel = context.WithTimeout(testCtx(t), 200*time.Millisecond)
		defer cancel()
		err = d.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO notes (id) VALUES (?)", 1); err != nil {
				return err
			}
			_, err := tx.Query(ctx, slowQuery[b.name])
			return err
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("slow tx: got %v, want the deadline's error", err)
		}
		if n := count(t, d, "notes"); n != 0 {
			t.Fatalf("rows after a cancelled tx: %d", n)
		}

		// Both pools still serve.
		mustExec(t, d, "INSERT INTO notes (id) VALUES (?)", 2)
		if n := count(t, d, "notes"); n != 1 {
			t.Fatalf("rows: %d", n)
		}
	})
}

func TestWriterWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	d := open(t, sqliteDSNForTest(t), Options{})
	mustExec(t, d, "CREATE TABLE notes (id INTEGER PRIMARY KEY)")
	inside := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- d.Tx(testCtx(t), func(tx *Tx) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	// The writer is held: a write waits for it and gives up with its ctx.
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	if _, err := d.Exec(ctx, "INSERT INTO notes (id) VALUES (1)"); !errors.Is(err, context.Canceled) {
		t.Errorf("write while the writer is held: got %v, want context.Canceled", err)
	}
	// Reads are not held up by the writer.
	if n := count(t, d, "notes"); n != 0 {
		t.Errorf("count: %d", n)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
