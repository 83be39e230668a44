package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// authorize checks the request's bearer token (RFC 6750; the scheme is
// case-insensitive) against the API's, in constant time: both are hashed
// first, so that neither the token's content nor its length shows in the
// time taken. A refusal sets WWW-Authenticate.
func (a *API) authorize(w http.ResponseWriter, r *http.Request) *apiError {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="eventhost"`)
		return &apiError{http.StatusUnauthorized, CodeUnauthorized, "missing bearer token: send Authorization: Bearer <token>"}
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	want := sha256.Sum256(a.token)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="eventhost", error="invalid_token"`)
		return &apiError{http.StatusUnauthorized, CodeUnauthorized, "invalid bearer token"}
	}
	return nil
}
