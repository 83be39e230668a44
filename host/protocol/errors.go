package protocol

import "fmt"

// Code is an error code sent to clients. The set is fixed: clients branch on it.
type Code string

// The error codes of the protocol.
const (
	CodeBadRequest      Code = "bad_request"       // malformed JSON, not an object, missing or empty event, bad id type
	CodeUnknownEvent    Code = "unknown_event"     // no handler serves the event
	CodeHandlerError    Code = "handler_error"     // the handler threw or its Promise rejected
	CodeTimeout         Code = "timeout"           // the call did not finish within the call timeout
	CodeOverloaded      Code = "overloaded"        // too many requests in flight, a full queue, or shutting down
	CodePayloadTooLarge Code = "payload_too_large" // a frame over the size limit
	CodeUnauthorized    Code = "unauthorized"      // the connection may not make this call
	CodeInternal        Code = "internal"          // a fault in the server; details are in the server log only
)

// Error is an error with a wire code and a message fit for clients.
type Error struct {
	Code    Code
	Message string
}

// Error returns "code: message".
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// ErrorCode returns the wire code, so that errors of other packages can be
// recognised by the same method.
func (e *Error) ErrorCode() string { return string(e.Code) }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
