package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envPostgres names the variable holding a PostgreSQL URL for the tests
// (.ci/postgres.sh prints it).
const envPostgres = "EVENTHOST_TEST_POSTGRES"

func TestMain(m *testing.M) {
	if os.Getenv(envPostgres) == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "db: CI=true but %s is not set: start PostgreSQL with .ci/postgres.sh\n", envPostgres)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "db: PostgreSQL tests skipped: %s is not set (see .ci/postgres.sh)\n", envPostgres)
	}
	os.Exit(m.Run())
}

// testBackend makes fresh, empty databases of one backend.
type testBackend struct {
	name Backend
	// dsn returns the data source of a new empty database, removed at the
	// test's end.
	dsn func(t testing.TB) string
}

// backends lists SQLite always and PostgreSQL when envPostgres is set.
func backends() []testBackend {
	out := []testBackend{{name: SQLite, dsn: sqliteDSNForTest}}
	if base := os.Getenv(envPostgres); base != "" {
		out = append(out, testBackend{name: PostgreSQL, dsn: func(t testing.TB) string { return postgresDSNForTest(t, base) }})
	}
	return out
}

// forEachBackend runs f as a parallel subtest per backend.
func forEachBackend(t *testing.T, f func(t *testing.T, b testBackend)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(string(b.name), func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}

func sqliteDSNForTest(t testing.TB) string {
	// A folder that does not exist yet: Open must create it.
	return "sqlite:" + filepath.Join(t.TempDir(), "sub", "test.db")
}

// postgresDSNForTest creates a schema of its own for the test and returns a
// URL whose search_path is that schema.
func postgresDSNForTest(t testing.TB, base string) string {
	t.Helper()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	schema := "t_" + hex.EncodeToString(rnd[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open admin: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// open opens dsn and closes it at the test's end.
func open(t testing.TB, dsn string, opts Options) *DB {
	t.Helper()
	d, err := Open(testCtx(t), dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// testCtx is a context bounded in time and ended with the test.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t testing.TB, d *DB, query string, params ...any) ExecResult {
	t.Helper()
	res, err := d.Exec(testCtx(t), query, params...)
	if err != nil {
		t.Fatalf("Exec %q: %v", query, err)
	}
	return res
}

func mustQuery(t testing.TB, d *DB, query string, params ...any) []Row {
	t.Helper()
	rows, err := d.Query(testCtx(t), query, params...)
	if err != nil {
		t.Fatalf("Query %q: %v", query, err)
	}
	return rows
}

// count returns SELECT count(*) FROM table.
func count(t testing.TB, d *DB, table string) int64 {
	t.Helper()
	rows := mustQuery(t, d, "SELECT count(*) AS n FROM "+table)
	n, ok := rows[0][0].Value.(int64)
	if !ok {
		t.Fatalf("count: got %T %v", rows[0][0].Value, rows[0][0].Value)
	}
	return n
}

// blobType is the binary column type of b.
func blobType(b Backend) string {
	if b == PostgreSQL {
		return "BYTEA"
	}
	return "BLOB"
}
