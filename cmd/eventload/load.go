package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults for the zero fields of Config.
const (
	DefaultURL      = "ws://127.0.0.1:8080/ws"
	DefaultEvent    = "api.test.board"
	DefaultData     = `{"hello":"world"}`
	DefaultDuration = 10 * time.Second
)

// writeWait bounds the write of one frame: a server that stops reading ends
// the connection instead of holding the load forever.
const writeWait = 10 * time.Second

// closeWait bounds the closing handshake of each connection at the end.
const closeWait = time.Second

// errConfig marks an invalid Config.
var errConfig = errors.New("eventload: invalid config")

// errServerClosed is a connection's end when the server closed its session
// inside the protocol (Socket.IO DISCONNECT, Engine.IO close).
var errServerClosed = errors.New("eventload: the server ended the session")

// Config configures Run. Each field's zero value is documented beside it.
type Config struct {
	// Proto is the protocol spoken: ProtoWS (the native one, when empty) or
	// ProtoSocketIO.
	Proto string
	// URL is the server's WebSocket endpoint (ws:// or wss://); when empty,
	// DefaultURL, or DefaultSocketIOURL with ProtoSocketIO. With
	// ProtoSocketIO a URL without a path gets /socket.io/, and the query
	// parameters EIO=4 and transport=websocket are set.
	URL string
	// Connections is how many WebSocket connections to open; 1 when zero.
	Connections int
	// InFlight is how many requests each connection keeps outstanding: a new
	// one is sent as soon as a reply arrives; 1 when zero.
	InFlight int
	// Duration is how long the measured load lasts, from the end of the
	// warm-up. When zero: DefaultDuration if Requests is zero, else no time
	// limit.
	Duration time.Duration
	// Requests, when positive, ends the load once this many measured
	// requests have been sent (or at Duration, if set, whichever comes
	// first).
	Requests int64
	// Event is the event of every request; DefaultEvent when empty.
	Event string
	// Data is the JSON data of every request; DefaultData when nil.
	Data json.RawMessage
	// Warmup is how long load is sent before measuring starts; requests sent
	// during it, and their replies, are not counted. Zero: none.
	Warmup time.Duration
	// Grace is how long a connection waits for its outstanding replies once
	// sending has stopped; replies still missing then are lost. It also
	// bounds the wait of a connection whose every request is outstanding: a
	// connection that gets no reply for Grace stops sending (its requests
	// are presumably lost). Zero: no wait at the end, and no such bound.
	Grace time.Duration
	// Dialer opens the connections; websocket.DefaultDialer when nil.
	Dialer *websocket.Dialer
}

// setDefaults fills the zero fields that have defaults and checks the rest.
func (c *Config) setDefaults() error {
	if c.Proto == "" {
		c.Proto = ProtoWS
	}
	if c.URL == "" {
		c.URL = defaultURL(c.Proto)
	}
	if c.Connections == 0 {
		c.Connections = 1
	}
	if c.InFlight == 0 {
		c.InFlight = 1
	}
	if c.Duration == 0 && c.Requests == 0 {
		c.Duration = DefaultDuration
	}
	if c.Event == "" {
		c.Event = DefaultEvent
	}
	if c.Data == nil {
		c.Data = json.RawMessage(DefaultData)
	}
	if c.Dialer == nil {
		c.Dialer = websocket.DefaultDialer
	}
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "":
		return fmt.Errorf("%w: URL must be ws://HOST/PATH or wss://HOST/PATH, not %q", errConfig, c.URL)
	case c.Connections < 0, c.InFlight < 0, c.Duration < 0, c.Requests < 0, c.Warmup < 0, c.Grace < 0:
		return fmt.Errorf("%w: Connections, InFlight, Duration, Requests, Warmup and Grace must not be negative", errConfig)
	case !json.Valid(c.Data):
		return fmt.Errorf("%w: Data is not valid JSON: %s", errConfig, c.Data)
	case c.Proto != ProtoWS && c.Proto != ProtoSocketIO:
		return fmt.Errorf("%w: Proto must be %q or %q, not %q", errConfig, ProtoWS, ProtoSocketIO, c.Proto)
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, c.Data) // valid: cannot fail
	c.Data = compact.Bytes()
	return nil
}

// Result is what a load run measured. Counts cover the measured requests
// only: those sent after the warm-up.
type Result struct {
	// Connections and InFlight are the configuration's.
	Connections, InFlight int
	// Elapsed is the measured time: from the end of the warm-up to the later
	// of the end of sending and the last counted reply.
	Elapsed time.Duration
	// Sent counts requests sent; a request whose write failed counts as sent
	// (and lost).
	Sent int64
	// OK counts replies with data.
	OK int64
	// Errors counts error replies by code.
	Errors map[string]int64
	// Lost counts requests without a reply at the end of the grace period:
	// Sent - OK - the sum of Errors.
	Lost int64
	// Pushes counts pushes (frames with an event and no id; with
	// ProtoSocketIO every EVENT from the server); they are otherwise ignored.
	Pushes int64
	// Pings counts the server's heartbeats answered (ProtoSocketIO: Engine.IO
	// pings; the native protocol's are WebSocket control frames, answered
	// and not counted).
	Pings int64
	// Unexpected counts frames that are neither pushes nor replies to an
	// outstanding request (a duplicate reply, an id never sent).
	Unexpected int64
	// ConnectErrors counts connections that could not be opened, and
	// ConnectError is the first such error.
	ConnectErrors int
	ConnectError  error
	// Disconnects counts connections that ended before the run did (read or
	// write errors, closes by the server), and Disconnect is the first error.
	Disconnects int
	Disconnect  error
	// Stalled counts connections that stopped sending because no reply came
	// for the grace period while all their requests were outstanding.
	Stalled int
	// Interrupted reports that the run's context ended before the load did.
	Interrupted bool
	// WarmupSent counts requests sent during the warm-up (not counted above).
	WarmupSent int64
	// Latency of the OK replies, from just before the request's write to
	// just after the reply's read.
	Latency Latency
}

// Latency summarises the send-to-reply times of the successful replies.
// Percentiles come from a histogram whose buckets are under 1 % wide.
type Latency struct {
	P50, P90, P99, Max time.Duration
}

// Answered counts the requests that got a reply, successful or not.
func (r Result) Answered() int64 {
	n := r.OK
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// MsgsPerSecond is the rate of replies over the measured time.
func (r Result) MsgsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Answered()) / r.Elapsed.Seconds()
}

// Success reports whether every request got a successful reply and every
// connection was opened and stayed up.
func (r Result) Success() bool {
	return r.Lost == 0 && len(r.Errors) == 0 && r.ConnectErrors == 0 && r.Disconnects == 0
}

// Run opens cfg.Connections connections to cfg.URL, keeps cfg.InFlight
// requests outstanding on each until the load ends (cfg.Duration,
// cfg.Requests, or ctx), waits up to cfg.Grace for the outstanding replies,
// closes the connections and returns what it measured. Connections that
// cannot be opened are counted, not fatal. Only an invalid cfg is an error.
//
// ctx ending stops the load early (Result.Interrupted); the grace period
// still follows, so that the replies on their way are counted.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.setDefaults(); err != nil {
		return Result{}, err
	}
	wire, err := newWire(&cfg)
	if err != nil {
		return Result{}, err
	}
	r := &runner{cfg: cfg, wire: wire, hist: new(histogram)}
	res := Result{Connections: cfg.Connections, InFlight: cfg.InFlight, Errors: map[string]int64{}}

	// Open every connection before the load starts, so that the handshakes
	// are not measured.
	conns := make([]*loadConn, cfg.Connections)
	dialErrs := make([]error, cfg.Connections)
	var dials sync.WaitGroup
	for i := range conns {
		dials.Go(func() {
			ws, _, err := cfg.Dialer.DialContext(ctx, wire.dialURL, nil)
			if err != nil {
				dialErrs[i] = err
				return
			}
			if wire.handshake != nil {
				if err := wire.handshake(ctx, ws); err != nil {
					_ = ws.Close()
					dialErrs[i] = err
					return
				}
			}
			conns[i] = newLoadConn(r, ws)
		})
	}
	dials.Wait()
	for _, err := range dialErrs {
		if err != nil && ctx.Err() == nil {
			res.ConnectErrors++
			if res.ConnectError == nil {
				res.ConnectError = err
			}
		}
	}

	r.start = time.Now().Add(cfg.Warmup)
	sendCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Duration > 0 {
		var cancelDeadline context.CancelFunc
		sendCtx, cancelDeadline = context.WithDeadline(sendCtx, r.start.Add(cfg.Duration))
		defer cancelDeadline()
	}
	r.stopSending = cancel
	var load sync.WaitGroup
	for _, c := range conns {
		if c != nil {
			load.Go(func() { c.run(sendCtx) })
		}
	}
	load.Wait()
	res.Interrupted = ctx.Err() != nil

	var end time.Time
	for _, c := range conns {
		if c == nil {
			continue
		}
		res.Sent += c.sent
		res.WarmupSent += c.warmupSent
		res.OK += c.ok
		for code, n := range c.errors {
			res.Errors[code] += n
		}
		res.Pushes += c.pushes
		res.Pings += c.pings
		res.Unexpected += c.unexpected
		if c.broken != nil {
			res.Disconnects++
			if res.Disconnect == nil {
				res.Disconnect = c.broken
			}
		}
		if c.stalled {
			res.Stalled++
		}
		end = latest(end, c.stoppedAt, c.lastReply)
	}
	res.Lost = res.Sent - res.Answered()
	if end.After(r.start) {
		res.Elapsed = end.Sub(r.start)
	}
	res.Latency = Latency{
		P50: r.hist.percentile(50),
		P90: r.hist.percentile(90),
		P99: r.hist.percentile(99),
		Max: r.hist.maximum(),
	}
	return res, nil
}

func latest(ts ...time.Time) time.Time {
	var t time.Time
	for _, u := range ts {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// runner is what the connections of one run share.
type runner struct {
	cfg         Config
	wire        *wire      // the protocol
	hist        *histogram // latencies of the OK replies
	start       time.Time  // end of the warm-up: measuring starts
	tickets     atomic.Int64
	stopSending context.CancelFunc // ends the send phase of every connection
}

// slot is one of a connection's InFlight places for an outstanding request.
// A request's id is seq*InFlight + slot + 1, so the reply's id names its slot.
type slot struct {
	id       uint64
	sentAt   time.Time
	measured bool // sent after the warm-up
	pending  bool // sent, not yet answered
}

// loadConn is one connection under load. Its run goroutine sends the
// requests and starts and joins a reader goroutine, which answers the
// protocol's pings; gorilla allows one writer at a time, so both write under
// wmu. The two share only the slots (under mu) and the tokens channel. The
// counters are each written by one of them and read by Run after run
// returns.
type loadConn struct {
	r   *runner
	ws  *websocket.Conn
	wmu sync.Mutex // held for every data frame written
	// tokens carries the slots of answered requests from the reader to the
	// writer; it never holds more than InFlight.
	tokens chan uint32

	mu     sync.Mutex
	slots  []slot
	closed bool // the grace period is over: replies no longer count

	// Written by the run goroutine.
	sent, warmupSent int64
	stoppedAt        time.Time // when sending ended (for a stall: the last send)
	stalled          bool
	broken           error // the connection failed during the run

	// Written by the reader goroutine.
	ok, pushes, pings, unexpected int64
	errors                        map[string]int64
	lastReply                     time.Time // of the last counted reply
	readErr                       error
}

func newLoadConn(r *runner, ws *websocket.Conn) *loadConn {
	return &loadConn{
		r:      r,
		ws:     ws,
		tokens: make(chan uint32, r.cfg.InFlight),
		slots:  make([]slot, r.cfg.InFlight),
		errors: map[string]int64{},
	}
}

// run sends until sendCtx ends (or the request count is reached, the
// connection fails or stalls), waits the grace period for the outstanding
// replies, closes the connection and returns once its reader has stopped.
func (c *loadConn) run(sendCtx context.Context) {
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		c.read()
	}()

	cfg := &c.r.cfg
	w := cfg.InFlight
	free := make([]uint32, w) // slots not in flight
	for i := range free {
		free[i] = uint32(w - 1 - i)
	}
	seq := make([]uint64, w) // next sequence number of each slot
	inflight := 0
	// stall bounds a wait for a reply when every slot is in flight; it is
	// armed only with a grace period (a nil channel never fires).
	stall := time.NewTimer(time.Hour)
	stall.Stop()
	var stallC <-chan time.Time
	if cfg.Grace > 0 {
		stallC = stall.C
	}
	buf := make([]byte, 0, c.r.wire.request.size()+20)
	var lastSend time.Time

send:
	for sendCtx.Err() == nil {
		var s uint32
		if n := len(free); n > 0 {
			s, free = free[n-1], free[:n-1]
		} else {
			select {
			case s = <-c.tokens:
			default:
				if stallC != nil {
					stall.Reset(cfg.Grace)
				}
				select {
				case s = <-c.tokens:
					stall.Stop()
				case <-sendCtx.Done():
					stall.Stop()
					break send
				case <-readerDone:
					stall.Stop()
					break send
				case <-stallC:
					c.stalled = true
					break send
				}
			}
			inflight--
		}
		now := time.Now()
		measured := !now.Before(c.r.start)
		last := false
		if measured && cfg.Requests > 0 {
			n := c.r.tickets.Add(1)
			if n > cfg.Requests {
				c.r.stopSending()
				break
			}
			last = n == cfg.Requests
		}
		id := seq[s]*uint64(w) + uint64(s) + 1
		seq[s]++
		c.mu.Lock()
		c.slots[s] = slot{id: id, sentAt: now, measured: measured, pending: true}
		c.mu.Unlock()
		inflight++
		if measured {
			c.sent++
		} else {
			c.warmupSent++
		}
		lastSend = now
		buf = c.r.wire.request.appendRequest(buf[:0], id)
		if err := c.write(now.Add(writeWait), buf); err != nil {
			c.broken = fmt.Errorf("write: %w", err)
			break
		}
		if last {
			c.r.stopSending()
		}
	}
	c.stoppedAt = time.Now()
	if c.stalled {
		c.stoppedAt = lastSend
	}

	// Grace: wait for the outstanding replies.
	if inflight > 0 && cfg.Grace > 0 && c.broken == nil {
		grace := time.NewTimer(cfg.Grace)
	wait:
		for inflight > 0 {
			select {
			case <-c.tokens:
				inflight--
			case <-grace.C:
				break wait
			case <-readerDone:
				break wait
			}
		}
		grace.Stop()
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()

	select {
	case <-readerDone:
		if c.broken == nil {
			c.broken = c.readErr
		}
	default:
		// Close politely, give the server a moment to answer the close, then
		// cut the connection, which ends the reader.
		if bye := c.r.wire.bye; bye != nil {
			_ = c.write(time.Now().Add(closeWait), bye)
		}
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		if c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait)) == nil {
			t := time.NewTimer(closeWait)
			select {
			case <-readerDone:
			case <-t.C:
			}
			t.Stop()
		}
	}
	_ = c.ws.Close()
	<-readerDone
}

// write writes one text frame, failing at deadline. It is safe from the run
// and the reader goroutines.
func (c *loadConn) write(deadline time.Time, frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(deadline)
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// read handles the connection's frames until it fails or is closed. It
// reuses one buffer for every frame.
func (c *loadConn) read() {
	buf := make([]byte, 0, 512)
	w := uint64(c.r.cfg.InFlight)
	p := c.r.wire.newParser()
	for {
		typ, rd, err := c.ws.NextReader()
		if err == nil {
			buf, err = readAll(rd, buf[:0])
		}
		if err != nil {
			if ce := (*websocket.CloseError)(nil); errors.As(err, &ce) {
				err = fmt.Errorf("server closed the connection: %w", err)
			} else {
				err = fmt.Errorf("read: %w", err)
			}
			c.readErr = err
			return
		}
		now := time.Now()
		kind, id, code := p.parse(typ, buf)
		switch kind {
		case framePush:
			c.pushes++
			continue
		case frameOther:
			c.unexpected++
			continue
		case frameControl:
			continue
		case framePing:
			if err := c.write(now.Add(writeWait), c.r.wire.pong); err != nil {
				c.readErr = fmt.Errorf("answer ping: %w", err)
				return
			}
			c.pings++
			continue
		case frameClose:
			c.readErr = errServerClosed
			return
		}
		s := (id - 1) % w
		c.mu.Lock()
		closed := c.closed
		sl := &c.slots[s]
		ours := sl.pending && sl.id == id && !closed
		if ours {
			sl.pending = false
		}
		sentAt, measured := sl.sentAt, sl.measured
		c.mu.Unlock()
		if !ours {
			if !closed {
				c.unexpected++
			}
			continue
		}
		if measured {
			if kind == frameOK {
				c.ok++
				c.r.hist.record(now.Sub(sentAt))
			} else {
				c.errors[string(code)]++
			}
			c.lastReply = now
		}
		c.tokens <- uint32(s) // never blocks: at most InFlight are in flight
	}
}

// readAll appends what r yields to buf, growing it as needed.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
