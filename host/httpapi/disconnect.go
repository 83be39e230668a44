package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/eventhost/eventhost/host"
)

// Close codes and limits of POST /api/disconnect.
const (
	// DefaultCloseCode is the close code when the request names none:
	// 1000, a normal closure.
	DefaultCloseCode = 1000
	// MaxReason is the longest close reason, in bytes (a close frame's
	// payload is at most 125 bytes, two of them the code).
	MaxReason = 123
	// DisconnectTimeout bounds how long a disconnect waits for the other
	// nodes of a cluster to say whether one of them holds the socket.
	DisconnectTimeout = 5 * time.Second
)

// DisconnectRequest is the body of POST /api/disconnect.
type DisconnectRequest struct {
	// Socket is the id of the connection to close.
	Socket string `json:"socket"`
	// Code is the WebSocket close code: 1000 or 3000-4999;
	// DefaultCloseCode when absent.
	Code *int `json:"code"`
	// Reason is the close reason: valid UTF-8, at most MaxReason bytes;
	// empty when absent.
	Reason string `json:"reason"`
}

// DisconnectResponse is the answer of POST /api/disconnect.
type DisconnectResponse struct {
	// OK reports that the connection was found and is being closed.
	OK bool `json:"ok"`
	// Found reports that a node holds the connection.
	Found bool `json:"found"`
	// Error says why OK is false; nil otherwise.
	Error *errorBody `json:"error,omitempty"`
}

// check validates the request and returns its close code.
func (q *DisconnectRequest) check() (int, *apiError) {
	if !host.IsConnID(q.Socket) {
		if q.Socket == "" {
			return 0, badRequest(`"socket" is missing or empty`)
		}
		return 0, badRequest(fmt.Sprintf(`"socket" %q is not a socket id`, q.Socket))
	}
	code := DefaultCloseCode
	if q.Code != nil {
		code = *q.Code
		if code != 1000 && (code < 3000 || code > 4999) {
			return 0, badRequest(fmt.Sprintf(`"code" must be 1000 or within 3000-4999, not %d`, code))
		}
	}
	if len(q.Reason) > MaxReason {
		return 0, badRequest(fmt.Sprintf(`"reason" is over %d bytes`, MaxReason))
	}
	if !utf8.ValidString(q.Reason) {
		return 0, badRequest(`"reason" is not valid UTF-8`)
	}
	return code, nil
}

// disconnect serves POST /api/disconnect.
func (a *API) disconnect(w http.ResponseWriter, r *http.Request) *apiError {
	var q DisconnectRequest
	if e := readBody(w, r, &q); e != nil {
		return e
	}
	code, e := q.check()
	if e != nil {
		return e
	}
	ctx, cancel := context.WithTimeout(r.Context(), DisconnectTimeout)
	defer cancel()
	found, err := a.srv.DisconnectSocket(ctx, q.Socket, code, q.Reason)
	resp := DisconnectResponse{OK: found, Found: found}
	status := http.StatusOK
	switch {
	case found:
		a.log.Info("api disconnect", "socket", q.Socket, "code", code)
	case err != nil:
		status = http.StatusServiceUnavailable
		resp.Error = &errorBody{Code: CodeClusterUnavailable, Message: fmt.Sprintf("socket %s is not on this node, and the cluster could not say whether another node holds it: %v", q.Socket, err)}
		a.log.Debug("api disconnect: the cluster did not answer", "socket", q.Socket, "error", err)
	default:
		status = http.StatusNotFound
		resp.Error = &errorBody{Code: CodeNotFound, Message: fmt.Sprintf("no connection has the id %s", q.Socket)}
	}
	writeJSON(w, status, resp)
	return nil
}
