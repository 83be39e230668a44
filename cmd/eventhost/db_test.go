package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/db"
)

// envPostgres names the variable holding a PostgreSQL URL for the tests
// (.ci/postgres.sh prints it; make test sets it).
const envPostgres = "EVENTHOST_TEST_POSTGRES"

// postgresSkipNotice is printed once by TestMain when the PostgreSQL tests
// are skipped; with CI=true the run fails instead.
func postgresSkipNotice() (fail bool) {
	if os.Getenv(envPostgres) != "" {
		return false
	}
	if os.Getenv("CI") == "true" {
		fmt.Fprintf(os.Stderr, "cmd/eventhost: CI=true but %s is not set: start PostgreSQL with .ci/postgres.sh\n", envPostgres)
		return true
	}
	fmt.Fprintf(os.Stderr, "cmd/eventhost: PostgreSQL tests skipped: %s is not set (see .ci/postgres.sh)\n", envPostgres)
	return false
}

// dbBackend makes fresh, empty databases of one backend for a server's -db.
type dbBackend struct {
	name string
	// dsn returns the -db of a new empty database, dropped at the test's end.
	dsn func(t testing.TB) string
	// blob is the backend's name for a binary column type.
	blob string
	// slow is a query that runs far longer than any test.
	slow string
}

// dbBackends lists SQLite always, and PostgreSQL when envPostgres is set.
func dbBackends() []dbBackend {
	out := []dbBackend{{
		name: "sqlite",
		dsn:  func(t testing.TB) string { return filepath.Join(t.TempDir(), "data", "eventhost.db") },
		blob: "BLOB",
		slow: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000) SELECT count(*) AS n FROM c",
	}}
	if base := os.Getenv(envPostgres); base != "" {
		out = append(out, dbBackend{
			name: "postgres",
			dsn:  func(t testing.TB) string { return postgresSchema(t, base) },
			blob: "BYTEA",
			slow: "SELECT pg_sleep(600) AS n",
		})
	}
	return out
}

// forEachDB runs f as a parallel subtest per backend.
func forEachDB(t *testing.T, f func(t *testing.T, b dbBackend)) {
	t.Helper()
	for _, b := range dbBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}

// postgresSchema creates a schema of its own for the test and returns a URL
// whose search_path is that schema.
func postgresSchema(t testing.TB, base string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	admin, err := db.Open(ctx, base, db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("open %s: %v", envPostgres, err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	schema := "cmd_" + hex.EncodeToString(rnd[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		_ = admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// notesScripts is a scripts folder for the database tests: a notes table
// (and a table of every value type) made by a migration, and handlers.
func notesScripts(t testing.TB, b dbBackend) string {
	return writeScripts(t, map[string]string{
		"_migrations/001_notes.sql": `CREATE TABLE notes (body TEXT NOT NULL);
CREATE TABLE vals (b BOOLEAN, i BIGINT, f DOUBLE PRECISION, s TEXT, raw ` + b.blob + `, at TIMESTAMP);
`,
		"notes.js": `import { db } from "eventhost";
export async function add(socket, body) { return (await db.exec("INSERT INTO notes (body) VALUES (?)", body)).rowsAffected }
export async function count() { return (await db.query("SELECT count(*) AS n FROM notes"))[0].n }
export async function find(socket, body) { return (await db.query("SELECT body FROM notes WHERE body = ?", body)).map(r => r.body) }
export async function txThrow(socket, body) {
  await db.tx(async (tx) => {
    await tx.exec("INSERT INTO notes (body) VALUES (?)", body);
    throw Object.assign(new Error("rolled back on purpose"), { code: "rolled_back" });
  });
}
export async function txAdd(socket, bodies) {
  return db.tx(async (tx) => {
    for (const body of bodies) await tx.exec("INSERT INTO notes (body) VALUES (?)", body);
    return (await tx.query("SELECT count(*) AS n FROM notes"))[0].n;
  });
}
export async function slow() { return (await db.query(` + "`" + b.slow + "`" + `))[0].n }
export async function types() {
  await db.exec("INSERT INTO vals (b, i, f, s, raw, at) VALUES (?, ?, ?, ?, ?, ?)",
    true, 2n ** 62n + 1n, 1.5, "héllo", new Uint8Array([0, 1, 255]), new Date("2026-01-02T03:04:05.678Z"));
  await db.exec("INSERT INTO vals (b, i, f, s, raw, at) VALUES (?, ?, ?, ?, ?, ?)", null, null, null, null, null, null);
  const rows = await db.query("SELECT b, i, f, s, raw, at FROM vals ORDER BY s IS NULL, s");
  return rows.map((r) => Object.entries(r).map(([k, v]) =>
    k + "=" + (v === null ? "null" : v instanceof Uint8Array ? "bytes:" + v.join(",") : v instanceof Date ? "date:" + v.toISOString() :
      typeof v + ":" + String(v))).join(" "));
}
`,
	})
}

// startDB starts a server on scripts with the database dsn.
func startDB(t testing.TB, scripts, dsn string, args ...string) *testServer {
	t.Helper()
	return startServer(t, append([]string{"-scripts", scripts, "-db", dsn}, args...)...)
}

// TestDBInsertsFromManyConnections: 1000 inserts from 20 connections at
// once give exactly 1000 rows, on each backend.
func TestDBInsertsFromManyConnections(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		srv := startDB(t, notesScripts(t, b), b.dsn(t))
		const conns, each = 20, 50
		var wg sync.WaitGroup
		for i := range conns {
			c := dial(t, srv.url)
			wg.Go(func() {
				for j := range each {
					c.request("notes.add", fmt.Sprintf(`"note %d-%d"`, i, j))
				}
				for range each { // replies may come in any order
					if f := c.next(); f.err != nil || string(f.data) != "1" {
						t.Errorf("add: %s", f.raw)
					}
				}
			})
		}
		wg.Wait()
		dial(t, srv.url).ok("notes.count", "", "1000")
	})
}

// TestDBTransactions: a throw inside tx rolls its writes back and reaches
// the client with its code; a transaction that returns commits.
func TestDBTransactions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		srv := startDB(t, notesScripts(t, b), b.dsn(t))
		c := dial(t, srv.url)
		if msg := c.fails("notes.txThrow", `"doomed"`, "rolled_back"); msg != "rolled back on purpose" {
			t.Errorf("txThrow message %q", msg)
		}
		c.ok("notes.find", `"doomed"`, `[]`)
		c.ok("notes.txAdd", `["a","b","c"]`, "3")
		c.ok("notes.count", "", "3")
	})
}

// TestDBParametersStayData: a parameter holding SQL is bound as a value:
// the table survives and the text is stored as it was.
func TestDBParametersStayData(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		srv := startDB(t, notesScripts(t, b), b.dsn(t))
		c := dial(t, srv.url)
		const evil = `"'; DROP TABLE notes; --"`
		c.ok("notes.add", evil, "1")
		c.ok("notes.find", evil, `[`+evil+`]`)
		c.ok("notes.count", "", "1")
	})
}

// TestDBValueTypes: every type of the mapping goes in and comes back, on
// each backend.
func TestDBValueTypes(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		srv := startDB(t, notesScripts(t, b), b.dsn(t))
		want := `["b=boolean:true i=bigint:4611686018427387905 f=number:1.5 s=string:héllo raw=bytes:0,1,255 at=date:2026-01-02T03:04:05.678Z",` +
			`"b=null i=null f=null s=null raw=null at=null"]`
		f := dial(t, srv.url).call("notes.types", "")
		if f.err != nil {
			t.Fatalf("types: %s", f.raw)
		}
		if !jsonEqual(string(f.data), want) {
			t.Fatalf("types:\n got %s\nwant %s", f.data, want)
		}
	})
}

// TestDBRestartKeepsData: what one server wrote, the next one on the same
// database reads; the applied migration is not applied again.
func TestDBRestartKeepsData(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		scripts, dsn := notesScripts(t, b), b.dsn(t)
		first := startDB(t, scripts, dsn)
		dial(t, first.url).ok("notes.txAdd", `["kept 1","kept 2"]`, "2")
		first.logsContain(t, "migration applied", "001_notes.sql")
		if err := first.stop(); err != nil {
			t.Fatal(err)
		}
		second := startDB(t, scripts, dsn)
		c := dial(t, second.url)
		c.ok("notes.count", "", "2")
		c.ok("notes.find", `"kept 2"`, `["kept 2"]`)
		if strings.Contains(second.logs.String(), "migration applied") {
			t.Errorf("the restarted server applied a migration again:\n%s", second.logs)
		}
	})
}

// TestDBQueryCancelledAtTimeout: a query still running when its call times
// out is cancelled: with one connection in the pool, the next query gets
// it at once instead of waiting for the slow one.
func TestDBQueryCancelledAtTimeout(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		srv := startDB(t, notesScripts(t, b), b.dsn(t), "-timeout", "500ms", "-db-pool", "1")
		c := dial(t, srv.url)
		c.fails("notes.slow", "", "timeout")
		began := time.Now()
		c.ok("notes.count", "", "0")
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("the next query waited %v: the slow one was not cancelled", d)
		}
	})
}

// TestDBMigrations: a migration that fails on reload keeps the old
// generation serving and shows in /healthz; a save of a migration alone
// reloads and applies it; an applied migration that changed is an error;
// a failing migration at start stops the server from starting.
func TestDBMigrations(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		scripts := notesScripts(t, b)
		srv := startDB(t, scripts, b.dsn(t))
		c := dial(t, srv.url)
		c.ok("notes.add", `"before"`, "1")
		gen := srv.generation(t)

		// A bad migration, then a module that needs it: no reload succeeds.
		write(t, filepath.Join(scripts, "_migrations", "002_tags.sql"), "CREATE TABLE tags (name TEXT NOT NULL;\n")
		write(t, filepath.Join(scripts, "tags.js"), `import { db } from "eventhost";
export async function all() { return (await db.query("SELECT name FROM tags")).map(r => r.name) }
export async function add(socket, name) { return (await db.exec("INSERT INTO tags (name) VALUES (?)", name)).rowsAffected }
`)
		lastError := func() string {
			le, _ := srv.healthz(t)["status"].(map[string]any)["last_error"].(map[string]any)
			msg, _ := le["message"].(string)
			return msg
		}
		eventually(t, "the failed migration in /healthz", func() bool {
			return strings.Contains(lastError(), "_migrations/002_tags.sql: ")
		})
		srv.logsContain(t, "reload failed: the previous generation keeps serving", "002_tags.sql")
		c.ok("notes.count", "", "1")
		c.fails("tags.all", "", "unknown_event")
		if g := srv.generation(t); g != gen {
			t.Errorf("generation %v after a failed migration, want %v", g, gen)
		}

		// Saving the fixed migration alone reloads: it is applied, and the
		// module waiting for it is served.
		write(t, filepath.Join(scripts, "_migrations", "002_tags.sql"), "CREATE TABLE tags (name TEXT NOT NULL);\n")
		c.until("tags.add", `"first"`, returns("1"))
		c.ok("tags.all", "", `["first"]`)
		if msg := lastError(); msg != "" {
			t.Errorf("last_error after the fix: %q", msg)
		}
		srv.logsContain(t, "migration applied", "002_tags.sql")

		// Editing an applied migration is an error, not a silent skip.
		write(t, filepath.Join(scripts, "_migrations", "001_notes.sql"), "CREATE TABLE notes (body TEXT);\n")
		eventually(t, "the changed migration in /healthz", func() bool {
			msg := lastError()
			return strings.Contains(msg, "_migrations/001_notes.sql: ") && strings.Contains(msg, "applied migration has changed")
		})
		c.ok("notes.count", "", "1")
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}

		// At start, a failing migration stops the server.
		bad := notesScripts(t, b)
		write(t, filepath.Join(bad, "_migrations", "002_bad.sql"), "CREATE TABLE nope (;\n")
		code, _, stderr := runCLI(t, []string{"-addr", "127.0.0.1:0", "-scripts", bad}, map[string]string{"EVENTHOST_DB": b.dsn(t)})
		if code != 1 || !strings.Contains(stderr, "a migration failed, not starting: ") || !strings.Contains(stderr, "_migrations/002_bad.sql: ") {
			t.Fatalf("start with a bad migration: exit %d, stderr:\n%s", code, stderr)
		}
	})
}

// TestDBFlags: the database flags and their variables; a database that
// cannot be opened is a clear start-up error.
func TestDBFlags(t *testing.T) {
	t.Parallel()
	cfg, err := parseServeFlags([]string{"-db-pool", "3"}, func(k string) string {
		return map[string]string{"EVENTHOST_DB": "/tmp/x.db", "EVENTHOST_DB_POOL": "7", "EVENTHOST_DB_MAX_ROWS": "50"}[k]
	}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.db.dsn != "/tmp/x.db" || cfg.db.pool != 3 || cfg.db.maxRows != 50 {
		t.Fatalf("db config %+v", cfg.db)
	}
	if d, _ := parseServeFlags(nil, func(string) string { return "" }, &strings.Builder{}); d.db.dsn != "./data/eventhost.db" {
		t.Errorf("default -db %q", d.db.dsn)
	}
	for _, args := range [][]string{{"-db-pool", "0"}, {"-db-max-rows", "-1"}, {"-db", ""}} {
		if code, _, _ := runCLI(t, args, nil); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	blocker := filepath.Join(t.TempDir(), "file")
	write(t, blocker, "not a folder")
	code, _, stderr := runCLI(t, []string{"-addr", "127.0.0.1:0", "-scripts", writeScripts(t, map[string]string{"a.js": "export function f() {}\n"})},
		map[string]string{"EVENTHOST_DB": filepath.Join(blocker, "sub", "x.db")})
	if code != 1 || !strings.Contains(stderr, "-db ") {
		t.Fatalf("unopenable database: exit %d, stderr:\n%s", code, stderr)
	}
	if got := redactDSN("postgres://u:secret@h/db?password=also"); strings.Contains(got, "secret") || strings.Contains(got, "also") {
		t.Errorf("redactDSN kept a password: %s", got)
	}
}

// TestShippedChatHistory: the shipped chat room keeps its messages in the
// database (scripts/_migrations/001_chat.sql): chat.room.history returns
// them oldest first, also after a restart, and only to members.
func TestShippedChatHistory(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b dbBackend) {
		dsn := b.dsn(t)
		srv := startDB(t, "../../scripts", dsn, "-watch=false")
		ada := dial(t, srv.url+"?name=Ada")
		ada.ok("chat.room.join", `{"room":"lobby"}`, `{"room":"lobby","members":1}`)
		for _, text := range []string{"one", "two", "three"} {
			if f := ada.call("chat.room.say", `{"room":"lobby","text":"`+text+`"}`); f.err != nil {
				t.Fatalf("say: %s", f.raw)
			}
		}
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}

		srv = startDB(t, "../../scripts", dsn, "-watch=false")
		bob := dial(t, srv.url+"?name=Bob")
		bob.fails("chat.room.history", `{"room":"lobby"}`, "forbidden")
		bob.ok("chat.room.join", `{"room":"lobby"}`, `{"room":"lobby","members":1}`)
		type history struct {
			Room     string
			Messages []struct{ From, Text, At string }
		}
		read := func(limit int) history {
			t.Helper()
			f := bob.call("chat.room.history", fmt.Sprintf(`{"room":"lobby","limit":%d}`, limit))
			var h history
			if f.err != nil || json.Unmarshal(f.data, &h) != nil || h.Room != "lobby" || len(h.Messages) != limit {
				t.Fatalf("history of %d: %s", limit, f.raw)
			}
			return h
		}
		// Oldest first; messages of the same millisecond in any order.
		all := read(3)
		var texts []string
		for i, m := range all.Messages {
			texts = append(texts, m.Text)
			if m.From != "Ada" || i > 0 && m.At < all.Messages[i-1].At {
				t.Fatalf("history: %+v", all.Messages)
			}
		}
		if slices.Sort(texts); strings.Join(texts, ",") != "one,three,two" {
			t.Fatalf("history texts %v", texts)
		}
		last := read(1).Messages[0]
		if last.At != all.Messages[2].At {
			t.Fatalf("history of 1: %+v, want the newest of %+v", last, all.Messages)
		}
		bob.fails("chat.room.history", `{"room":"lobby","limit":0}`, "bad_request")
	})
}
