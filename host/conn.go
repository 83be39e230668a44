package host

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host/protocol"
)

// connOf returns the Conn a /ws session serves. melody's Session.Request
// is the connection's kept handshake request (keptRequest), whose context
// is a connContext.
func connOf(sess *melody.Session) *Conn { return sess.Request.Context().(connContext).c }

// connContext is the context of a /ws connection's kept handshake request:
// it carries the connection to melody's callbacks, where melody's own
// Session.Keys map would cost 336 bytes per connection (a map of one entry
// is a whole group of eight). A struct of one pointer is stored in the
// interface as it is, with no allocation. It has no values, no deadline and
// is never done, as context.Background.
type connContext struct{ c *Conn }

func (connContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (connContext) Done() <-chan struct{}       { return nil }
func (connContext) Err() error                  { return nil }
func (connContext) Value(any) any               { return nil }

// ErrConnClosed is returned when writing to a connection that has closed or
// is being closed.
var ErrConnClosed = errors.New("host: connection closed")

// Conn is one client connection, on /ws or on another protocol's endpoint
// (see Server.Accept). Its methods are safe from any goroutine and never
// block.
type Conn struct {
	// The small fields come last, together, to leave no padding: a Conn
	// is 320 bytes, a size class of its own (BenchmarkFanout10k counts
	// what an idle connection holds).
	id     string
	srv    *Server
	proto  string          // ProtocolNative, or Admission.Protocol
	codec  Codec           // encodes what the connection is sent
	tr     Transport       // carries it: wsTransport for /ws
	ns     string          // the namespace: "/" for /ws
	sess   *melody.Session // /ws only; nil until upgraded
	done   chan struct{}
	opened time.Time      // when the handshake arrived
	req    *http.Request  // the handshake, for Handshake; nil for Server.Accept's
	claims map[string]any // verified JWT claims; nil without authentication

	// hs is set before the connection is served by Server.Accept, and by
	// /ws when Hooks need it; else on first use (Handshake).
	hs atomic.Pointer[Handshake]

	data     atomic.Pointer[[]byte] // JSON text; nil means {}
	lastPong atomic.Int64           // Server.clock of the opening or the last pong

	// rooms and left are guarded by srv.roomsMu.
	rooms map[string]struct{}

	out outbox // frames on their way to the client; see outbox.go

	mu      sync.Mutex
	waiting []*request // requests waiting for their turn, in arrival order
	calls   *request   // requests in flight (linked by prev and next), for Shutdown's abort
	// expiry answers the dispatched requests whose deadline has passed. It
	// is one timer per connection, made on the first call and armed lazily:
	// a request whose deadline is not before expiryAt leaves it as it is,
	// and when it fires it answers what is due and arms itself for the
	// earliest deadline left (expireCalls). Deadlines follow arrival order,
	// so under steady traffic it fires about once per call timeout.
	expiry   *time.Timer
	expiryAt int64  // when expiry fires, in Server.clock's nanoseconds; 0 when it is not armed
	reason   string // why the connection ended: a Reason*, first one wins

	endOnce onceFlag // Conn.End's, for connections opened by Server.Accept

	observed atomic.Bool  // Observer.ConnOpened counted it: ConnClosed follows
	inflight atomic.Int32 // requests between arrival and reply
	slow     atomic.Bool  // the outbound buffer filled: being disconnected
	closing  atomic.Bool  // a close frame was queued: frames that follow are not served

	left bool // the connection ended and left its rooms: Join fails; guarded by srv.roomsMu
	busy bool // a request's synchronous part is running; guarded by mu
	gone bool // the connection has ended; its calls in flight are in srv.orphans; guarded by mu
}

// onceFlag is a sync.Once in 4 bytes rather than 12, for a function whose
// later callers need not wait for the first call to finish: Do after the
// first returns at once.
type onceFlag struct{ done atomic.Bool }

// Do calls f if it is the first Do.
func (o *onceFlag) Do(f func()) {
	if o.done.CompareAndSwap(false, true) {
		f()
	}
}

// ID returns the connection's unique id.
func (c *Conn) ID() string { return c.id }

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Namespace returns the connection's namespace: "/" for /ws.
func (c *Conn) Namespace() string { return c.ns }

// Emit pushes event with p's arguments to the client, encoded by the
// connection's codec.
func (c *Conn) Emit(event string, p Payload) error {
	return c.send(c.codec.Push(event, p))
}

// send hands m to the transport, counted by the observer.
func (c *Conn) send(m Message) error {
	if c.srv.obs != nil {
		c.observeOut(m)
	}
	return c.tr.Send(m)
}

// Close closes the connection with a WebSocket close code and reason, after
// the frames already queued.
func (c *Conn) Close(code int, reason string) error {
	c.setCloseReason(ReasonClosedByScript)
	return c.tr.Close(code, reason)
}

// Handshake returns what the connection presented when it opened.
func (c *Conn) Handshake() *Handshake {
	if h := c.hs.Load(); h != nil {
		return h
	}
	// Callers racing to the first call may each make one; all get the one
	// stored first.
	h := newHandshake(c.req, c.opened, c.claims)
	if !c.hs.CompareAndSwap(nil, h) {
		h = c.hs.Load()
	}
	return h
}

// remote returns the connection's remote address, as its handshake request
// had it: /ws keeps that request, Server.Accept makes the Handshake at once.
func (c *Conn) remote() string {
	if c.req != nil {
		return c.req.RemoteAddr
	}
	if h := c.hs.Load(); h != nil {
		return h.Address
	}
	return ""
}

// Data returns the connection's state as JSON text: {} until SetData, unless
// Hooks.Connect returned data. The result is shared: do not modify it.
func (c *Conn) Data() []byte {
	if p := c.data.Load(); p != nil {
		return *p
	}
	return []byte("{}")
}

// SetData replaces the connection's state with a copy of data, which the
// caller guarantees to be JSON text; nil or empty resets it to {}.
func (c *Conn) SetData(data []byte) {
	if len(data) == 0 {
		c.data.Store(nil)
		return
	}
	b := bytes.Clone(data)
	c.data.Store(&b)
}

// sendError answers a failed request: as an error reply when it has an id,
// as an "error" push otherwise. It returns the wire code sent.
func (c *Conn) sendError(id []byte, event string, err error) protocol.Code {
	code, m := c.encodeError(id, event, err)
	_ = c.send(m)
	return code
}

// encodeError encodes the answer to a failed request, as sendError sends
// it, logging internal errors.
func (c *Conn) encodeError(id []byte, event string, err error) (protocol.Code, Message) {
	code, msg := wireError(err, c.srv.cfg.CallTimeout)
	if code == protocol.CodeInternal {
		c.srv.log.Error("internal error", "socket", c.id, "event", event, "error", err)
	}
	return code, c.codec.Error(id, event, code, msg)
}

// refuseRequest answers a request the host does not queue (it does not
// decode, or it is over a limit), counted by the observer.
func (c *Conn) refuseRequest(id []byte, event string, err error) {
	code, m := c.encodeError(id, event, err)
	if c.srv.obs != nil {
		c.answered(event, code, time.Time{}) // counted before the client can see it
	}
	_ = c.send(m)
}

// slowConsumer disconnects a client whose outbound buffer is full. The close
// frame waits behind what is already being written, so it is sent from a
// goroutine of the server's, bounded by the write timeout.
func (c *Conn) slowConsumer() {
	if c.slow.Swap(true) {
		return
	}
	c.setCloseReason(ReasonSlowConsumer)
	c.srv.log.Warn("slow consumer: outbound buffer full, disconnecting", "socket", c.id, "remote", c.remote(),
		"buffer", c.srv.cfg.SendBuffer, "close_code", CloseSlowConsumer)
	ws := c.sess.WebsocketConnection()
	c.srv.closers.Add(1)
	go func() {
		defer c.srv.closers.Done()
		msg := websocket.FormatCloseMessage(CloseSlowConsumer, "slow consumer: outbound buffer full")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(DefaultWriteWait))
		_ = ws.Close()
	}()
}

func (c *Conn) setCloseReason(reason string) {
	c.mu.Lock()
	if c.reason == "" {
		c.reason = reason
	}
	c.mu.Unlock()
}

// endReason settles why the connection ended: the first reason set, else
// ReasonConnectionLost. Reasons set later are ignored.
func (c *Conn) endReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reason == "" {
		c.reason = ReasonConnectionLost
	}
	return c.reason
}

// enqueue hands r to the handler now if no other request of this connection
// is in its synchronous part, or queues it for its turn.
func (c *Conn) enqueue(r *request) {
	c.mu.Lock()
	r.next = c.calls // link r into the requests in flight
	if c.calls != nil {
		c.calls.prev = r
	}
	c.calls = r
	if c.busy {
		c.waiting = append(c.waiting, r)
		c.mu.Unlock()
		return
	}
	c.busy = true
	c.markDispatched(r)
	c.mu.Unlock()
	c.srv.dispatch(r)
}

// next hands the next waiting request to the handler, if any.
func (c *Conn) next() {
	c.mu.Lock()
	if len(c.waiting) == 0 {
		c.busy = false
		c.mu.Unlock()
		return
	}
	r := c.waiting[0]
	c.waiting[0] = nil
	c.waiting = c.waiting[1:]
	c.markDispatched(r)
	c.mu.Unlock()
	c.srv.dispatch(r)
}

// markDispatched records that r goes to the handler now, and makes sure
// the expiry fires by r's deadline. Under mu.
func (c *Conn) markDispatched(r *request) {
	r.dispatched = true
	c.armExpiry(r.ctx.deadline)
}

// armExpiry makes the expiry fire by d. Under mu.
func (c *Conn) armExpiry(d time.Time) {
	at := int64(d.Sub(c.srv.started)) // monotonic, as Server.clock
	if c.expiryAt != 0 && at >= c.expiryAt {
		return
	}
	if c.expiry == nil {
		c.expiry = time.AfterFunc(time.Until(d), c.expireCalls)
	} else {
		c.expiry.Reset(time.Until(d))
	}
	c.expiryAt = at
}

// expireCalls runs on the expiry's own goroutine. It answers with a timeout
// every dispatched request whose deadline has passed, whatever its handler
// does, oldest first, and arms the expiry for the earliest deadline left.
// Only then does it let the connection's next request go: that runs the
// next handler's synchronous part on this goroutine, which must not hold
// back the other timeouts due now.
func (c *Conn) expireCalls() {
	now := time.Now()
	var due []*request
	c.mu.Lock()
	c.expiryAt = 0
	var next time.Time
	for r := c.calls; r != nil; r = r.next {
		switch {
		case !r.dispatched || r.settled.Load():
		case !r.ctx.deadline.After(now):
			due = append(due, r)
		case next.IsZero() || r.ctx.deadline.Before(next):
			next = r.ctx.deadline
		}
	}
	if !next.IsZero() {
		c.armExpiry(next)
	}
	c.mu.Unlock()
	slices.Reverse(due) // calls lists the newest first
	for _, r := range due {
		r.timeOut()
	}
	for _, r := range due {
		r.started()
	}
}

// stopExpiry stops the expiry of a connection that has ended with no
// request in flight. Under mu.
func (c *Conn) stopExpiry() {
	if c.expiry != nil {
		c.expiry.Stop()
		c.expiryAt = 0
	}
}

// request is a decoded request between arrival and reply.
type request struct {
	protocol.Request
	conn       *Conn
	ctx        callContext // the handler's context; its deadline is arrival plus the call timeout
	call       Call        // what the handler gets
	prev, next *request    // the connection's requests in flight; guarded by conn.mu
	dispatched bool        // handed to the handler (not waiting its turn); guarded by conn.mu
	released   atomic.Bool // the connection's next request has been let go
	settled    atomic.Bool
}

func (r *request) data() []byte {
	if r.Binary {
		return r.Payload
	}
	return r.Data
}

// started lets the connection's next request go; only the first call counts.
func (r *request) started() {
	if !r.released.Swap(true) {
		r.conn.next()
	}
}

// done is Call.Done: it writes the outcome and ends the request's context.
func (r *request) done(rep Reply, err error) {
	if r.settle(rep, err) {
		r.ctx.end(context.Canceled)
	}
}

// timeOut answers a request whose deadline passed with a timeout, whatever
// its handler does, and ends its context. The caller lets the connection's
// next request go.
func (r *request) timeOut() {
	r.settle(Reply{}, context.DeadlineExceeded)
	r.ctx.end(context.DeadlineExceeded)
}

// abort answers a request still open when Shutdown's grace period ends.
func (r *request) abort() {
	r.settle(Reply{}, errShuttingDown)
	r.ctx.end(context.Canceled)
	r.started()
}

// settle writes the outcome once: a reply or error for a request with an id,
// an error push for one without, nothing for a successful one without. It
// reports whether this call was the one that settled.
func (r *request) settle(rep Reply, err error) bool {
	if r.settled.Swap(true) {
		return false
	}
	c := r.conn
	defer func() {
		c.forget(r)
		c.inflight.Add(-1)
		c.srv.calls.Add(-1)
	}()
	code := CodeOK
	var m Message
	switch {
	case err != nil:
		code, m = c.encodeError(r.ID, r.Event, err)
	case r.ID == nil: // nothing to answer
	default:
		m = c.codec.Reply(r.ID, rep)
	}
	// Counted before the answer leaves, so that a client that has it and
	// then reads the metrics finds it counted.
	if c.srv.obs != nil {
		c.answered(r.Event, code, r.ctx.deadline.Add(-c.srv.cfg.CallTimeout))
	}
	if m.Frame != nil {
		_ = c.send(m)
	}
	return true
}

// forget unlinks a settled request from the requests in flight.
func (c *Conn) forget(r *request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		c.calls = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	}
	r.prev, r.next = nil, nil
	if c.gone && c.calls == nil {
		c.stopExpiry()
		c.srv.orphansMu.Lock()
		delete(c.srv.orphans, c)
		c.srv.orphansMu.Unlock()
	}
}

// ended marks the connection ended. Calls still in flight outlive it, so it
// stays reachable for Shutdown's abort, in srv.orphans, until they settle.
func (c *Conn) ended() {
	c.mu.Lock()
	c.gone = true
	if c.calls == nil {
		c.stopExpiry()
	} else {
		c.srv.orphansMu.Lock()
		c.srv.orphans[c] = struct{}{}
		c.srv.orphansMu.Unlock()
	}
	c.mu.Unlock()
	if c.srv.draining.Load() {
		// Their answers can no longer be delivered: they must not hold the
		// drain (Shutdown aborts the orphans of earlier ends itself).
		c.abortCalls()
	}
}

// abortCalls answers every request in flight with errShuttingDown. Those
// still waiting their turn are answered now and let go when their turn
// comes (see Server.dispatch), which keeps the turns in order.
func (c *Conn) abortCalls() {
	c.mu.Lock()
	var dispatched, waiting []*request
	for r := c.calls; r != nil; r = r.next {
		if r.dispatched {
			dispatched = append(dispatched, r)
		} else {
			waiting = append(waiting, r)
		}
	}
	c.mu.Unlock()
	for _, r := range waiting {
		r.settle(Reply{}, errShuttingDown)
		r.ctx.end(context.Canceled)
	}
	for _, r := range dispatched {
		r.abort()
	}
}
