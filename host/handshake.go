package host

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Handshake is what a connection presented when it opened. Its fields are
// not modified after it is handed out: read them from any goroutine, but do
// not modify them.
type Handshake struct {
	// Headers holds the first value of each request header, under its
	// canonical name, and Host. Authorization, Proxy-Authorization and Cookie
	// are removed: they carry secrets.
	Headers map[string]string
	// Query holds the first value of each query parameter; "token" is removed.
	Query map[string]string
	// Address is the remote address (http.Request.RemoteAddr).
	Address string
	// Time is when the handshake arrived.
	Time time.Time
	// Claims holds the verified JWT claims; nil when no authentication is
	// configured.
	Claims map[string]any
	// Namespace is the connection's namespace: "/" for /ws.
	Namespace string
	// Auth is the JSON object a Socket.IO client sent with its CONNECT
	// (io(url, {auth})), without its "token" member; nil on /ws.
	Auth []byte

	once sync.Once
	json []byte
}

// secretHeaders are left out of Handshake.Headers.
var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true}

// newHandshake captures r, which arrived at t, with the verified claims.
func newHandshake(r *http.Request, t time.Time, claims map[string]any) *Handshake {
	h := &Handshake{
		Headers: make(map[string]string, len(r.Header)+1),
		Query:   make(map[string]string),
		Address: r.RemoteAddr,
		Time:    t,
		Claims:  claims,

		Namespace: "/",
	}
	for k, v := range r.Header {
		k = http.CanonicalHeaderKey(k)
		if len(v) == 0 || secretHeaders[k] {
			continue
		}
		if _, dup := h.Headers[k]; !dup {
			h.Headers[k] = v[0]
		}
	}
	if r.Host != "" {
		h.Headers["Host"] = r.Host
	}
	for k, v := range r.URL.Query() {
		if len(v) > 0 && k != tokenParam {
			h.Query[k] = v[0]
		}
	}
	return h
}

// JSON returns the handshake as {"headers":{…},"query":{…},"address":"…",
// "time":"RFC 3339, UTC, ns","namespace":"/…","auth":…,"claims":claims or
// null}. auth is the Socket.IO CONNECT payload (Auth) when there is one,
// else the claims, as /ws has always shown them. It is computed once; the
// result is shared: do not modify it.
func (h *Handshake) JSON() []byte {
	h.once.Do(func() {
		var auth any = h.Claims
		if h.Auth != nil {
			auth = json.RawMessage(h.Auth)
		}
		ns := h.Namespace
		if ns == "" {
			ns = "/"
		}
		v := struct {
			Headers   map[string]string `json:"headers"`
			Query     map[string]string `json:"query"`
			Address   string            `json:"address"`
			Time      string            `json:"time"`
			Namespace string            `json:"namespace"`
			Auth      any               `json:"auth"`
			Claims    map[string]any    `json:"claims"`
		}{h.Headers, h.Query, h.Address, h.Time.UTC().Format(time.RFC3339Nano), ns, auth, h.Claims}
		if v.Headers == nil {
			v.Headers = map[string]string{}
		}
		if v.Query == nil {
			v.Query = map[string]string{}
		}
		b, err := json.Marshal(v)
		if err != nil {
			// Only claims built by hand can fail (verified ones come from
			// JSON, Auth is checked JSON): keep the rest.
			v.Auth, v.Claims = nil, nil
			b, _ = json.Marshal(v)
		}
		h.json = b
	})
	return h.json
}
