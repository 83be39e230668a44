package httpapi_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/httpapi"
)

// jsonHeader is the header of an authorised JSON request.
func jsonHeader(auth string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	return h
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t)
	body := `{"event":"x"}`
	tests := []struct {
		name, auth, challenge string
	}{
		{"missing", "", `Bearer realm="eventhost"`},
		{"wrong token", "Bearer " + token + "x", `Bearer realm="eventhost", error="invalid_token"`},
		{"prefix of the token", "Bearer " + token[:10], `Bearer realm="eventhost", error="invalid_token"`},
		{"empty token", "Bearer  ", `Bearer realm="eventhost"`}, // net/http trims the header to "Bearer"
		{"other token", "Bearer x" + token, `Bearer realm="eventhost", error="invalid_token"`},
		{"no token", "Bearer", `Bearer realm="eventhost"`},
		{"basic", "Basic " + token, `Bearer realm="eventhost"`},
		{"token alone", token, `Bearer realm="eventhost"`},
	}
	for _, tt := range tests {
		for _, path := range []string{httpapi.PathEmit, httpapi.PathDisconnect} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				ans := s.do(t, http.MethodPost, path, strings.NewReader(body), jsonHeader(tt.auth))
				ans.refused(t, http.StatusUnauthorized, httpapi.CodeUnauthorized, "token")
				if got := ans.header.Get("WWW-Authenticate"); got != tt.challenge {
					t.Fatalf("WWW-Authenticate %q, want %q", got, tt.challenge)
				}
			})
		}
	}
	a.wantNothing(t)
	// The scheme is case-insensitive.
	s.do(t, http.MethodPost, httpapi.PathEmit, strings.NewReader(body), jsonHeader("bearer "+token)).
		want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":false,"published":false}`)
	a.wantPush(t, "x", "null")
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	for _, path := range []string{httpapi.PathEmit, httpapi.PathDisconnect} {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			t.Run(method+" "+path, func(t *testing.T) {
				ans := s.do(t, method, path, nil, jsonHeader("Bearer "+token))
				ans.refused(t, http.StatusMethodNotAllowed, httpapi.CodeMethodNotAllowed, "use POST")
				if got := ans.header.Get("Allow"); got != "POST" {
					t.Fatalf("Allow %q, want POST", got)
				}
			})
		}
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t)
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx", "application/json; x=1", "application/json;;"} {
		for _, path := range []string{httpapi.PathEmit, httpapi.PathDisconnect} {
			t.Run(ct+" "+path, func(t *testing.T) {
				h := http.Header{"Authorization": {"Bearer " + token}}
				if ct != "" {
					h.Set("Content-Type", ct)
				}
				s.do(t, http.MethodPost, path, strings.NewReader(`{"event":"x"}`), h).
					refused(t, http.StatusUnsupportedMediaType, httpapi.CodeUnsupportedMediaType, "application/json")
			})
		}
	}
	a.wantNothing(t)
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		h := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {ct}}
		s.do(t, http.MethodPost, httpapi.PathEmit, strings.NewReader(`{"event":"x"}`), h).
			want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":false,"published":false}`)
		a.wantPush(t, "x", "null")
	}
}

// unsized hides a reader's length, so that the request is sent chunked.
type unsized struct{ io.Reader }

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t)
	// A body of exactly MaxBody bytes is served.
	pad := `{"event":"big","data":"`
	fits := pad + strings.Repeat("x", httpapi.MaxBody-len(pad)-2) + `"}`
	if len(fits) != httpapi.MaxBody {
		t.Fatalf("body of %d bytes", len(fits))
	}
	s.post(t, httpapi.PathEmit, fits).want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":false,"published":false}`)
	if f := a.Next(t); f.Event != "big" || len(f.Data) != httpapi.MaxBody-len(pad)-2+2 {
		t.Fatalf("push %s of %d data bytes", f.Event, len(f.Data))
	}
	a.wantNothing(t)

	over := pad + strings.Repeat("x", httpapi.MaxBody-len(pad)-1) + `"}`
	for _, sized := range []bool{true, false} {
		var body io.Reader = strings.NewReader(over)
		if !sized {
			body = unsized{body}
		}
		for _, path := range []string{httpapi.PathEmit, httpapi.PathDisconnect} {
			s.do(t, http.MethodPost, path, body, jsonHeader("Bearer "+token)).
				refused(t, http.StatusRequestEntityTooLarge, httpapi.CodePayloadTooLarge, "over 1048576 bytes")
			body = strings.NewReader(over)
			if !sized {
				body = unsized{body}
			}
		}
	}
	a.wantNothing(t)
}

// logBuffer collects a logger's text output.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestOffWithoutToken(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	srv := host.New(rooms, host.Config{Logger: discard})
	httpapi.Mount(srv, "", slog.New(slog.NewTextHandler(&logs, nil)))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	s := &apiServer{Server: srv, url: ts.URL, wsURL: "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"}
	if got := strings.Count(logs.String(), "the HTTP API is off"); got != 1 {
		t.Fatalf("log %q: want the API's being off said once", logs.String())
	}
	a := s.dial(t)
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		ans := s.do(t, http.MethodPost, httpapi.PathEmit, strings.NewReader(`{"event":"x"}`), jsonHeader(auth))
		if ans.status != http.StatusNotFound {
			t.Fatalf("Authorization %q: status %d (%s), want 404: nothing is mounted", auth, ans.status, ans.raw)
		}
	}
	a.wantNothing(t)

	// New with an empty token refuses everything, an empty bearer token
	// included.
	api := httptest.NewServer(httpapi.New(srv, "", discard))
	t.Cleanup(api.Close)
	off := &apiServer{url: api.URL}
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		off.do(t, http.MethodPost, httpapi.PathEmit, strings.NewReader(`{"event":"x"}`), jsonHeader(auth)).
			refused(t, http.StatusNotFound, httpapi.CodeNotFound, "no such API endpoint")
	}
	a.wantNothing(t)
}

func TestMountLogsAndOtherPaths(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	srv := host.New(rooms, host.Config{Logger: discard})
	httpapi.Mount(srv, "short", slog.New(slog.NewTextHandler(&logs, nil)))
	for _, want := range []string{"the API token is short", "the HTTP API is on"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log %q lacks %q", logs.String(), want)
		}
	}
	// The handler of New answers its own paths only.
	api := httptest.NewServer(httpapi.New(srv, token, discard))
	t.Cleanup(api.Close)
	s := &apiServer{url: api.URL}
	for _, path := range []string{"/api/emit/", "/api", "/api/other", "/"} {
		s.post(t, path, `{"event":"x"}`).refused(t, http.StatusNotFound, httpapi.CodeNotFound, "no such API endpoint")
	}
}
