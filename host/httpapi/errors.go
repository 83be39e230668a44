package httpapi

import (
	"net/http"

	"github.com/eventhost/eventhost/host/protocol"
)

// The codes of the API's refusals, in the "error" member of an answer. They
// are the one place where the API's wire codes are spelled; codes shared
// with the WebSocket protocol keep its spelling.
const (
	// CodeBadRequest: the body is not JSON, not an object, has an unknown
	// member or one of the wrong type, or breaks a rule of its request.
	CodeBadRequest = string(protocol.CodeBadRequest)
	// CodeUnauthorized: no token, or the wrong one.
	CodeUnauthorized = string(protocol.CodeUnauthorized)
	// CodePayloadTooLarge: the body is over MaxBody bytes.
	CodePayloadTooLarge = string(protocol.CodePayloadTooLarge)
	// CodeUnsupportedMediaType: the Content-Type is not application/json.
	CodeUnsupportedMediaType = "unsupported_media_type"
	// CodeMethodNotAllowed: a method other than POST.
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeNotFound: no such path, or no such socket (POST /api/disconnect).
	CodeNotFound = "not_found"
	// CodeClusterUnavailable: the cluster's Broker refused its part; what
	// this node did is in the rest of the answer.
	CodeClusterUnavailable = "cluster_unavailable"
)

// apiError is a refusal: an HTTP status and the error member of the body.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// badRequest returns a 400 refusal with message.
func badRequest(message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: CodeBadRequest, message: message}
}

// errorBody is the error member of an answer.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// refusal is the body of an answer that did nothing.
type refusal struct {
	OK    bool      `json:"ok"`
	Error errorBody `json:"error"`
}

// writeError answers with e.
func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, refusal{Error: errorBody{Code: e.code, Message: e.message}})
}
