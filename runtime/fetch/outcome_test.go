package fetch_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/runtime/fetch"
)

// TestObserveOutcomes: Options.Observe is told each Do's error, and Outcome
// puts it in its bounded set, for real fetches against a loopback server.
func TestObserveOutcomes(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, "fine")
		case "/fail":
			w.WriteHeader(http.StatusInternalServerError)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 100))
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	t.Cleanup(up.Close)
	t.Cleanup(func() { close(release) })
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(up.URL, "http://"))
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	var mu sync.Mutex
	var told []string
	c, err := fetch.New(fetch.Options{Timeout: 200 * time.Millisecond, MaxBody: 10,
		Allow: []string{"127.0.0.1:" + port, closedAddr},
		Observe: func(err error, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			told = append(told, fetch.Outcome(err))
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name, url, redirect string
		ctx                 context.Context
		want                string
	}{
		{name: "ok", url: up.URL + "/ok", want: fetch.OutcomeOK},
		{name: "500 is a response", url: up.URL + "/fail", want: fetch.OutcomeOK},
		{name: "timeout", url: up.URL + "/slow", want: fetch.OutcomeTimeout},
		{name: "aborted", url: up.URL + "/slow", ctx: canceled, want: fetch.OutcomeAborted},
		{name: "not allowed", url: "http://localhost:" + port + "/ok", want: fetch.OutcomeNotAllowed},
		{name: "body too large", url: up.URL + "/big", want: fetch.OutcomeBodyTooLarge},
		{name: "refused", url: "http://" + closedAddr + "/", want: fetch.OutcomeNetwork},
		{name: "scheme", url: "ftp://127.0.0.1:" + port + "/", want: fetch.OutcomeOther},
		{name: "redirect refused", url: up.URL + "/redirect", redirect: "error", want: fetch.OutcomeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			mu.Lock()
			told = nil
			mu.Unlock()
			_, err := c.Do(ctx, &fetch.Request{URL: tc.url, Redirect: tc.redirect})
			if got := fetch.Outcome(err); got != tc.want {
				t.Errorf("Outcome(%v) = %s, want %s", err, got, tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(told) != 1 || told[0] != tc.want {
				t.Errorf("Observe told %v, want [%s]", told, tc.want)
			}
		})
	}
}
