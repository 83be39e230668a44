package host

import (
	"net/http/httptest"
	"testing"
	"time"
)

// TestKeptRequestDropsCredentials: what a connection keeps of its handshake
// request holds no credentials, and keeps what the upgrade and Handshake
// read.
func TestKeptRequestDropsCredentials(t *testing.T) {
	r := httptest.NewRequest("GET", "http://example.com/ws?room=a&token=secret&x=1", nil)
	r.Header.Set("Authorization", "Bearer secret")
	r.Header.Set("Proxy-Authorization", "Basic secret")
	r.Header.Set("Cookie", "session=secret")
	r.Header.Set("Sec-Websocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	r.Header.Set("Origin", "http://example.com")
	c := &Conn{}
	k := keptRequest(r, c)
	for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie"} {
		if v := k.Header.Get(h); v != "" {
			t.Errorf("kept %s: %q", h, v)
		}
	}
	if k.URL.Query().Has("token") || k.RequestURI != "/ws?room=a&x=1" {
		t.Errorf("kept URL %q, RequestURI %q: want the query without token", k.URL, k.RequestURI)
	}
	if k.Header.Get("Sec-Websocket-Key") == "" || k.Header.Get("Origin") == "" || k.Host != "example.com" || k.Method != "GET" {
		t.Errorf("lost what the upgrade reads: %+v", k)
	}
	if r.Header.Get("Authorization") == "" || !r.URL.Query().Has("token") {
		t.Error("the original request was modified")
	}
	if got, ok := k.Context().(connContext); !ok || got.c != c {
		t.Errorf("kept request's context %#v: want the connContext of its Conn", k.Context())
	}
	hs := newHandshake(k, time.Now(), nil)
	if hs.Query["room"] != "a" || hs.Query["x"] != "1" || hs.Headers["Origin"] != "http://example.com" {
		t.Errorf("Handshake from the kept request: query %v, headers %v", hs.Query, hs.Headers)
	}
}
