package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"
)

// MigrationsTable is the table in which Migrate records applied files.
const MigrationsTable = "eventhost_migrations"

// migrationLockKey is the PostgreSQL advisory lock that serialises Migrate
// across nodes ("eventhos" in ASCII).
const migrationLockKey int64 = 0x6576656e74686f73

type migration struct {
	name, sql, checksum string
}

// MigrateDir is Migrate on the folder dir. A folder that does not exist holds
// no migrations.
func (d *DB) MigrateDir(ctx context.Context, dir string) ([]string, error) {
	return d.Migrate(ctx, os.DirFS(dir))
}

// Migrate applies the *.sql files at the top of fsys that are not yet
// recorded in MigrationsTable, in the order of their names (001_notes.sql,
// 002_...), and returns the names it applied. Each file runs in its own
// transaction together with its record (name, SHA-256 checksum, time).
//
// Before applying anything, every file already recorded is compared with its
// record: one whose content changed fails the run with a *MigrationError
// matching ErrMigrationChanged. A file that fails to apply stops the run with
// a *MigrationError ("file: message"); the files before it stay applied and it
// is not recorded. Recorded names with no file are ignored.
//
// Concurrent runs are safe: on PostgreSQL they queue on an advisory lock, so
// several nodes may start at once; on SQLite each file's transaction holds
// the write lock and checks the record again inside it. A migration file
// must therefore be valid inside a transaction (on PostgreSQL, no CREATE INDEX
// CONCURRENTLY). Files may hold several statements.
func (d *DB) Migrate(ctx context.Context, fsys fs.FS) ([]string, error) {
	if d.closed.Load() {
		return nil, ErrClosed
	}
	files, err := readMigrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	if len(files) == 0 {
		return nil, nil
	}
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Close()
	if d.backend == PostgreSQL {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("db: migrate: lock: %w", err)
		}
		defer unlockMigrations(ctx, conn)
	}
	if _, err := conn.ExecContext(ctx, migrationsDDL(d.backend)); err != nil {
		return nil, fmt.Errorf("db: migrate: create %s: %w", MigrationsTable, err)
	}
	recorded, err := recordedMigrations(ctx, conn, d.backend)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	for _, m := range files {
		if err := checkRecorded(m, recorded); err != nil {
			return nil, err
		}
	}
	var applied []string
	for _, m := range files {
		if _, ok := recorded[m.name]; ok {
			continue
		}
		did, err := d.applyMigration(ctx, conn, m)
		if err != nil {
			return applied, err
		}
		if did {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// applyMigration runs m and records it in one transaction, unless another
// process recorded it meanwhile. It reports whether it applied m.
func (d *DB) applyMigration(ctx context.Context, conn *sql.Conn, m migration) (applied bool, err error) {
	err = d.inTx(ctx, conn, func(tx *Tx) error {
		recorded, err := recordedMigrations(ctx, tx.tx, d.backend)
		if err != nil {
			return err
		}
		if _, ok := recorded[m.name]; ok {
			return checkRecorded(m, recorded)
		}
		if strings.TrimSpace(m.sql) != "" {
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return &MigrationError{File: m.name, Err: err}
			}
		}
		if _, err := runExec(ctx, tx.tx, d.backend,
			"INSERT INTO "+MigrationsTable+" (name, checksum, applied_at) VALUES (?, ?, ?)",
			[]any{m.name, m.checksum, time.Now()}); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		applied = true
		return nil
	})
	var me *MigrationError
	if err != nil && !errors.As(err, &me) {
		err = &MigrationError{File: m.name, Err: err}
	}
	return applied && err == nil, err
}

// checkRecorded fails when m is recorded with another checksum.
func checkRecorded(m migration, recorded map[string]string) error {
	sum, ok := recorded[m.name]
	if !ok || sum == m.checksum {
		return nil
	}
	return &MigrationError{File: m.name, Err: fmt.Errorf("%w: its checksum is %s, but %s was applied",
		ErrMigrationChanged, short(m.checksum), short(sum))}
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

func migrationsDDL(b Backend) string {
	ts := "TIMESTAMP"
	if b == PostgreSQL {
		ts = "TIMESTAMPTZ"
	}
	return "CREATE TABLE IF NOT EXISTS " + MigrationsTable +
		" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at " + ts + " NOT NULL)"
}

func recordedMigrations(ctx context.Context, q querier, b Backend) (map[string]string, error) {
	rows, err := runQuery(ctx, q, b, -1, "SELECT name, checksum FROM "+MigrationsTable, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", MigrationsTable, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		name, _ := r[0].Value.(string)
		sum, _ := r[1].Value.(string)
		out[name] = sum
	}
	return out, nil
}

// readMigrations returns the *.sql files at the top of fsys sorted by name.
func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration: %w", err)
		}
		sum := sha256.Sum256(b)
		out = append(out, migration{name: e.Name(), sql: string(b), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// unlockMigrations releases the advisory lock; if it cannot, it discards the
// connection, which releases the lock with the session.
func unlockMigrations(ctx context.Context, conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", migrationLockKey); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
