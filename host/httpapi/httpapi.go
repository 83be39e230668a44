package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/eventhost/eventhost/host"
)

// The API's paths.
const (
	PathEmit       = "/api/emit"
	PathDisconnect = "/api/disconnect"
)

// minToken is the token length under which Mount warns.
const minToken = 16

// API serves the HTTP API of one host.Server. Make it with New; its methods
// are safe from any goroutine.
type API struct {
	srv   *host.Server
	token []byte // empty: every request is refused with 404
	log   *slog.Logger
}

// New returns the handler of the API's two paths for srv, authorised by
// token; any other path gets 404. With an empty token it refuses every
// request (404): an empty token never authorises. A nil log discards.
func New(srv *host.Server, token string, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{srv: srv, token: []byte(token), log: log}
}

// Mount serves the API on srv's mux at PathEmit and PathDisconnect (any
// method: the API answers the others with 405 and Allow: POST, as JSON).
// With an empty token the API is off: Mount mounts nothing and logs so. Call
// it before serving, at most once.
func Mount(srv *host.Server, token string, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if token == "" {
		log.Info("the HTTP API is off: no API token is set", "paths", PathEmit+","+PathDisconnect)
		return
	}
	if len(token) < minToken {
		log.Warn("the API token is short: use at least 32 random characters", "length", len(token))
	}
	api := New(srv, token, log)
	srv.Handle(PathEmit, api)
	srv.Handle(PathDisconnect, api)
	log.Info("the HTTP API is on", "paths", PathEmit+","+PathDisconnect)
}

// ServeHTTP serves PathEmit and PathDisconnect.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var serve func(http.ResponseWriter, *http.Request) *apiError
	switch r.URL.Path {
	case PathEmit:
		serve = a.emit
	case PathDisconnect:
		serve = a.disconnect
	}
	if serve == nil || len(a.token) == 0 {
		writeError(w, &apiError{http.StatusNotFound, CodeNotFound, "no such API endpoint"})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, &apiError{http.StatusMethodNotAllowed, CodeMethodNotAllowed, r.Method + " is not allowed: use POST"})
		return
	}
	if e := a.authorize(w, r); e != nil {
		writeError(w, e)
		return
	}
	if e := serve(w, r); e != nil {
		writeError(w, e)
	}
}

// clustered reports whether the Server is a node of a cluster.
func (a *API) clustered() bool { return a.srv.Clustered() }

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b) // ends the answer with a newline, for curl
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // the API's own answer types always encode
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"ok":false,"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
