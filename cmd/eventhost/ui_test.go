package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/eventhost/eventhost/host/ui"
)

// httpGet fetches path from the server with the given Origin ("" for none)
// and returns the status and body.
func httpGet(t testing.TB, srv *testServer, path, origin string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+srv.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// srvRoutes reads GET /api/routes.
func srvRoutes(t testing.TB, srv *testServer) []ui.Route {
	t.Helper()
	return srvStatus(t, srv).Routes
}

func srvStatus(t testing.TB, srv *testServer) ui.Status {
	t.Helper()
	code, body := httpGet(t, srv, "/api/routes", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/routes: %d %s", code, body)
	}
	var st ui.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("GET /api/routes: %v in %s", err, body)
	}
	return st
}

// TestUIServed: GET / is the page, GET /api/routes the shipped route table
// with each route's file named from the scripts folder (-scripts is
// ../../scripts here), beside a working /ws.
func TestUIServed(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../scripts", "-watch=false")
	code, body := httpGet(t, srv, "/", "")
	if code != http.StatusOK || !strings.Contains(body, "<title>eventhost</title>") {
		t.Fatalf("GET /: %d %.200s", code, body)
	}
	st := srvStatus(t, srv)
	if st.Dir != "../../scripts" || st.Generation != 1 || st.Watching || st.Auth || st.LastError != nil || len(st.Routes) != 13 {
		t.Errorf("GET /api/routes: %+v", st)
	}
	files := map[string]string{}
	for _, r := range st.Routes {
		files[r.Event] = r.File + "#" + r.Export
	}
	for event, want := range map[string]string{
		"api.hello.greeting": "scripts/api/hello.js#greeting",
		"api.ping":           "scripts/api/ping.js#default",
		"api.stats.summary":  "scripts/api/stats.ts#summary",
	} {
		if files[event] != want {
			t.Errorf("route %s: %q, want %q", event, files[event], want)
		}
	}
	if code, _ := httpGet(t, srv, "/nope", ""); code != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", code)
	}
	if !strings.Contains(srv.logs.String(), "http://127.0.0.1:") {
		t.Errorf("the log does not say where the page is:\n%s", srv.logs)
	}
	c := dial(t, srv.url)
	c.ok("api.ping", "", `"pong"`)
}

// TestUIOff: -ui=false, or EVENTHOST_UI=false, serves neither the page nor
// the route table.
func TestUIOff(t *testing.T) {
	t.Parallel()
	for name, flags := range map[string][]string{"flag": {"-ui=false"}, "env": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			getenv := func(string) string { return "" }
			if flags == nil {
				getenv = func(k string) string {
					if k == "EVENTHOST_UI" {
						return "false"
					}
					return ""
				}
			}
			cfg, err := parseServeFlags(flags, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ui {
				t.Fatalf("%s: the page is on", name)
			}
		})
	}
	srv := startServer(t, "-scripts", "../../scripts", "-watch=false", "-ui=false")
	for _, path := range []string{"/", "/api/routes", "/ui/app.js"} {
		if code, _ := httpGet(t, srv, path, ""); code != http.StatusNotFound {
			t.Errorf("-ui=false: GET %s: %d, want 404", path, code)
		}
	}
	if code, _ := httpGet(t, srv, "/healthz", ""); code != http.StatusOK {
		t.Errorf("-ui=false: GET /healthz: %d", code)
	}
}

// TestUIOrigin: the page and its data follow the Origin rules of /ws: the
// server's own host and -allow-origin are served, another origin gets 403.
func TestUIOrigin(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../scripts", "-watch=false", "-allow-origin", "https://app.example")
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"", 200},
		{"http://" + srv.addr, 200},
		{"https://app.example", 200},
		{"https://evil.example", 403},
	} {
		for _, path := range []string{"/", "/api/routes"} {
			if code, _ := httpGet(t, srv, path, tc.origin); code != tc.want {
				t.Errorf("GET %s with Origin %q: %d, want %d", path, tc.origin, code, tc.want)
			}
		}
	}
	// The page's own WebSocket: same origin, accepted.
	c, _, err := dialHeader(t, srv.url, http.Header{"Origin": {"http://" + srv.addr}})
	if err != nil {
		t.Fatalf("/ws from the page's origin: %v", err)
	}
	c.ok("api.ping", "", `"pong"`)
}

// TestUIAuth: with -jwt-secret the route table says handshakes need a
// token, and the page's way of sending one (?token=) is accepted.
func TestUIAuth(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("k", 32)
	srv := startServer(t, "-scripts", "../../scripts", "-watch=false", "-jwt-secret", secret)
	if st := srvStatus(t, srv); !st.Auth {
		t.Errorf("GET /api/routes with -jwt-secret: auth %v", st.Auth)
	}
	if _, resp, err := dialHeader(t, srv.url, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/ws without a token: %v", err)
	}
	c := dial(t, srv.url+"?token="+token(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"sub": "page"}))
	c.ok("api.ping", "", `"pong"`)
}

func TestPageURL(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"[::]:8080":      "http://localhost:8080/",
		"0.0.0.0:8080":   "http://localhost:8080/",
		":8080":          "http://localhost:8080/",
		"127.0.0.1:9000": "http://127.0.0.1:9000/",
		"[::1]:80":       "http://[::1]:80/",
	} {
		if got := pageURL(addr); got != want {
			t.Errorf("pageURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
