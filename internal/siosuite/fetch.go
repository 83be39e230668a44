package siosuite

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
)

// response is what the suite reads of a fetch: its status and its body
// as text.
type response struct {
	status int
	text   string
}

// do sends one HTTP request to the endpoint, "/socket.io/?" + query, with
// body as text (none when method is GET), and reads the whole answer. It
// is safe to call from several goroutines.
func (c *tc) do(method, query, body string) (response, error) {
	return c.doTraced(method, query, body, nil)
}

// doTraced is do, calling wrote (when not nil) once the request has been
// written to the connection.
func (c *tc) doTraced(method, query, body string, wrote func()) (response, error) {
	var rd io.Reader
	if method != http.MethodGet {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(c.ctx, method, c.s.url+"/socket.io/?"+query, rd)
	if err != nil {
		return response{}, fmt.Errorf("fetch %s ?%s: %w", method, query, err)
	}
	if body != "" {
		// What fetch sends with a string body.
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	if wrote != nil {
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { wrote() },
		}))
	}
	res, err := c.s.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("fetch %s ?%s: %w", method, query, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, fmt.Errorf("fetch %s ?%s: read body: %w", method, query, err)
	}
	return response{status: res.StatusCode, text: string(b)}, nil
}

// get is fetch(url): a GET, failing the test if it cannot complete.
func (c *tc) get(query string) response {
	c.Helper()
	r, err := c.do(http.MethodGet, query, "")
	if err != nil {
		c.Fatal(err)
	}
	return r
}

// send is fetch(url, {method, body}), failing the test if it cannot complete.
func (c *tc) send(method, query, body string) response {
	c.Helper()
	r, err := c.do(method, query, body)
	if err != nil {
		c.Fatal(err)
	}
	return r
}

// expectStatus fails the test unless r has the status want.
func (c *tc) expectStatus(what string, r response, want int) {
	c.Helper()
	if r.status != want {
		c.Fatalf("%s: status %d, want %d (body %q)", what, r.status, want, r.text)
	}
}

// initLongPollingSession opens a polling session and returns its sid, the
// suite's initLongPollingSession().
func (c *tc) initLongPollingSession() string {
	c.Helper()
	r := c.get("EIO=4&transport=polling")
	h := c.parseOpen("handshake", r.text)
	var sid string
	if err := jsonUnmarshal(h["sid"], &sid); err != nil {
		c.Fatalf("handshake %q: sid: %v", r.text, err)
	}
	return sid
}
