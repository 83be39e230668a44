package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host/ui"
)

func get(t *testing.T, h http.Handler, method, path string, header http.Header) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func TestPaths(t *testing.T) {
	t.Parallel()
	h := ui.New(ui.Config{})
	tests := []struct {
		name, method, path string
		status             int
		contentType        string
		contains           string
	}{
		{"page", "GET", "/", 200, "text/html; charset=utf-8", `<script src="/ui/app.js"`},
		{"page head", "HEAD", "/", 200, "text/html; charset=utf-8", ""},
		{"script", "GET", "/ui/app.js", 200, "text/javascript; charset=utf-8", `new WebSocket(`},
		{"style", "GET", "/ui/style.css", 200, "text/css; charset=utf-8", `#log`},
		{"routes", "GET", "/api/routes", 200, "application/json", `"routes":[]`},
		{"only exactly /", "GET", "/index.html", 404, "", ""},
		{"below /", "GET", "/x", 404, "", ""},
		{"unknown asset", "GET", "/ui/nope.js", 404, "", ""},
		{"asset folder", "GET", "/ui/", 404, "", ""},
		{"the page has one address", "GET", "/ui/index.html", 301, "", ""},
		{"post", "POST", "/", 405, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := get(t, h, tc.method, tc.path, nil)
			b := body(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s: status %d, want %d; body %q", tc.method, tc.path, resp.StatusCode, tc.status, b)
			}
			if tc.contentType != "" && resp.Header.Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tc.contentType)
			}
			if !strings.Contains(b, tc.contains) {
				t.Errorf("body does not contain %q:\n%s", tc.contains, b)
			}
		})
	}
}

func TestPageHeaders(t *testing.T) {
	t.Parallel()
	h := ui.New(ui.Config{})
	resp := get(t, h, "GET", "/", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	again := get(t, h, "GET", "/", http.Header{"If-None-Match": {etag}})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match the ETag: status %d, want 304", again.StatusCode)
	}
}

func TestRoutesJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := ui.Status{
		Dir: "./scripts", Generation: 3, Built: at, Watching: true, Auth: true,
		Routes:    []ui.Route{{Event: "api.ping", File: "scripts/api/ping.js", Export: "default"}},
		LastError: &ui.BuildError{Message: "scripts/api/x.js:1:4: Expected \";\"", At: at},
	}
	h := ui.New(ui.Config{Status: func() ui.Status { return st }})
	resp := get(t, h, "GET", "/api/routes", nil)
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body(t, resp)), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"dir": "./scripts", "generation": 3.0, "built": "2026-01-02T03:04:05Z", "watching": true, "auth": true,
		"routes":     []any{map[string]any{"event": "api.ping", "file": "scripts/api/ping.js", "export": "default"}},
		"last_error": map[string]any{"message": "scripts/api/x.js:1:4: Expected \";\"", "at": "2026-01-02T03:04:05Z"},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("GET /api/routes:\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	h := ui.New(ui.Config{AllowOrigin: func(r *http.Request) bool {
		o := r.Header.Get("Origin")
		return o == "" || o == "http://"+r.Host
	}})
	for _, path := range []string{"/", "/ui/app.js", "/api/routes"} {
		// httptest.NewRequest's Host is example.com.
		if resp := get(t, h, "GET", path, http.Header{"Origin": {"http://evil.test"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s from another origin: status %d, want 403", path, resp.StatusCode)
		}
		if resp := get(t, h, "GET", path, http.Header{"Origin": {"http://example.com"}}); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s from its own origin: status %d, want 200", path, resp.StatusCode)
		}
		if resp := get(t, h, "GET", path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s without Origin: status %d, want 200", path, resp.StatusCode)
		}
	}
}

// TestMount serves the page beside another handler on one mux, as
// cmd/eventhost does on the host's mux beside /ws.
func TestMount(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ws") })
	ui.Mount(mux, ui.Config{})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for path, want := range map[string]int{"/": 200, "/ws": 200, "/api/routes": 200, "/ui/app.js": 200, "/other": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
}
