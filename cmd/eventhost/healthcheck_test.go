package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealthcheckCommand: the image's HEALTHCHECK against a real server,
// found through EVENTHOST_ADDR as in the container, through -addr and -url;
// a port nobody listens on and a draining answer fail with exit 1.
func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", writeScripts(t, map[string]string{"api/x.js": "export function f() { return 1 }\n"}))
	_, port, err := net.SplitHostPort(srv.addr)
	if err != nil {
		t.Fatal(err)
	}

	// A listener closed at once: its port refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	draining := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"ok":false}`))
	}))
	t.Cleanup(draining.Close)
	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hello"))
	}))
	t.Cleanup(notJSON.Close)

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		msg  string // in stderr
	}{
		{name: "env addr", args: []string{"healthcheck"}, env: map[string]string{"EVENTHOST_ADDR": ":" + port}},
		{name: "flag addr", args: []string{"healthcheck", "-addr", srv.addr}},
		{name: "flag wins over env", args: []string{"healthcheck", "-addr", "127.0.0.1:" + port}, env: map[string]string{"EVENTHOST_ADDR": closed}},
		{name: "url", args: []string{"healthcheck", "-url", "http://" + srv.addr + "/healthz"}},
		{name: "refused", args: []string{"healthcheck", "-addr", closed}, code: 1, msg: "GET http://" + closed + "/healthz"},
		{name: "draining", args: []string{"healthcheck", "-url", draining.URL}, code: 1, msg: "503 Service Unavailable, ok=false"},
		{name: "not json", args: []string{"healthcheck", "-url", notJSON.URL}, code: 1, msg: "body:"},
		{name: "bad addr", args: []string{"healthcheck", "-addr", "8080"}, code: 2, msg: `address "8080"`},
		{name: "extra argument", args: []string{"healthcheck", "now"}, code: 2, msg: "Usage: eventhost healthcheck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, tc.args, tc.env)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tc.code, stdout, stderr)
			}
			if tc.code == 0 && stdout != "ok\n" {
				t.Errorf("stdout %q, want ok", stdout)
			}
			if !strings.Contains(stderr, tc.msg) {
				t.Errorf("stderr %q lacks %q", stderr, tc.msg)
			}
		})
	}
}

// TestHealthURL: listen addresses become loopback health URLs.
func TestHealthURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ addr, want string }{
		{":8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/healthz"},
		{"[::]:8080", "http://[::1]:8080/healthz"},
		{"127.0.0.2:80", "http://127.0.0.2:80/healthz"},
		{"eventhost:8080", "http://eventhost:8080/healthz"},
	} {
		if got, err := healthURL(tc.addr); err != nil || got != tc.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}
