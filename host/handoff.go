package host

import "net/http"

// keptRequest returns the part of a handshake request that c keeps for its
// life: what the upgrader reads and what Handshake reports, with a context
// that carries c to melody's callbacks (connOf).
// net/http's request also holds a context and parsing state that outlive
// their use; and the credentials (the Authorization, Proxy-Authorization
// and Cookie headers, the token query parameter) are checked before the
// upgrade and not kept.
func keptRequest(r *http.Request, c *Conn) *http.Request {
	header := make(http.Header, len(r.Header))
	for k, v := range r.Header {
		if !secretHeaders[http.CanonicalHeaderKey(k)] {
			header[k] = v
		}
	}
	u := *r.URL
	if q := u.Query(); q.Has(tokenParam) {
		q.Del(tokenParam)
		u.RawQuery = q.Encode()
	}
	kept := &http.Request{
		Method:     r.Method,
		URL:        &u,
		Proto:      r.Proto,
		ProtoMajor: r.ProtoMajor,
		ProtoMinor: r.ProtoMinor,
		Header:     header,
		Host:       r.Host,
		RemoteAddr: r.RemoteAddr,
		RequestURI: u.RequestURI(),
	}
	return kept.WithContext(connContext{c}) // a copy: kept stays on the stack
}
