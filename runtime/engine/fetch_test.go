package engine

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fetchModule calls fetch with what the test sends: {url, init} and a
// way to read the response.
const fetchModule = `
export async function req(socket, a) {
  const init = a.init || {};
  if (a.bodyKind === "u8") init.body = new TextEncoder().encode(a.body);
  if (a.bodyKind === "ab") init.body = new TextEncoder().encode(a.body).buffer;
  if (a.bodyKind === "view") init.body = new DataView(new TextEncoder().encode("xx" + a.body).buffer, 2);
  if (a.bodyKind === "form") init.body = new URLSearchParams(a.body);
  try {
    const r = await fetch(a.url, init);
    const out = { status: r.status, ok: r.ok, statusText: r.statusText, url: r.url, redirected: r.redirected,
      type: r.headers.get("content-type"), location: r.headers.get("location"), cookies: r.headers.getSetCookie() };
    if (a.read === "json") out.json = await r.json();
    else if (a.read === "bytes") out.bytes = Array.from(await r.bytes());
    else if (a.read === "ab") out.ab = new Uint8Array(await r.arrayBuffer()).length;
    else out.text = await r.text();
    return out;
  } catch (e) {
    return { error: e.name + ": " + e.message, cause: e.cause ? String(e.cause.message) : null, code: e.cause ? e.cause.code || null : null };
  }
}
export async function aborted(socket, a) {
  const c = new AbortController();
  setTimeout(() => c.abort(), a.after);
  try { await fetch(a.url, { signal: c.signal }); return "no" } catch (e) { return e.name + " " + (e instanceof DOMException) }
}
export async function timedOut(socket, a) {
  try { await fetch(a.url, { signal: AbortSignal.timeout(a.after) }); return "no" } catch (e) { return e.name }
}
export async function plain(socket, url) { return await (await fetch(url)).text() }
export function classes() {
  const h = new Headers({ "X-A": "1" }); h.append("x-a", "2"); h.set("B", "3");
  const r = new Request("http://x.test/p?q", { method: "post", body: "hi", headers: h });
  const res = Response.json({ a: 1 }, { status: 201 });
  const s = AbortSignal.abort();
  return [h.get("x-a"), [...h.keys()].join(), r.method, r.headers.get("content-type"), res.status, res.headers.get("content-type"),
    s.aborted, s.reason.name, typeof AbortController, new Response("x").ok].join("|");
}
`

func newFetchEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	return newEngine(t, map[string]string{"f.js": fetchModule}, cfg)
}

// fetchJS runs f.req with args and decodes its answer.
func fetchJS(t *testing.T, e *Engine, ctx context.Context, args map[string]any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(args)
	o := runCall(t, e, ctx, newSocket("s"), "f.req", string(data))
	if o.err != nil {
		t.Fatalf("call: %v", o.err)
	}
	var out map[string]any
	if err := json.Unmarshal(o.res.Data, &out); err != nil {
		t.Fatalf("answer %s: %v", o.res.Data, err)
	}
	return out
}

// echoServer answers with what it got, as JSON, and serves a few fixed
// paths.
func echoServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "body": string(body),
			"type": r.Header.Get("Content-Type"), "x": r.Header.Values("X-Test"), "ua": r.UserAgent()})
	})
	mux.HandleFunc("/bin", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte{0, 1, 254, 255}) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		_, _ = w.Write([]byte(strings.Repeat("x", n)))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/echo", http.StatusFound) })
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchMethodsAndBodies(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	e := newFetchEngine(t, Config{PoolSize: 1})
	for _, tc := range []struct {
		name, method, kind, body, wantType string
	}{
		{"get", "GET", "", "", ""},
		{"post string", "POST", "", "hello", "text/plain;charset=UTF-8"},
		{"put Uint8Array", "PUT", "u8", "héllo", ""},
		{"patch ArrayBuffer", "PATCH", "ab", "ab", ""},
		{"post DataView", "POST", "view", "view", ""},
		{"post URLSearchParams", "POST", "form", "a=1&b=x+y", "application/x-www-form-urlencoded;charset=UTF-8"},
		{"delete", "delete", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			init := map[string]any{"method": tc.method}
			if tc.kind == "" && tc.body != "" {
				init["body"] = tc.body
			}
			out := fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/echo", "init": init, "bodyKind": tc.kind, "body": tc.body, "read": "json"})
			got, _ := out["json"].(map[string]any)
			if got == nil || got["method"] != strings.ToUpper(tc.method) || got["body"] != tc.body || got["type"] != tc.wantType {
				t.Fatalf("got %v", out)
			}
		})
	}
}

func TestFetchHeadersStatusAndBinary(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	e := newFetchEngine(t, Config{PoolSize: 1})
	out := fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/echo", "read": "json",
		"init": map[string]any{"headers": [][]string{{"X-Test", "1"}, {"x-test", "2"}, {"User-Agent", "me"}}}})
	got := out["json"].(map[string]any)
	if x, _ := json.Marshal(got["x"]); string(x) != `["1, 2"]` && string(x) != `["1","2"]` || got["ua"] != "me" {
		t.Fatalf("request headers: %v", got)
	}
	if c, _ := json.Marshal(out["cookies"]); string(c) != `["a=1","b=2"]` || out["type"] != "application/json" || out["ok"] != true || out["statusText"] != "OK" {
		t.Fatalf("response: %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/bin", "read": "bytes"})
	if b, _ := json.Marshal(out["bytes"]); string(b) != "[0,1,254,255]" {
		t.Fatalf("bytes: %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/bin", "read": "ab"})
	if out["ab"] != 4.0 {
		t.Fatalf("arrayBuffer: %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/status"})
	if out["status"] != 418.0 || out["ok"] != false || out["statusText"] != "I'm a teapot" {
		t.Fatalf("status: %v", out)
	}
	o := runCall(t, e, context.Background(), newSocket("s"), "f.classes", "")
	if want := `"1, 2|b,x-a|POST|text/plain;charset=UTF-8|201|application/json|true|AbortError|function|true"`; o.err != nil || string(o.res.Data) != want {
		t.Fatalf("classes: %s, %v", o.res.Data, o.err)
	}
}

func TestFetchRedirects(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	e := newFetchEngine(t, Config{PoolSize: 1})
	out := fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/redirect", "read": "json"})
	if out["redirected"] != true || out["url"] != srv.URL+"/echo" || out["status"] != 200.0 {
		t.Fatalf("follow: %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/redirect", "init": map[string]any{"redirect": "manual"}})
	if out["status"] != 302.0 || out["location"] != "/echo" || out["redirected"] != false {
		t.Fatalf("manual: %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/redirect", "init": map[string]any{"redirect": "error"}})
	if out["error"] != "TypeError: fetch failed" || out["code"] != "ERR_FETCH_REDIRECT" {
		t.Fatalf("error: %v", out)
	}
}

// slowServer's handler waits until its request's context ends and then
// reports that on ended.
func slowServer(t *testing.T) (*httptest.Server, chan struct{}) {
	ended := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		ended <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return srv, ended
}

func waitEnded(t *testing.T, ended chan struct{}, what string) {
	t.Helper()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the server never saw the request end", what)
	}
}

func TestFetchCancelledAtCallTimeout(t *testing.T) {
	t.Parallel()
	srv, ended := slowServer(t)
	e := newFetchEngine(t, Config{PoolSize: 1})
	o := runCall(t, e, ctxWithTimeout(t, 200*time.Millisecond), newSocket("s"), "f.plain", strconv.Quote(srv.URL))
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", o.err)
	}
	waitEnded(t, ended, "call timeout")
}

func TestFetchAbortAndTimeouts(t *testing.T) {
	t.Parallel()
	srv, ended := slowServer(t)
	e := newFetchEngine(t, Config{PoolSize: 1, FetchTimeout: 300 * time.Millisecond})
	args, _ := json.Marshal(map[string]any{"url": srv.URL, "after": 50})
	if o := runCall(t, e, context.Background(), newSocket("s"), "f.aborted", string(args)); o.err != nil || string(o.res.Data) != `"AbortError true"` {
		t.Fatalf("abort: %s, %v", o.res.Data, o.err)
	}
	waitEnded(t, ended, "abort")
	if o := runCall(t, e, context.Background(), newSocket("s"), "f.timedOut", string(args)); o.err != nil || string(o.res.Data) != `"TimeoutError"` {
		t.Fatalf("AbortSignal.timeout: %s, %v", o.res.Data, o.err)
	}
	waitEnded(t, ended, "AbortSignal.timeout")
	out := fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL})
	if out["error"] != "TypeError: fetch failed" || out["code"] != "ETIMEDOUT" || !strings.Contains(out["cause"].(string), "-fetch-timeout") {
		t.Fatalf("-fetch-timeout: %v", out)
	}
	waitEnded(t, ended, "-fetch-timeout")
}

func TestFetchBodyTooLarge(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	e := newFetchEngine(t, Config{PoolSize: 1, FetchMaxBody: 1000})
	if out := fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/big?n=1000"}); len(out["text"].(string)) != 1000 {
		t.Fatalf("at the bound: %v", out)
	}
	for _, q := range []string{"n=1001", "n=5000&chunked=1"} {
		out := fetchJS(t, e, context.Background(), map[string]any{"url": srv.URL + "/big?" + q})
		if out["error"] != "TypeError: fetch failed" || out["code"] != "ERR_FETCH_BODY_TOO_LARGE" || !strings.Contains(out["cause"].(string), "-fetch-max-body") {
			t.Fatalf("%s: %v", q, out)
		}
	}
}

func TestFetchAllowList(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	for _, tc := range []struct {
		name  string
		allow []string
		ok    bool
	}{
		{"other host", []string{"example.invalid"}, false},
		{"other port", []string{"127.0.0.1:1"}, false},
		{"other CIDR", []string{"10.0.0.0/8"}, false},
		{"host", []string{"127.0.0.1"}, true},
		{"host:port", []string{"127.0.0.1:" + port}, true},
		{"CIDR", []string{"127.0.0.0/8"}, true},
		{"name via CIDR", []string{"127.0.0.0/8"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFetchEngine(t, Config{PoolSize: 1, FetchAllow: tc.allow})
			url := srv.URL + "/echo"
			if tc.name == "name via CIDR" {
				url = "http://localhost:" + port + "/echo"
			}
			out := fetchJS(t, e, context.Background(), map[string]any{"url": url})
			if tc.ok {
				if out["status"] != 200.0 {
					t.Fatalf("refused: %v", out)
				}
				return
			}
			if out["error"] != "TypeError: fetch failed" || out["code"] != "ERR_FETCH_NOT_ALLOWED" || !strings.Contains(out["cause"].(string), "-fetch-allow") {
				t.Fatalf("allowed: %v", out)
			}
		})
	}
	if _, err := New(context.Background(), Config{Dir: t.TempDir(), FetchAllow: []string{"a b"}}); err == nil {
		t.Fatal("a bad -fetch-allow entry was accepted")
	}
}

func TestFetchNetworkFailure(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	e := newFetchEngine(t, Config{PoolSize: 1})
	out := fetchJS(t, e, context.Background(), map[string]any{"url": "http://" + addr + "/"})
	if out["error"] != "TypeError: fetch failed" || out["code"] != "ECONNREFUSED" {
		t.Fatalf("got %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": "ftp://" + addr + "/"})
	if out["error"] != "TypeError: fetch failed" || out["code"] != "ERR_FETCH_SCHEME" {
		t.Fatalf("scheme: %v", out)
	}
	out = fetchJS(t, e, context.Background(), map[string]any{"url": "/relative"})
	if !strings.HasPrefix(out["error"].(string), "TypeError: Request: invalid URL") {
		t.Fatalf("relative: %v", out)
	}
}

// TestFetchManyCallsOnePool: 100 calls awaiting a fetch on one VM are all
// in flight at once: the server answers none until it holds all 100.
func TestFetchManyCallsOnePool(t *testing.T) {
	t.Parallel()
	const n = 100
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		select {
		case <-all:
			_, _ = io.WriteString(w, r.URL.Query().Get("i"))
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	e := newFetchEngine(t, Config{PoolSize: 1})
	outs := make([]*outcome, n)
	for i := range outs {
		outs[i] = start(e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "f.plain", strconv.Quote(srv.URL+"/?i="+strconv.Itoa(i)))
	}
	for i, o := range outs {
		<-o.finished
		if want := strconv.Quote(strconv.Itoa(i)); o.err != nil || string(o.res.Data) != want {
			t.Fatalf("call %d: %s, %v", i, o.res.Data, o.err)
		}
	}
}

// BenchmarkFetchRoundTrip: a fetch of a small body from a loopback server,
// from JS through the engine, against Go's http.Client doing the same.
func BenchmarkFetchRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hello") }))
	b.Cleanup(srv.Close)
	b.Run("js", func(b *testing.B) {
		e := newEngine(b, map[string]string{"f.js": fetchModule}, Config{PoolSize: 1})
		arg := strconv.Quote(srv.URL)
		for b.Loop() {
			if o := runCall(b, e, context.Background(), newSocket("s"), "f.plain", arg); o.err != nil {
				b.Fatal(o.err)
			}
		}
	})
	b.Run("go", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{}}
		for b.Loop() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
		}
	})
}
