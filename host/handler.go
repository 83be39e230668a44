package host

import "context"

// Handler runs calls. It is what host needs from the JS side.
type Handler interface {
	// Call starts call and returns without blocking. It must call
	// call.Started once, when the handler's synchronous part has run (or the
	// call failed before it could), and call.Done exactly once with the
	// outcome, from any goroutine. ctx carries the call's deadline.
	Call(ctx context.Context, call *Call)
}

// HandlerFunc adapts a synchronous Go function to Handler: it is called on
// the goroutine that dispatches the call, so it must be quick.
type HandlerFunc func(ctx context.Context, call *Call) (Reply, error)

// Call runs f and reports its outcome.
func (f HandlerFunc) Call(ctx context.Context, call *Call) {
	r, err := f(ctx, call)
	call.Done(r, err)
	call.Started()
}

// Call is one request on its way to a Handler. The host makes it; a Handler
// reports on it with Started and Done.
type Call struct {
	// Event names the handler.
	Event string
	// Data is the request's JSON text (nil when absent), or the payload bytes
	// when Binary is set.
	Data []byte
	// Binary reports that Data is a binary payload.
	Binary bool
	// Rest is the JSON array text of the arguments after the first (nil:
	// none), for protocols whose events carry several.
	Rest []byte
	// Attachments are the binary values that Data and Rest refer to as
	// {"_placeholder":true,"num":N}; nil for none.
	Attachments [][]byte
	// Conn is the connection the request came on.
	Conn *Conn

	req *request
}

// Started lets the connection's next request go. Calls after the first do
// nothing.
func (c *Call) Started() { c.req.started() }

// Done delivers the outcome (its slices are encoded before Done returns, so
// the handler may reuse them afterwards); an error is turned into a wire error by its
// ErrorCode() string method, context.DeadlineExceeded, or else internal.
// Outcomes after the first (or after the host answered on its own, at the
// deadline or at shutdown) are dropped.
func (c *Call) Done(rep Reply, err error) { c.req.done(rep, err) }
