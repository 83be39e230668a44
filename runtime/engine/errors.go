package engine

import "errors"

// codedError is an error that carries the wire code clients see. The network
// side recognises it by its ErrorCode method. Its message is written for
// clients, so it has no package prefix.
type codedError struct {
	code string
	msg  string
}

func (e *codedError) Error() string     { return e.msg }
func (e *codedError) ErrorCode() string { return e.code }

// Errors a call can end with besides a *HandlerError and the context's error.
var (
	// ErrUnknownEvent: no route serves the event (wire code unknown_event).
	ErrUnknownEvent error = &codedError{"unknown_event", "unknown event"}
	// ErrQueueFull: the call queue is full (wire code overloaded).
	ErrQueueFull error = &codedError{"overloaded", "server is overloaded: the call queue is full"}
	// ErrClosed: the engine is closed (wire code overloaded).
	ErrClosed error = &codedError{"overloaded", "server is shutting down"}
	// ErrAborted: the call was awaiting on a VM that was reset because another
	// call on it ran past its deadline or crashed (wire code internal).
	ErrAborted error = &codedError{"internal", "call aborted: its VM was reset after another call on it failed"}
	// ErrRefused: a connect hook returned false (wire code unauthorized: the
	// connection is refused with 401).
	ErrRefused error = &codedError{"unauthorized", "connection refused"}
	// ErrInternal: a Go panic under the call (wire code internal).
	ErrInternal error = &codedError{"internal", "internal error"}
)

// ErrNoDatabase is what db calls reject with when Config.DB is nil.
var ErrNoDatabase = errors.New("engine: no database is configured")

// Errors a native's host work (startAsync) is rejected with before it starts.
var (
	// ErrTooManyAsync: Config.MaxAsync host operations are in flight.
	ErrTooManyAsync = errors.New("engine: too many host operations in flight")
	// ErrNoAsync: the VM has no worker to deliver results to (a build's
	// scratch VM, evaluating a module to find its exports).
	ErrNoAsync = errors.New("engine: host I/O is not available while a module is evaluated at build time")
)

// stackOverflowMessage is what a call that recursed too deep is answered
// with: the message JavaScript engines use.
const stackOverflowMessage = "Maximum call stack size exceeded"

// HandlerError is a handler that threw or whose Promise rejected.
type HandlerError struct {
	// Code is the wire code: handler_error, or the thrown value's own code
	// when it is a string matching [a-z][a-z0-9_]*.
	Code string
	// Message is the thrown error's message.
	Message string
	// Stack is the JS stack with source positions, for the server log.
	Stack string
}

// Error returns the message.
func (e *HandlerError) Error() string { return e.Message }

// ErrorCode returns the wire code.
func (e *HandlerError) ErrorCode() string { return e.Code }
