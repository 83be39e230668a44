package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eventhost/eventhost/runtime/bundle"
	"github.com/eventhost/eventhost/runtime/fetch"
)

// Mode is how a worker gets a module's exports.
type Mode string

// The eval modes.
const (
	// ModePreload evaluates each module once per VM and generation and reuses
	// its exports: module-level variables live as long as the generation, one
	// copy per VM.
	ModePreload Mode = "preload"
	// ModeReeval evaluates the handler's module afresh for every call: its
	// top-level code runs again and its module-level variables start fresh.
	ModeReeval Mode = "reeval"
)

// Defaults for the zero fields of Config.
const (
	DefaultMode             = ModePreload
	DefaultQueueSize        = 4096
	DefaultMaxCallStackSize = 10000
	DefaultMaxTimers        = 10000
	DefaultHookTimeout      = 10 * time.Second
	DefaultModuleTimeout    = 10 * time.Second
	DefaultTimerRunLimit    = 10 * time.Second
	DefaultMaxAsync         = 10000
	DefaultFetchTimeout     = fetch.DefaultTimeout
	DefaultFetchMaxBody     = fetch.DefaultMaxBody
	DefaultFetchMaxInflight = fetch.DefaultMaxInflight
)

// Config configures an Engine. The zero value of each field means its
// default.
type Config struct {
	// Dir is the scripts folder. Required.
	Dir string
	// Mode is the eval mode; DefaultMode when empty.
	Mode Mode
	// PoolSize bounds the number of VMs; runtime.NumCPU() when zero.
	PoolSize int
	// QueueSize bounds the calls waiting for a VM; DefaultQueueSize when
	// zero. A call that finds the queue full fails with ErrQueueFull.
	QueueSize int
	// MaxCallStackSize bounds JS recursion depth; DefaultMaxCallStackSize
	// when zero.
	MaxCallStackSize int
	// MaxTimers bounds the pending timers of one VM; DefaultMaxTimers when zero.
	MaxTimers int
	// Logger receives console output, handler errors and panics;
	// slog.Default() when nil.
	Logger *slog.Logger
	// Hub serves every emit but socket.emit (io.emit, io.to(room),
	// socket.to(room), socket.broadcast, io.of(namespace), ...) and
	// count(); nil makes them reach nobody and count zero.
	Hub Hub
	// HookTimeout bounds the connected and disconnect hooks (the connect
	// hook runs under its caller's context); DefaultHookTimeout when zero.
	HookTimeout time.Duration
	// ModuleTimeout bounds a module's top-level code when a build evaluates
	// it to find its exports; DefaultModuleTimeout when zero. A module that
	// runs longer fails the build.
	ModuleTimeout time.Duration
	// TimerRunLimit bounds one run of a timer callback, with the promise
	// continuations it runs; DefaultTimerRunLimit when zero. A run that
	// goes on longer is interrupted and its VM replaced.
	TimerRunLimit time.Duration
	// DB is the database of the native module's db object; nil makes every
	// db call reject with ErrNoDatabase.
	DB Database
	// BeforeBuild, when set, runs before every build of the scripts (in New
	// and in each Reload), e.g. to apply the scripts' database migrations.
	// Its error fails the build as a build error does: New returns it;
	// Reload keeps the current generation serving and reports it as
	// LastFailure.
	BeforeBuild func(ctx context.Context) error
	// MaxAsync bounds the host operations (fetches, queries: work started
	// off the VM by a native function) in flight across the engine;
	// DefaultMaxAsync when zero. One started beyond it is rejected at once.
	MaxAsync int
	// FetchTimeout bounds one fetch, on top of its call's deadline;
	// DefaultFetchTimeout when zero.
	FetchTimeout time.Duration
	// FetchMaxBody bounds a fetched response body in bytes;
	// DefaultFetchMaxBody when zero. A larger one rejects the fetch.
	FetchMaxBody int64
	// FetchMaxInflight bounds the fetches in flight across the engine; one
	// more waits for a slot, within its call's deadline.
	// DefaultFetchMaxInflight when zero.
	FetchMaxInflight int
	// FetchAllow lists where fetch may go: host names (any port;
	// "*.example.com" for subdomains), host:port pairs and CIDRs. Empty
	// allows everything. A refused fetch rejects like a network error.
	FetchAllow []string
	// QueueWait, when set, is told how long each call waited in the queue
	// for a VM, when a worker takes it (from the worker's goroutine: it
	// must be quick). Nil costs nothing per call.
	QueueWait func(time.Duration)
	// ObserveFetch, when set, is told each fetch's error (nil for a
	// response, of any status; fetch.Outcome classifies it) and duration,
	// from the goroutine that ran it: it must be quick. Nil costs nothing.
	ObserveFetch func(err error, d time.Duration)
	// ObserveDB, when set, is told each db.query, db.exec and db.tx (and
	// the statements of a transaction) once the database has answered, from
	// the goroutine that waited for it: it must be quick. Nil costs nothing.
	ObserveDB func(DBCall)

	testNatives func(v *vm) // tests: installs extra natives in each VM
}

func (c *Config) setDefaults() {
	if c.Mode == "" {
		c.Mode = DefaultMode
	}
	if c.PoolSize <= 0 {
		c.PoolSize = runtime.NumCPU()
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.MaxCallStackSize <= 0 {
		c.MaxCallStackSize = DefaultMaxCallStackSize
	}
	if c.MaxTimers <= 0 {
		c.MaxTimers = DefaultMaxTimers
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HookTimeout <= 0 {
		c.HookTimeout = DefaultHookTimeout
	}
	if c.ModuleTimeout <= 0 {
		c.ModuleTimeout = DefaultModuleTimeout
	}
	if c.TimerRunLimit <= 0 {
		c.TimerRunLimit = DefaultTimerRunLimit
	}
	if c.MaxAsync <= 0 {
		c.MaxAsync = DefaultMaxAsync
	}
}

// Payload is a list of arguments crossing the engine's boundary: a call's
// arguments after the socket (in Request), a handler's reply (Result), the
// arguments of an emit after the event name. One the engine gives (to a
// Socket or Hub method, to Request.Done) is only valid during that call.
type Payload struct {
	// Data is the JSON text of the first argument (nil: undefined), or its
	// raw bytes when Binary is set.
	Data []byte
	// Binary reports that Data is a binary value: the handler gets it as a
	// Buffer; a handler's Uint8Array, Buffer, ArrayBuffer, other typed
	// array or DataView gives it.
	Binary bool
	// Rest is the JSON array text of the arguments after the first; nil
	// when there are none.
	Rest []byte
	// Attachments are binary values that Data and Rest reference anywhere
	// as {"_placeholder":true,"num":N}, N indexing Attachments.
	Attachments [][]byte
}

// Result is a handler's reply: Data (and Rest, for ack(a, b, ...)) with
// their attachments.
type Result = Payload

// Socket is the connection a call came from, as the network side provides it.
// Its methods are called from worker goroutines and must not block. Every
// Payload and data given to them is only valid during the call.
type Socket interface {
	// ID is unique per connection.
	ID() string
	// Emit pushes an event with its arguments to the connection.
	Emit(event string, p Payload) error
	// Close closes the connection with a WebSocket close code and reason.
	Close(code int, reason string) error
	// Done is closed when the connection has ended.
	Done() <-chan struct{}
	// Data is the connection's state as JSON text; SetData replaces it.
	Data() []byte
	SetData(data []byte)
	// Handshake is {"headers","query","address","time","auth","namespace",
	// "claims"} as JSON text; namespace is "/" for /ws.
	Handshake() []byte
	// Namespace is the connection's namespace: "/" for /ws (the engine
	// reads "" as "/").
	Namespace() string
	// Join, Leave and Rooms manage the connection's room memberships, in
	// its namespace. Joining a room it is in does nothing. When Join
	// returns, pushes to the room from any node of a cluster reach the
	// connection.
	Join(room string) error
	Leave(room string)
	Rooms() []string
}

// Hub reaches the server's connections, on every node of a cluster: the io
// object of the native module "eventhost" (namespace "/"), io.of(namespace),
// and the socket's to, broadcast and except targets. Its methods are called
// from worker goroutines (Count from a goroutine of its own) and must not
// block, but for Count. As in Socket, a Payload is only valid during the
// call; a Target's slices are never modified afterwards and may be kept.
type Hub interface {
	// EmitTarget pushes event with p's arguments to t's connections and
	// returns how many on this node it was queued for; other nodes'
	// deliveries are asynchronous and not counted.
	EmitTarget(t Target, event string, p Payload) int
	// Count counts t's connections on every node, waiting for the other
	// nodes as long as ctx and the cluster allow. On an error, the result
	// still holds what was counted.
	Count(ctx context.Context, t Target) (RoomCount, error)
}

// Target names whom an emit reaches: connections of one namespace, on
// every node of a cluster. It mirrors the host's target field for field.
type Target struct {
	// Namespace is the connections' namespace; "/" when empty.
	Namespace string
	// Rooms are the rooms whose members the push reaches, each connection
	// once however many of the rooms it is in. A connection's id names a
	// room that holds it alone. No rooms means every connection of the
	// namespace.
	Rooms []string
	// Except lists the ids of connections the push leaves out.
	Except []string
}

// RoomCount is how many connections a Target reaches across a cluster.
type RoomCount struct {
	// Count is the number of connections on the nodes counted.
	Count int
	// Nodes is the number of nodes counted, this one included.
	Nodes int
	// Partial reports that a node did not answer in time (or the cluster
	// could not be asked): Count leaves its connections out.
	Partial bool
}

// Request is one call of a handler: fn(socket, data, ...rest).
type Request struct {
	// Event names the route, e.g. "api.hello.greeting".
	Event string
	// Data is the request's JSON text (nil: the handler gets undefined), or
	// its payload bytes when Binary is set (the handler gets a Buffer).
	Data []byte
	// Binary reports that Data is a binary payload.
	Binary bool
	// Rest is the JSON array text of the arguments after data, each a
	// further argument of the handler; nil when there are none.
	Rest []byte
	// Attachments are binary values that Data and Rest reference as
	// {"_placeholder":true,"num":N}: each placeholder reaches the handler
	// as attachment N, a Buffer. A num out of range fails the call with
	// bad_request. As with a binary Data, the Buffers share the bytes'
	// memory, which the handler may keep: the caller must not reuse it.
	Attachments [][]byte
	// Socket is the caller's connection.
	Socket Socket
	// Started, when set, is called once, after the handler's synchronous part
	// has run or the call has failed before it could run.
	Started func()
	// Done is called exactly once with the outcome.
	Done func(Result, error)

	hook string // "connect", "connected" or "disconnect" for the hooks; "" for routes
}

// Engine runs calls on a bounded pool of VMs. Create it with New.
type Engine struct {
	cfg    Config
	log    *slog.Logger
	gen    atomic.Pointer[generation]
	queue  chan *call
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// loopCtx ends when the workers are told to stop; the host work
	// (startAsync) started on their VMs ends with it, and Close waits for
	// its goroutines (asyncWG). asyncSlots holds one token per operation in
	// flight, up to MaxAsync.
	loopCtx    context.Context
	asyncWG    sync.WaitGroup
	asyncSlots chan struct{}
	fetch      *fetch.Client // the fetch global's client, shared by every VM
	// Connected and disconnect hooks started and not yet answered, and the
	// WaitHooks calls waiting for none to be left.
	hooksMu      sync.Mutex
	hooksRunning int
	hookWaiters  []chan struct{}
	closed       atomic.Bool
	reload       sync.Mutex // one build at a time
	builder      *bundle.Builder
	lastErr      atomic.Pointer[BuildFailure]
	workers      []*worker

	vmsCreated atomic.Uint64
	vmResets   atomic.Uint64
	busy       atomic.Int64 // workers running a call's synchronous part now

	reloadsOK, reloadsUnchanged, reloadsFailed atomic.Uint64
}

// Stats are counters of the pool, for health endpoints and tests.
type Stats struct {
	PoolSize   int    `json:"pool_size"`   // workers, each owning one VM at a time
	VMsCreated uint64 `json:"vms_created"` // VMs made for workers (PoolSize at start, one more per reset)
	VMResets   uint64 `json:"vm_resets"`   // VMs replaced after a timeout, stack overflow or panic
	Queued     int    `json:"queued"`      // calls waiting for a VM now
	AsyncOps   int    `json:"async_ops"`   // host operations (fetches, queries) in flight now
	Busy       int    `json:"busy"`        // VMs running a call's synchronous part now

	ReloadsOK        uint64 `json:"reloads_ok"`        // Reloads that made a new generation current
	ReloadsUnchanged uint64 `json:"reloads_unchanged"` // Reloads whose build was the current one's
	ReloadsFailed    uint64 `json:"reloads_failed"`    // Reloads whose build failed (the old generation kept serving)
}

// Stats returns the pool's counters.
func (e *Engine) Stats() Stats {
	return Stats{PoolSize: e.cfg.PoolSize, VMsCreated: e.vmsCreated.Load(), VMResets: e.vmResets.Load(), Queued: len(e.queue),
		AsyncOps: len(e.asyncSlots), Busy: int(e.busy.Load()),
		ReloadsOK: e.reloadsOK.Load(), ReloadsUnchanged: e.reloadsUnchanged.Load(), ReloadsFailed: e.reloadsFailed.Load()}
}

// New builds the scripts in cfg.Dir and starts the pool. It fails with a
// *bundle.Error when the scripts do not build.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	cfg.setDefaults()
	switch cfg.Mode {
	case ModePreload, ModeReeval:
	default:
		return nil, fmt.Errorf("engine: unknown mode %q (want %s or %s)", cfg.Mode, ModePreload, ModeReeval)
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, queue: make(chan *call, cfg.QueueSize), asyncSlots: make(chan struct{}, cfg.MaxAsync),
		builder: bundle.NewBuilder(bundle.Options{Dir: cfg.Dir, External: nativeModuleNames(), SharedImports: cfg.Mode == ModeReeval})}
	fc, err := fetch.New(fetch.Options{Timeout: cfg.FetchTimeout, MaxBody: cfg.FetchMaxBody,
		MaxInflight: cfg.FetchMaxInflight, Allow: cfg.FetchAllow, Observe: cfg.ObserveFetch})
	if err != nil {
		e.builder.Close()
		return nil, fmt.Errorf("engine: %w", err)
	}
	e.fetch = fc
	gen, err := e.build(ctx, 1, nil)
	if err != nil {
		e.builder.Close()
		return nil, err
	}
	e.gen.Store(gen)
	loopCtx, cancel := context.WithCancel(context.Background())
	e.loopCtx, e.cancel = loopCtx, cancel
	for i := range cfg.PoolSize {
		w := newWorker(e, i)
		e.workers = append(e.workers, w)
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			w.loop(loopCtx)
		}()
	}
	return e, nil
}

// Reload builds the scripts again and, when they build, makes the result the
// current generation: calls started from now on use it, calls already
// running finish on the one they started with. On a build error the current
// generation keeps serving, the error is kept for Status, and the
// *bundle.Error is returned.
func (e *Engine) Reload(ctx context.Context) (ReloadResult, error) {
	e.reload.Lock()
	defer e.reload.Unlock()
	old := e.gen.Load()
	gen, err := e.build(ctx, old.info.ID+1, old)
	if err != nil {
		e.lastErr.Store(&BuildFailure{Err: err, At: time.Now()})
		e.reloadsFailed.Add(1)
		return ReloadResult{Generation: old.info}, err
	}
	e.lastErr.Store(nil)
	if slices.Equal(gen.modules, old.modules) {
		// Every module's output is the current one's (a save without an
		// edit, a file no module reads): the current generation, and the
		// module state its VMs hold, stay.
		e.reloadsUnchanged.Add(1)
		return ReloadResult{Generation: old.info, Inputs: gen.inputs, Unchanged: true}, nil
	}
	e.gen.Store(gen)
	e.reloadsOK.Add(1)
	for _, w := range e.workers {
		select { // let idle workers drop the old generation now
		case w.wake <- struct{}{}:
		default:
		}
	}
	added, removed := diffRoutes(old.table, gen.table)
	return ReloadResult{Generation: gen.info, Added: added, Removed: removed, Inputs: gen.inputs}, nil
}

// ReloadResult is what a successful Reload changed.
type ReloadResult struct {
	Generation GenerationInfo // the generation now serving
	Added      []Route        // routes that are new or changed file or export
	Removed    []Route        // routes that are gone
	Inputs     []string       // every source file the build read, absolute
	Unchanged  bool           // the build's output was the current one's: it keeps serving
}

// BuildFailure is the last failed build, until a build succeeds.
type BuildFailure struct {
	Err error
	At  time.Time
}

// LastFailure returns the last failed build, or nil when the last build
// succeeded.
func (e *Engine) LastFailure() *BuildFailure { return e.lastErr.Load() }

// Inputs returns every source file the current generation was built from.
func (e *Engine) Inputs() []string { return e.gen.Load().inputs }

// diffRoutes lists the routes of next that are not in prev, and those of
// prev that are not in next.
func diffRoutes(prev, next []Route) (added, removed []Route) {
	in := func(list []Route, r Route) bool { return slices.Contains(list, r) }
	for _, r := range next {
		if !in(prev, r) {
			added = append(added, r)
		}
	}
	for _, r := range prev {
		if !in(next, r) {
			removed = append(removed, r)
		}
	}
	return added, removed
}

// Current returns the generation that new calls use.
func (e *Engine) Current() GenerationInfo { return e.gen.Load().info }

// Routes returns the current route table, sorted by event.
func (e *Engine) Routes() []Route { return e.gen.Load().table }

// Mode returns the engine's eval mode.
func (e *Engine) Mode() Mode { return e.cfg.Mode }

// Call queues a copy of req for the pool and returns at once. req.Done is
// called exactly once: with the handler's result, a *HandlerError,
// ErrUnknownEvent, ErrQueueFull, ErrClosed, ErrAborted, ErrInternal, or
// context.Cause(ctx) when ctx ends before the outcome. ctx's deadline is
// the call's timeout. When ctx ends, Done is called:
//   - for a call still queued: when a worker takes it, without running its
//     JS; not at the moment ctx ends (a caller that must answer by the
//     deadline enforces it itself, as the host does);
//   - for a call whose synchronous part (the handler's code up to its
//     return or first await) runs at ctx's deadline: when its JS has been
//     interrupted, right after the deadline (the VM is then replaced), or
//     when that part ends if it was in Go code that cannot be interrupted.
//     A ctx canceled before its deadline, or without one, does not
//     interrupt the synchronous part: it is noticed at the deadline or when
//     that part ends, whichever comes first;
//   - for a call that awaits (a pending promise): at once, interrupting its
//     JS if it runs then.
func (e *Engine) Call(ctx context.Context, req *Request) {
	c := &call{req: *req, ctx: ctx}
	if e.cfg.QueueWait != nil {
		c.queued = time.Now()
	}
	if e.closed.Load() {
		c.fail(ErrClosed)
		return
	}
	// No watch on ctx here: the worker checks it when it takes the call,
	// bounds the synchronous run with its own timer, and watches ctx only
	// once the call awaits (call.watch).
	select {
	case e.queue <- c:
	default:
		c.fail(ErrQueueFull)
	}
}

// Connect runs the connect hook of the scripts' _connection module with the
// handshake (JSON text), if it has one. It returns the connection's initial
// data as JSON text (nil when the hook returned nothing), or an error that
// refuses the connection: ErrRefused when the hook returned false, a
// *HandlerError when it threw (its Code may be "forbidden"), or the error
// of ctx. It blocks until the hook has finished.
func (e *Engine) Connect(ctx context.Context, handshake []byte) ([]byte, error) {
	if e.gen.Load().connect == nil {
		return nil, nil
	}
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	e.Call(ctx, &Request{Event: "(connect)", Data: handshake, Socket: noSocket{}, hook: "connect",
		Done: func(r Result, err error) {
			done <- outcome{Result{Data: append([]byte(nil), r.Data...), Binary: r.Binary}, err}
		}})
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		// A call still queued is answered only when a worker takes it: do
		// not wait for that.
		select {
		case o = <-done:
		default:
			return nil, context.Cause(ctx)
		}
	}
	switch {
	case o.err != nil:
		return nil, o.err
	case string(o.res.Data) == "false":
		return nil, ErrRefused
	case o.res.Binary, len(o.res.Data) > 0 && o.res.Data[0] != '{':
		return nil, nil // only an object becomes the connection's data
	}
	return o.res.Data, nil
}

// Connected runs the connected hook of the scripts' _connection module,
// connected(socket), for a connection that has just opened, if it has one.
// It does not wait for the hook: started is called exactly once, when the
// hook's synchronous part has run, or at once when there is no hook, or
// when it fails before running (a host holds the connection's first
// request until then, so that what the hook emits arrives first). The hook
// is bounded by HookTimeout and counted by WaitHooks; what it throws is
// logged.
func (e *Engine) Connected(s Socket, started func()) {
	if started == nil {
		started = func() {}
	}
	if e.gen.Load().connected == nil {
		started()
		return
	}
	e.runHook(s, "connected", nil, started)
}

// Disconnect runs the disconnect hook of the scripts' _connection module,
// if it has one, for a socket that has ended, with the reason it ended. It
// does not wait for the hook.
func (e *Engine) Disconnect(s Socket, reason string) {
	if e.gen.Load().disconnect == nil {
		return
	}
	// The hook runs later, on a VM; the connection's rooms and data are
	// read now, as they were when it ended.
	s = endedSocket{Socket: s, rooms: s.Rooms(), data: s.Data()}
	e.runHook(s, "disconnect", appendJSString(nil, reason), nil)
}

// runHook queues a call of the connected or disconnect hook with the
// socket and data (JSON text, the hook's second argument; nil for none),
// under its own context bounded by HookTimeout, counted until it is
// answered for WaitHooks. A failure is logged.
func (e *Engine) runHook(s Socket, hook string, data []byte, started func()) {
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.HookTimeout)
	e.hooksMu.Lock()
	e.hooksRunning++
	e.hooksMu.Unlock()
	e.Call(ctx, &Request{Event: "(" + hook + ")", Data: data, Socket: s, hook: hook, Started: started,
		Done: func(_ Result, err error) {
			defer e.hookEnded()
			cancel()
			if err != nil {
				e.log.Warn(hook+" hook failed", "socket", s.ID(), "error", err)
			}
		}})
}

// HasRoute reports whether a route of the current generation serves event.
func (e *Engine) HasRoute(event string) bool {
	_, ok := e.gen.Load().routes[event]
	return ok
}

// endedSocket is a connection that has ended, as the disconnect hook sees
// it: its rooms and data as they were, and no way to join rooms again.
type endedSocket struct {
	Socket
	rooms []string
	data  []byte
}

func (s endedSocket) Rooms() []string   { return s.rooms }
func (s endedSocket) Data() []byte      { return s.data }
func (s endedSocket) SetData([]byte)    {}
func (s endedSocket) Join(string) error { return errors.New("the connection has ended") }

// WaitHooks waits until the connected and disconnect hooks started so far
// have finished (each is bounded by HookTimeout), or ctx ends. A server
// calls it after its connections have closed and before Close, which would
// cut the hooks still queued or running.
func (e *Engine) WaitHooks(ctx context.Context) error {
	e.hooksMu.Lock()
	if e.hooksRunning == 0 {
		e.hooksMu.Unlock()
		return nil
	}
	idle := make(chan struct{})
	e.hookWaiters = append(e.hookWaiters, idle)
	e.hooksMu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("engine: waiting for connection hooks: %w", context.Cause(ctx))
	}
}

// hookEnded counts a connection hook answered, and wakes WaitHooks when it
// was the last.
func (e *Engine) hookEnded() {
	e.hooksMu.Lock()
	defer e.hooksMu.Unlock()
	if e.hooksRunning--; e.hooksRunning == 0 {
		for _, idle := range e.hookWaiters {
			close(idle)
		}
		e.hookWaiters = nil
	}
}

// Close interrupts the JS running now, stops the workers, fails the calls
// that were running, queued or awaiting with ErrClosed, cancels their host
// work and waits for its goroutines. It is safe to call more than once.
func (e *Engine) Close() {
	if e.closed.Swap(true) {
		return
	}
	e.cancel()
	for _, w := range e.workers {
		w.interrupt() // JS still running, a runaway loop say, would keep Close waiting until its deadline
	}
	e.wg.Wait()
	e.asyncWG.Wait() // their contexts have ended with the workers' loops
	e.fetch.Close()
	e.builder.Close()
	for {
		select {
		case c := <-e.queue:
			c.fail(ErrClosed)
		default:
			return
		}
	}
}

// call is a Request on its way through the engine.
type call struct {
	req        Request
	ctx        context.Context
	stopExpiry atomic.Pointer[func() bool] // unregisters the watch on ctx of a call that awaits
	settled    atomic.Bool
	started    atomic.Bool
	timedOut   atomic.Bool            // set when the context ended before the outcome
	worker     atomic.Pointer[worker] // the VM the call runs on, once started
	sock       jsSocket               // what the handler's socket object wraps, on the VM's goroutine only
	io         atomic.Pointer[callIO] // bounds the call's host work, once it starts some (startAsync)
	queued     time.Time              // when it was queued, with Config.QueueWait only
}

// settle delivers the outcome once; later outcomes are dropped.
func (c *call) settle(res Result, err error) bool {
	if c.settled.Swap(true) {
		return false
	}
	if stop := c.stopExpiry.Load(); stop != nil {
		(*stop)()
	}
	if io := c.io.Load(); io != nil {
		io.stop() // its pending host work is cancelled
	}
	c.req.Done(res, err)
	return true
}

// markStarted calls req.Started once.
func (c *call) markStarted() {
	if !c.started.Swap(true) && c.req.Started != nil {
		c.req.Started()
	}
}

// fail settles c with err and marks it started.
func (c *call) fail(err error) {
	c.settle(Result{}, err)
	c.markStarted()
}

// expire runs when the context of a call that awaits ends (see
// call.watch): a call whose JS runs now (a timer callback or promise
// continuation) is interrupted, and the call is answered with the context's
// error.
func (c *call) expire() {
	if c.settled.Load() {
		return
	}
	c.timedOut.Store(true)
	if w := c.worker.Load(); w != nil {
		w.expire(c)
	}
	c.settle(Result{}, c.cause())
}

// watch answers c with its context's error if the context ends while c
// awaits: it is registered when a call's synchronous part has left it
// pending, not for every call.
func (c *call) watch() {
	stop := context.AfterFunc(c.ctx, c.expire)
	c.stopExpiry.Store(&stop)
	if c.settled.Load() { // settled meanwhile: settle may have missed stop
		stop()
	}
}

// cause is the error of c's ended context. It is context.Cause, or
// context.DeadlineExceeded if the context's own timer has not yet marked
// it ended although its deadline has passed.
func (c *call) cause() error {
	if err := context.Cause(c.ctx); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

// isAbandoned reports whether nothing waits for the call any more.
func (c *call) isAbandoned() bool {
	if c.timedOut.Load() {
		return true
	}
	if c.req.hook != "" {
		return false // a hook waits on its own context: the disconnect hook's socket has always ended
	}
	select {
	case <-c.req.Socket.Done():
		return true
	default:
		return false
	}
}
