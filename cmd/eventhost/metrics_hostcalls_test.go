package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// hostCallScripts fetch (a plain fetch, and one aborted by an
// AbortController) and use the database as the shipped scripts do.
var hostCallScripts = map[string]string{
	"_migrations/001_notes.sql": "CREATE TABLE notes (body TEXT NOT NULL);\n",
	"f.js": `
export async function get(socket, url) {
  try { const r = await fetch(url); await r.arrayBuffer(); return r.status }
  catch (e) { return e.cause.code || e.cause.message }
}
export async function abort(socket, url) {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  try { await fetch(url, { signal: ac.signal }); return "not aborted" }
  catch (e) { return e.name }
}
`,
	"notes.js": `import { db } from "eventhost";
export async function add(socket, body) { return (await db.exec("INSERT INTO notes (body) VALUES (?)", body)).rowsAffected }
export async function count() { return (await db.query("SELECT count(*) AS n FROM notes"))[0].n }
export async function all() { return (await db.query("SELECT body FROM notes")).map((r) => r.body) }
export async function bad() { return db.query("SELECT nope FROM nowhere") }
export async function txAdd(socket, bodies) {
  return db.tx(async (tx) => {
    for (const body of bodies) await tx.exec("INSERT INTO notes (body) VALUES (?)", body);
    return (await tx.query("SELECT count(*) AS n FROM notes"))[0].n;
  });
}
export async function txThrow(socket, body) {
  await db.tx(async (tx) => {
    await tx.exec("INSERT INTO notes (body) VALUES (?)", body);
    throw Object.assign(new Error("rolled back on purpose"), { code: "rolled_back" });
  });
}
export async function slow() {
  return (await db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000) SELECT count(*) AS n FROM c"))[0].n;
}
`,
}

// TestMetricsHostCalls: a real server whose scripts fetch from a loopback
// HTTP server and use its SQLite database; /metrics counts each fetch by
// outcome and each database call by kind and outcome, by exact amounts.
func TestMetricsHostCalls(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, "fine")
		case "/missing":
			http.NotFound(w, r)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 4096))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	t.Cleanup(up.Close)
	t.Cleanup(func() { close(release) }) // runs before up.Close
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(up.URL, "http://"))
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close() // nothing listens there now: the fetch is refused

	srv := startServer(t, "-scripts", writeScripts(t, hostCallScripts), "-watch=false", "-timeout", "5s",
		"-fetch-allow", "127.0.0.1:"+port+","+closedAddr, "-fetch-timeout", "300ms", "-fetch-max-body", "1KiB",
		"-db-max-rows", "2", "-metrics-addr", "127.0.0.1:0", "-log-level", "info")
	maddr := metricsAddr(t, srv)
	before := scrape(t, maddr)
	for _, o := range []string{"ok", "timeout", "aborted", "not_allowed", "body_too_large", "network", "other"} {
		if v := value(before, "eventhost_fetch_requests_total", "outcome", o); v != 0 {
			t.Errorf("fetches %s before any = %v, want 0", o, v)
		}
	}

	c := dial(t, srv.url)
	q := strconv.Quote
	c.ok("f.get", q(up.URL+"/ok"), "200")
	c.ok("f.get", q(up.URL+"/missing"), "404") // a response: ok
	c.ok("f.get", q(up.URL+"/slow"), `"ETIMEDOUT"`)
	c.ok("f.abort", q(up.URL+"/slow"), `"AbortError"`)
	c.ok("f.get", q("http://localhost:"+port+"/ok"), `"ERR_FETCH_NOT_ALLOWED"`)
	c.ok("f.get", q(up.URL+"/big"), `"ERR_FETCH_BODY_TOO_LARGE"`)
	c.ok("f.get", q("http://"+closedAddr+"/"), `"ECONNREFUSED"`)
	c.ok("f.get", q("ftp://127.0.0.1:"+port+"/"), `"ERR_FETCH_SCHEME"`)

	for _, body := range []string{"a", "b", "c"} {
		c.ok("notes.add", q(body), "1")
	}
	c.ok("notes.count", "", "3")
	if f := c.call("notes.all", ""); f.err == nil { // three rows, -db-max-rows 2
		t.Errorf("notes.all with more rows than -db-max-rows: %s", f.raw)
	}
	if f := c.call("notes.bad", ""); f.err == nil {
		t.Errorf("notes.bad: %s", f.raw)
	}
	c.ok("notes.txAdd", `["d","e"]`, "5")
	c.fails("notes.txThrow", `"f"`, "rolled_back")

	// A slow query whose connection goes: its context ends, and SQLite
	// stops.
	gone := dial(t, srv.url)
	gone.request("notes.slow", "")
	eventually(t, "the slow query in flight", func() bool {
		return value(scrape(t, maddr), "eventhost_engine_async_ops") == 1
	})
	_ = gone.conn.Close()

	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"eventhost_fetch_requests_total", []string{"outcome", "ok"}, 2},
		{"eventhost_fetch_requests_total", []string{"outcome", "timeout"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "aborted"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "not_allowed"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "body_too_large"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "network"}, 1},
		{"eventhost_fetch_requests_total", []string{"outcome", "other"}, 1},
		{"eventhost_fetch_duration_seconds", nil, 8},
		{"eventhost_db_statements_total", []string{"kind", "exec", "outcome", "ok"}, 3 + 2 + 1},
		{"eventhost_db_statements_total", []string{"kind", "exec", "outcome", "error"}, 0},
		{"eventhost_db_statements_total", []string{"kind", "query", "outcome", "ok"}, 2},
		{"eventhost_db_statements_total", []string{"kind", "query", "outcome", "too_many_rows"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "query", "outcome", "error"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "query", "outcome", "canceled"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "tx", "outcome", "ok"}, 1},
		{"eventhost_db_statements_total", []string{"kind", "tx", "outcome", "error"}, 1},
		{"eventhost_db_statement_duration_seconds", []string{"kind", "query"}, 5},
		{"eventhost_db_statement_duration_seconds", []string{"kind", "exec"}, 6},
		{"eventhost_db_statement_duration_seconds", []string{"kind", "tx"}, 2},
	}
	var after map[string]*dto.MetricFamily
	eventually(t, "the slow query cancelled", func() bool {
		after = scrape(t, maddr)
		return value(after, "eventhost_db_statements_total", "kind", "query", "outcome", "canceled") == 1
	})
	for _, w := range want {
		if got := value(after, w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
}
