package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFetchFlags: the fetch flags and their EVENTHOST_* variables reach the
// config; bad values stop the command with exit 2.
func TestFetchFlags(t *testing.T) {
	t.Parallel()
	cfg, err := parseServeFlags([]string{"-fetch-timeout", "2s"}, func(k string) string {
		return map[string]string{"EVENTHOST_FETCH_MAX_BODY": "1KiB", "EVENTHOST_FETCH_MAX_INFLIGHT": "7",
			"EVENTHOST_FETCH_ALLOW": "api.example.com, 10.0.0.0/8,localhost:8080", "EVENTHOST_FETCH_TIMEOUT": "9s"}[k]
	}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.fetchTimeout != 2*time.Second || cfg.fetchMaxBody != 1<<10 || cfg.fetchMaxInflight != 7 ||
		strings.Join(cfg.fetchAllowList(), "|") != "api.example.com|10.0.0.0/8|localhost:8080" {
		t.Fatalf("config %+v", cfg)
	}
	for _, args := range [][]string{{"-fetch-timeout", "0s"}, {"-fetch-max-body", "0"}, {"-fetch-max-inflight", "0"},
		{"-fetch-allow", "a b"}, {"-fetch-allow", "10.0.0.0/99"}} {
		if _, err := parseServeFlags(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// TestFetchThroughServer: a handler served over /ws fetches from a
// loopback server, and -fetch-allow refuses a destination it does not
// list, naming the flag.
func TestFetchThroughServer(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"hello":"`+r.URL.Query().Get("name")+`"}`)
	}))
	t.Cleanup(up.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(up.URL, "http://"))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.js"), []byte(`
export async function get(socket, url) {
  try { const r = await fetch(url); return { status: r.status, body: await r.json() } }
  catch (e) { return { error: e.message, cause: e.cause.message } }
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "-scripts", dir, "-watch=false", "-fetch-allow", "127.0.0.1:"+port)
	c := dial(t, srv.url)
	c.ok("f.get", strconv.Quote(up.URL+"/?name=x"), `{"status":200,"body":{"hello":"x"}}`)
	f := c.call("f.get", strconv.Quote("http://localhost:"+port+"/"))
	if f.err != nil || !strings.Contains(string(f.data), `"error":"fetch failed"`) || !strings.Contains(string(f.data), "-fetch-allow") {
		t.Fatalf("refused fetch: %s %v", f.data, f.err)
	}
}
