package engine

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// asyncProbe installs host(arg) in every VM: a native that runs probe.work
// off the VM through startAsync and resolves with its string result.
type asyncProbe struct {
	work    func(ctx context.Context, arg string) (string, error)
	settled atomic.Int32 // settle functions run on a VM
}

func (p *asyncProbe) install(v *vm) {
	v.rt.Set("host", func(call goja.FunctionCall) goja.Value {
		arg := call.Argument(0).String()
		return v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
			s, err := p.work(ctx, arg)
			return func() (goja.Value, error) {
				p.settled.Add(1)
				if err != nil {
					return nil, err
				}
				return v.rt.ToValue(s), nil
			}
		})
	})
}

const asyncModule = `
export async function one(socket, arg) { return await host(String(arg)) }
export async function two(socket, arg) { const a = await host(String(arg)); const b = await host(a + "!"); return b }
export async function caught(socket, arg) { try { await host(String(arg)); return "no" } catch (e) { return "caught " + e.message } }
export function fireAndForget(socket, arg) { host(String(arg)); return "answered" }
export function sync() { return 1 }
`

func newAsyncEngine(t *testing.T, p *asyncProbe, cfg Config) *Engine {
	t.Helper()
	cfg.testNatives = p.install
	return newEngine(t, map[string]string{"a.js": asyncModule}, cfg)
}

// TestAsyncManyCallsOnePool: 100 calls awaiting host work on one VM are all
// in flight at once. Each work waits until all 100 have started, which
// cannot happen if a call held the VM while its work ran.
func TestAsyncManyCallsOnePool(t *testing.T) {
	t.Parallel()
	const n = 100
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		started.Done()
		select {
		case <-all:
			return "done " + arg, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1})
	outs := make([]*outcome, n)
	for i := range outs {
		outs[i] = start(e, ctxWithTimeout(t, 20*time.Second), newSocket("s"), "a.one", strconv.Itoa(i))
	}
	for i, o := range outs {
		<-o.finished
		if want := `"done ` + strconv.Itoa(i) + `"`; o.err != nil || string(o.res.Data) != want {
			t.Fatalf("call %d: %s, %v; want %s", i, o.res.Data, o.err, want)
		}
	}
	if s := e.Stats(); s.VMsCreated != 1 || s.VMResets != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestAsyncChainAndRejection: a call awaits host work twice in a row, and a
// failed work rejects with an Error the handler can catch.
func TestAsyncChainAndRejection(t *testing.T) {
	t.Parallel()
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		if arg == "fail" {
			return "", errors.New("it failed")
		}
		return arg + "+", nil
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1})
	if o := runCall(t, e, context.Background(), newSocket("s"), "a.two", `"x"`); o.err != nil || string(o.res.Data) != `"x+!+"` {
		t.Fatalf("two: %s, %v", o.res.Data, o.err)
	}
	if o := runCall(t, e, context.Background(), newSocket("s"), "a.caught", `"fail"`); o.err != nil || string(o.res.Data) != `"caught it failed"` {
		t.Fatalf("caught: %s, %v", o.res.Data, o.err)
	}
	o := runCall(t, e, context.Background(), newSocket("s"), "a.one", `"fail"`)
	var he *HandlerError
	if !errors.As(o.err, &he) || he.Message != "it failed" {
		t.Fatalf("uncaught: %v", o.err)
	}
}

// TestAsyncCancelledAtTimeout: the work's context ends at the call's
// timeout, the call is answered with the deadline, and the VM is kept.
func TestAsyncCancelledAtTimeout(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		<-ctx.Done()
		ended <- ctx.Err()
		return "late", nil
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1})
	o := runCall(t, e, ctxWithTimeout(t, 100*time.Millisecond), newSocket("s"), "a.one", "1")
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", o.err)
	}
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("the work's context did not end")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the work's context was not cancelled")
	}
	waitNoAsync(t, e)
	if s := e.Stats(); s.VMResets != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestAsyncCancelledWhenAnswered: a call that does not await its host
// work is answered, and the work's context ends then.
func TestAsyncCancelledWhenAnswered(t *testing.T) {
	t.Parallel()
	ended := make(chan struct{})
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		<-ctx.Done()
		close(ended)
		return "", ctx.Err()
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1})
	if o := runCall(t, e, context.Background(), newSocket("s"), "a.fireAndForget", "1"); o.err != nil || string(o.res.Data) != `"answered"` {
		t.Fatalf("%s, %v", o.res.Data, o.err)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the work's context did not end with its call")
	}
}

// TestAsyncCancelledWhenConnectionGoes: the work's context ends when the
// caller's connection ends.
func TestAsyncCancelledWhenConnectionGoes(t *testing.T) {
	t.Parallel()
	ended := make(chan struct{})
	began := make(chan struct{})
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		close(began)
		<-ctx.Done()
		close(ended)
		return "", ctx.Err()
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1})
	sock := newSocket("s")
	o := start(e, ctxWithTimeout(t, time.Minute), sock, "a.one", "1")
	<-began
	close(sock.done)
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the work's context did not end with the connection")
	}
	cancelled := runCall(t, e, context.Background(), newSocket("t"), "a.sync", "")
	if cancelled.err != nil {
		t.Fatalf("next call: %v", cancelled.err)
	}
	_ = o // answered at its timeout; the connection is gone
}

// TestAsyncLateResultDropped: work that ignores its context and returns
// after its call timed out is not delivered to JS.
func TestAsyncLateResultDropped(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		<-release // ignores ctx on purpose
		return "late", nil
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1})
	o := runCall(t, e, ctxWithTimeout(t, 50*time.Millisecond), newSocket("s"), "a.one", "1")
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", o.err)
	}
	close(release)
	waitNoAsync(t, e) // the worker has received the result
	// One worker: it has finished with the result before it takes this call.
	if o := runCall(t, e, context.Background(), newSocket("s"), "a.sync", ""); o.err != nil {
		t.Fatalf("next call: %v", o.err)
	}
	if n := p.settled.Load(); n != 0 {
		t.Fatalf("a late result was settled on the VM (%d)", n)
	}
}

// TestAsyncCloseStopsWork: Close cancels the host work in flight, waits for
// its goroutines, and fails the awaiting calls with ErrClosed.
func TestAsyncCloseStopsWork(t *testing.T) {
	t.Parallel()
	const n = 10
	var began, ended sync.WaitGroup
	began.Add(n)
	ended.Add(n)
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		began.Done()
		<-ctx.Done()
		ended.Done()
		return "", ctx.Err()
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 2})
	outs := make([]*outcome, n)
	for i := range outs {
		outs[i] = start(e, context.Background(), newSocket("s"), "a.one", "1")
	}
	began.Wait()
	closed := make(chan struct{})
	go func() { e.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	ended.Wait() // Close waited for every work goroutine
	for i, o := range outs {
		<-o.finished
		if !errors.Is(o.err, ErrClosed) {
			t.Errorf("call %d: %v", i, o.err)
		}
	}
	if s := e.Stats(); s.AsyncOps != 0 {
		t.Errorf("stats after Close %+v", s)
	}
}

// TestAsyncBound: beyond MaxAsync operations in flight, host work is
// rejected at once.
func TestAsyncBound(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var began sync.WaitGroup
	began.Add(2)
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		began.Done()
		select {
		case <-release:
		case <-ctx.Done():
		}
		return arg, nil
	}}
	e := newAsyncEngine(t, p, Config{PoolSize: 1, MaxAsync: 2})
	a := start(e, context.Background(), newSocket("s"), "a.one", `"a"`)
	b := start(e, context.Background(), newSocket("s"), "a.one", `"b"`)
	began.Wait()
	c := runCall(t, e, context.Background(), newSocket("s"), "a.caught", `"c"`)
	if c.err != nil || string(c.res.Data) != `"caught engine: too many host operations in flight (limit 2)"` {
		t.Fatalf("third: %s, %v", c.res.Data, c.err)
	}
	close(release)
	<-a.finished
	<-b.finished
	if a.err != nil || b.err != nil {
		t.Fatalf("a %v, b %v", a.err, b.err)
	}
}

// TestAsyncResetCancelsWork: when a VM is reset, the host work of the calls
// awaiting on it ends and they are aborted.
func TestAsyncResetCancelsWork(t *testing.T) {
	t.Parallel()
	ended := make(chan struct{})
	began := make(chan struct{})
	p := &asyncProbe{work: func(ctx context.Context, arg string) (string, error) {
		close(began)
		<-ctx.Done()
		close(ended)
		return "", ctx.Err()
	}}
	files := map[string]string{"a.js": asyncModule, "d.js": deadlineModule}
	e := newEngine(t, files, Config{PoolSize: 1, testNatives: p.install})
	waiting := start(e, context.Background(), newSocket("s"), "a.one", "1")
	<-began
	spin := runCall(t, e, ctxWithTimeout(t, 50*time.Millisecond), newSocket("s"), "d.spin", "")
	if !errors.Is(spin.err, context.DeadlineExceeded) {
		t.Fatalf("spin: %v", spin.err)
	}
	<-waiting.finished
	if !errors.Is(waiting.err, ErrAborted) {
		t.Fatalf("waiting call: %v", waiting.err)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the reset did not cancel the work")
	}
}

// waitNoAsync waits until no host work is in flight: every result has been
// received by its worker.
func waitNoAsync(t *testing.T, e *Engine) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.Stats().AsyncOps != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("host work still in flight: %+v", e.Stats())
		}
		time.Sleep(time.Millisecond)
	}
}
