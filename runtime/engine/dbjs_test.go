package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/db"
)

// sqlDB is a real db.DB as the engine's Database, as cmd wires it.
type sqlDB struct{ d *db.DB }

func (s sqlDB) Query(ctx context.Context, q string, p []any) (Rows, error) {
	rows, err := s.d.Query(ctx, q, p...)
	return testRows(rows), err
}
func (s sqlDB) Exec(ctx context.Context, q string, p []any) (ExecResult, error) {
	r, err := s.d.Exec(ctx, q, p...)
	return ExecResult{RowsAffected: r.RowsAffected, LastInsertID: r.LastInsertID}, err
}
func (s sqlDB) Tx(ctx context.Context, fn func(DatabaseTx) error) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return fn(sqlTx{tx}) })
}

type sqlTx struct{ tx *db.Tx }

func (s sqlTx) Query(ctx context.Context, q string, p []any) (Rows, error) {
	rows, err := s.tx.Query(ctx, q, p...)
	return testRows(rows), err
}
func (s sqlTx) Exec(ctx context.Context, q string, p []any) (ExecResult, error) {
	r, err := s.tx.Exec(ctx, q, p...)
	return ExecResult{RowsAffected: r.RowsAffected, LastInsertID: r.LastInsertID}, err
}

func testRows(rows []db.Row) Rows {
	var out Rows
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			if i == 0 {
				out.Columns = append(out.Columns, c.Name)
			}
			vals[j] = c.Value
		}
		out.Values = append(out.Values, vals)
	}
	return out
}

// openSQLite opens a fresh SQLite file with a notes table.
func openSQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "t.db"), db.Options{MaxRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Exec(context.Background(), "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, raw BLOB, at TIMESTAMP, big INTEGER, ok BOOLEAN)"); err != nil {
		t.Fatal(err)
	}
	return d
}

const dbModule = `
import { db } from "eventhost";
export async function add(socket, body) {
  const r = await db.exec("INSERT INTO notes (body) VALUES (?)", body);
  return r;
}
export async function all() { return (await db.query("SELECT id, body FROM notes ORDER BY id")).map(r => r.body) }
export async function types() {
  await db.exec("INSERT INTO notes (body, raw, at, big, ok) VALUES (?, ?, ?, ?, ?)",
    "t", new Uint8Array([1, 2, 3]), new Date("2026-01-02T03:04:05.678Z"), 2n ** 62n, true);
  const [r] = await db.query("SELECT body, raw, at, big, ok FROM notes WHERE body = ?", "t");
  return [Object.keys(r).join(), r.raw instanceof Uint8Array && r.raw.join(), r.at instanceof Date && r.at.toISOString(),
    typeof r.big, String(r.big), r.ok];
}
export async function txCommit() {
  const v = await db.tx(async (tx) => {
    await tx.exec("INSERT INTO notes (body) VALUES (?)", "a");
    await tx.exec("INSERT INTO notes (body) VALUES (?)", "b");
    return (await tx.query("SELECT count(*) AS n FROM notes"))[0].n;
  });
  return v;
}
export async function txThrow() {
  try {
    await db.tx(async (tx) => {
      await tx.exec("INSERT INTO notes (body) VALUES (?)", "doomed");
      throw Object.assign(new Error("changed my mind"), { code: "nope" });
    });
  } catch (e) {
    return e.message + "/" + e.code + "/" + (await db.query("SELECT count(*) AS n FROM notes WHERE body = 'doomed'"))[0].n;
  }
  return "no throw";
}
export async function txSyncThrow() {
  try { await db.tx((tx) => { throw new TypeError("sync") }) } catch (e) { return e instanceof TypeError && e.message }
}
export async function txLeak() {
  let kept;
  await db.tx(async (tx) => { kept = tx });
  try { await kept.query("SELECT 1"); return "used after the end" } catch (e) { return e.message }
}
export async function bad(socket, kind) {
  try {
    if (kind === "sql") await db.query(42);
    if (kind === "param") await db.query("SELECT ?", { a: 1 });
    if (kind === "syntax") await db.query("SELEKT 1");
    if (kind === "rows") await db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500) SELECT x FROM c");
    if (kind === "fn") await db.tx(42);
    return "no error";
  } catch (e) { return e.message }
}
export async function slow() {
  await db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000) SELECT count(*) FROM c");
  return "finished";
}
export function ping() { return "pong" }
`

func newDBEngine(t *testing.T, d Database, cfg Config) *Engine {
	t.Helper()
	cfg.DB = d
	return newEngine(t, map[string]string{"n.js": dbModule}, cfg)
}

// TestDBFromScripts: db.query, db.exec and db.tx from a handler, on a real
// SQLite file.
func TestDBFromScripts(t *testing.T) {
	t.Parallel()
	e := newDBEngine(t, sqlDB{openSQLite(t)}, Config{PoolSize: 1})
	call := func(event, data string) string {
		t.Helper()
		o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), event, data)
		if o.err != nil {
			t.Fatalf("%s: %v", event, o.err)
		}
		return string(o.res.Data)
	}
	if got := call("n.add", `"'; DROP TABLE notes; --"`); got != `{"rowsAffected":1,"lastInsertId":1}` {
		t.Fatalf("add: %s", got)
	}
	if got := call("n.all", ""); got != `["'; DROP TABLE notes; --"]` {
		t.Fatalf("all: %s", got)
	}
	if got := call("n.types", ""); got != `["body,raw,at,big,ok","1,2,3","2026-01-02T03:04:05.678Z","bigint","4611686018427387904",true]` {
		t.Fatalf("types: %s", got)
	}
	if got := call("n.txCommit", ""); got != "4" {
		t.Fatalf("txCommit: %s", got)
	}
	if got := call("n.txThrow", ""); got != `"changed my mind/nope/0"` {
		t.Fatalf("txThrow: %s", got)
	}
	if got := call("n.txSyncThrow", ""); got != `"sync"` {
		t.Fatalf("txSyncThrow: %s", got)
	}
	if got := call("n.txLeak", ""); !strings.Contains(got, "the transaction has ended") {
		t.Fatalf("txLeak: %s", got)
	}
	for kind, want := range map[string]string{
		"sql":    "db.query: the SQL must be a string",
		"param":  "db.query: parameter 1: objects and arrays are not bound",
		"syntax": "syntax error",
		"rows":   "db: query returned more than 100 rows",
		"fn":     "db.tx: the argument must be a function",
	} {
		if got := call("n.bad", `"`+kind+`"`); !strings.Contains(got, want) {
			t.Errorf("bad %s: %s, want it to contain %q", kind, got, want)
		}
	}
}

// TestDBNone: without a database, db calls reject with ErrNoDatabase's text.
func TestDBNone(t *testing.T) {
	t.Parallel()
	e := newDBEngine(t, nil, Config{PoolSize: 1})
	o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "n.all", "")
	if o.err == nil || !strings.Contains(o.err.Error(), ErrNoDatabase.Error()) {
		t.Fatalf("all without a database: %s %v", o.res.Data, o.err)
	}
}

// TestDBOffTheVM: a query running does not hold the VM: on a pool of one,
// other calls are answered while a slow query runs, and the query is
// interrupted when its call's deadline ends it.
func TestDBOffTheVM(t *testing.T) {
	t.Parallel()
	e := newDBEngine(t, sqlDB{openSQLite(t)}, Config{PoolSize: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	began := time.Now()
	slow := start(e, ctx, newSocket("s"), "n.slow", "")
	for i := range 20 {
		if o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "n.ping", ""); o.err != nil {
			t.Fatalf("ping %d: %v", i, o.err)
		}
	}
	select {
	case <-slow.finished:
		t.Fatalf("the slow query finished before the pings: %s %v", slow.res.Data, slow.err)
	default:
	}
	<-slow.finished
	if !errors.Is(slow.err, context.DeadlineExceeded) {
		t.Fatalf("slow: %s %v, want the deadline", slow.res.Data, slow.err)
	}
	// Close waits for host work: it returns only once the interrupted
	// query's goroutine has.
	e.Close()
	if d := time.Since(began); d > 15*time.Second {
		t.Fatalf("the query was not interrupted: %v", d)
	}
}

// TestDBTxRollsBackWhenTheCallEnds: a transaction whose function is still
// awaiting when the call times out rolls back, and the writer is free
// again for the next transaction.
func TestDBTxRollsBackWhenTheCallEnds(t *testing.T) {
	t.Parallel()
	d := openSQLite(t)
	e := newEngine(t, map[string]string{"n.js": `
import { db } from "eventhost";
export async function hang() {
  await db.tx(async (tx) => {
    await tx.exec("INSERT INTO notes (body) VALUES ('half')");
    await new Promise(() => {});
  });
}
export async function count() { return (await db.query("SELECT count(*) AS n FROM notes"))[0].n }
export async function write() { return (await db.tx(async (tx) => tx.exec("INSERT INTO notes (body) VALUES ('next')"))).rowsAffected }
`}, Config{PoolSize: 1, DB: sqlDB{d}})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if o := runCall(t, e, ctx, newSocket("s"), "n.hang", ""); !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("hang: %v", o.err)
	}
	if o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "n.write", ""); o.err != nil || string(o.res.Data) != "1" {
		t.Fatalf("write after the rolled back tx: %s %v", o.res.Data, o.err)
	}
	if o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "n.count", ""); o.err != nil || string(o.res.Data) != "1" {
		t.Fatalf("count: %s %v, want only the later row", o.res.Data, o.err)
	}
}

// TestDBConcurrentTx: transactions from many calls at once on a small pool
// each commit exactly their rows.
func TestDBConcurrentTx(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"n.js": `
import { db } from "eventhost";
export async function pair(socket, i) {
  return db.tx(async (tx) => {
    await tx.exec("INSERT INTO notes (body) VALUES (?)", "a" + i);
    await tx.exec("INSERT INTO notes (body) VALUES (?)", "b" + i);
    return i;
  });
}
export async function count() { return (await db.query("SELECT count(*) AS n FROM notes"))[0].n }
`}, Config{PoolSize: 2, DB: sqlDB{openSQLite(t)}})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "n.pair", strconv.Itoa(i)); o.err != nil || string(o.res.Data) != strconv.Itoa(i) {
				t.Errorf("pair %d: %s %v", i, o.res.Data, o.err)
			}
		})
	}
	wg.Wait()
	if o := runCall(t, e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "n.count", ""); string(o.res.Data) != "100" {
		t.Fatalf("count: %s %v", o.res.Data, o.err)
	}
}
