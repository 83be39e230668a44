package host

import "net/http"

// keptRequest returns the part of a handshake request that a connection
// keeps for its life: what the upgrader reads and what Handshake reports.
// net/http's request also holds a context and parsing state that outlive
// their use; and the credentials (the Authorization, Proxy-Authorization
// and Cookie headers, the token query parameter) are checked before the
// upgrade and not kept.
func keptRequest(r *http.Request) *http.Request {
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
	return &http.Request{
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
}
