package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults for the zero fields of Options.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxBody     = 10 << 20 // 10 MiB
	DefaultMaxInflight = 256
	// maxRedirects is how many redirects "follow" follows, as browsers do.
	maxRedirects = 20
)

// Options configures a Client. The zero value of each field means its
// default.
type Options struct {
	// Timeout bounds one fetch, from the call to the end of its body, on
	// top of the deadline of the context it runs under; DefaultTimeout
	// when zero.
	Timeout time.Duration
	// MaxBody bounds a response body in bytes; DefaultMaxBody when zero.
	// A larger body fails the fetch with ErrBodyTooLarge.
	MaxBody int64
	// MaxInflight bounds the fetches in flight on this Client; one more
	// waits for a slot, under its context. DefaultMaxInflight when zero.
	MaxInflight int
	// Allow lists where fetch may go: host names ("example.com", any
	// port; "*.example.com", its subdomains), host:port pairs and CIDRs
	// ("10.0.0.0/8", checked against the address a name resolves to,
	// when dialing). Empty allows every destination.
	Allow []string
	// Observe, when set, is told each Do's error (nil for a response, of
	// any status) and how long it took, when Do returns, on Do's goroutine:
	// it must be quick. Outcome classifies the error. Nil costs nothing.
	Observe func(err error, d time.Duration)
}

// Request is one fetch as the Go side sees it.
type Request struct {
	Method   string
	URL      string
	Header   [][2]string // names as given; values in order
	Body     []byte      // nil: none
	Redirect string      // "follow" (default), "error" or "manual"
}

// Response is a fetched response with its whole body.
type Response struct {
	Status     int
	StatusText string
	URL        string      // after redirects
	Redirected bool        // a redirect was followed
	Header     [][2]string // lower-case names, sorted; one pair per value
	Body       []byte
}

// Client does fetches on its own http.Transport, within its bounds. Create
// it with New.
type Client struct {
	opts  Options
	allow *allowList
	slots chan struct{}
	http  *http.Client
	tr    *http.Transport
}

type redirectKey struct{}

// New returns a Client for opts, or an error for an allow-list entry that
// does not parse.
func New(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxInflight <= 0 {
		opts.MaxInflight = DefaultMaxInflight
	}
	allow, err := parseAllow(opts.Allow)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, allow: allow, slots: make(chan struct{}, opts.MaxInflight)}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	c.tr = &http.Transport{
		Proxy:             nil, // the allow-list must see the real destination
		DialContext:       c.dialer(dialer),
		ForceAttemptHTTP2: true,
		// As many kept-alive connections as fetches may be in flight: a
		// handler calling one service under load would otherwise dial a new
		// connection for most of its fetches (net/http's default keeps 2).
		MaxIdleConns:          max(256, opts.MaxInflight),
		MaxIdleConnsPerHost:   opts.MaxInflight,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	c.http = &http.Client{Transport: c.tr, CheckRedirect: c.checkRedirect}
	return c, nil
}

// Close closes the idle connections of the Client's transport.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// dialer returns the transport's dial function: a destination not allowed
// by name is dialed only if the address it resolves to is in a prefix.
func (c *Client) dialer(d *net.Dialer) func(context.Context, string, string) (net.Conn, error) {
	checked := *d
	checked.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !c.allow.permitsIP(ap.Addr()) {
			return &notAllowedError{dest: strconv.Quote(address)}
		}
		return nil
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if c.allow.empty() {
			return d.DialContext(ctx, network, addr)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("fetch: dial %s: %w", addr, err)
		}
		if c.allow.permitsName(host, port) {
			return d.DialContext(ctx, network, addr)
		}
		if !c.allow.mayResolve() {
			return nil, &notAllowedError{dest: strconv.Quote(addr)}
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// check refuses a URL that is not http(s) or whose host is not allowed.
func (c *Client) check(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w %q", ErrScheme, u.Scheme+":")
	}
	if c.allow.empty() {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if c.allow.permitsName(u.Hostname(), port) || c.allow.mayResolve() {
		return nil
	}
	return &notAllowedError{dest: strconv.Quote(net.JoinHostPort(u.Hostname(), port))}
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	switch req.Context().Value(redirectKey{}) {
	case "error":
		return fmt.Errorf("%w: the response redirects, and redirect is \"error\"", ErrRedirect)
	case "manual":
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirect, maxRedirects)
	}
	return c.check(req.URL)
}

// Do runs one fetch under ctx and the Client's bounds and returns the
// response with its whole body. A status of 4xx or 5xx is a response, not
// an error.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	if c.opts.Observe == nil {
		return c.do(ctx, r)
	}
	start := time.Now()
	resp, err := c.do(ctx, r)
	c.opts.Observe(err, time.Since(start))
	return resp, err
}

// do is Do without the observer.
func (c *Client) do(ctx context.Context, r *Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if err := c.check(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, &timeoutError{c.opts.Timeout})
	defer cancel()
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("fetch: waiting for one of %d fetches in flight (-fetch-max-inflight): %w", c.opts.MaxInflight, context.Cause(ctx))
	}
	ctx = context.WithValue(ctx, redirectKey{}, r.Redirect)
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	for _, h := range r.Header {
		if strings.EqualFold(h[0], "host") {
			req.Host = h[1]
			continue
		}
		req.Header.Add(h[0], h[1])
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "eventhost")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "*/*")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.failure(ctx, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.opts.MaxBody {
		return nil, c.tooLarge(resp.ContentLength)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		return nil, c.failure(ctx, err)
	}
	if int64(len(data)) > c.opts.MaxBody {
		return nil, c.tooLarge(-1)
	}
	out := &Response{
		Status:     resp.StatusCode,
		StatusText: strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" "),
		URL:        resp.Request.URL.String(),
		Redirected: resp.Request != req,
		Body:       data,
	}
	for name, vals := range resp.Header {
		lower := strings.ToLower(name)
		for _, v := range vals {
			out.Header = append(out.Header, [2]string{lower, v})
		}
	}
	slices.SortStableFunc(out.Header, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}

func (c *Client) tooLarge(n int64) error {
	if n >= 0 {
		return fmt.Errorf("%w: %d bytes, more than the %d of -fetch-max-body", ErrBodyTooLarge, n, c.opts.MaxBody)
	}
	return fmt.Errorf("%w: more than the %d bytes of -fetch-max-body", ErrBodyTooLarge, c.opts.MaxBody)
}

// failure is the error of a fetch that got no whole response: the
// timeout's when it was the timeout.
func (c *Client) failure(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrTimeout) {
		return cause
	}
	return err
}

// Code returns a short code for a fetch error, as Node's fetch gives the
// cause of its TypeError one: ECONNREFUSED, ENOTFOUND, ETIMEDOUT,
// ABORT_ERR, ERR_FETCH_NOT_ALLOWED, ERR_FETCH_BODY_TOO_LARGE,
// ERR_FETCH_REDIRECT, ERR_FETCH_SCHEME, or "" when none fits.
func Code(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, ErrNotAllowed):
		return "ERR_FETCH_NOT_ALLOWED"
	case errors.Is(err, ErrBodyTooLarge):
		return "ERR_FETCH_BODY_TOO_LARGE"
	case errors.Is(err, ErrRedirect):
		return "ERR_FETCH_REDIRECT"
	case errors.Is(err, ErrScheme):
		return "ERR_FETCH_SCHEME"
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "ETIMEDOUT"
	case errors.Is(err, context.Canceled):
		return "ABORT_ERR"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "ECONNREFUSED"
	case errors.Is(err, syscall.ECONNRESET):
		return "ECONNRESET"
	case errors.As(err, &dns):
		return "ENOTFOUND"
	}
	return ""
}
