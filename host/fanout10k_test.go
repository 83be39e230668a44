package host_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
)

// BenchmarkFanout10k measures one push to a room of 10,000 WebSocket
// clients. The process may not hold 20,000 descriptors, so the clients live in
// a second process: the test binary itself, re-run as
// TestFanoutClientProcess. The two talk over the child's stdin and stdout:
//
//	child → parent  "ready"        every client is connected and has joined
//	parent          EmitToRoom     one 1 KiB push per iteration
//	child → parent  "done <ns>"    every client has the push; <ns> is the
//	                               wall clock (UnixNano) of the last receive
//	parent → child  stdin closed   the child closes its clients and exits
//
// Both processes read the same clock, so the latency of a round is
// <ns> − (wall clock just before EmitToRoom). Metrics:
//
//	ms-to-last-median, ms-to-last-max  EmitToRoom until the last client's read,
//	                                   median and max over the rounds
//	ms-emit, ms-emit-max               how long EmitToRoom itself ran, the same
//	B/idle-conn                        growth of the server's HeapInuse+StackInuse
//	                                   with the N clients connected, joined and
//	                                   idle, divided by N
//	B/idle-conn-stacks                 the StackInuse part of it
//	goroutines/conn                    growth of the server's goroutines, per client
//	B/conn-after-rounds                the same as B/idle-conn, after the pushes
//
// Only the server runs in this process, so the memory is the server's alone:
// Conn, melody session and its outbound channel, gorilla buffers, the two
// goroutines of each connection.
//
// Run:
//
//	go test -run '^$' -bench BenchmarkFanout10k -benchtime 5x -timeout 300s ./host/
//
// FANOUT_N overrides the number of clients (FANOUT_N=1000 for a quick
// check). FANOUT_HEAPPROFILE=file writes the server's heap profile taken with
// the clients idle (go tool pprof -sample_index=inuse_space file); with
// GODEBUG=memprofilerate=1 it counts every allocation rather than one per
// 512 KiB, which makes the per-connection objects exact (divide by N), at
// the cost of deeper stacks in that run's own figures.
func BenchmarkFanout10k(b *testing.B) {
	n := 10_000
	if s := os.Getenv(fanoutNEnv); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("%s=%q: want a positive number of clients", fanoutNEnv, s)
		}
	}
	// join puts the connection in the room; every call is answered (null).
	handler := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		if call.Event == "join" {
			if err := call.Conn.Join(fanoutRoom); err != nil {
				return host.Reply{}, err
			}
		}
		return host.Reply{}, nil
	})
	srv := newServer(b, handler, host.Config{SendBuffer: 256})
	// Cleanups run last first: this one runs after the client process has
	// ended, and waits for the server to have let go of every connection
	// before newServer's cleanup closes it.
	b.Cleanup(func() { waitServerIdle(b, srv) })

	heapBefore, stackBefore := serverMemory()
	goBefore := runtime.NumGoroutine()
	clients := startFanoutClients(b, srv.wsURL, n)
	clients.expect(b, "ready", fanoutReadyWait)
	heapIdle, stackIdle := serverMemory()
	goIdle := runtime.NumGoroutine()
	if got := srv.RoomSize("/", fanoutRoom); got != n {
		b.Fatalf("RoomSize = %d, want %d", got, n)
	}
	if path := os.Getenv(fanoutHeapEnv); path != "" {
		writeHeapProfile(b, path)
	}

	var toLast, emit []time.Duration
	seq := 0
	for b.Loop() {
		seq++
		msg := fanoutMessage(seq)
		t0 := time.Now()
		sent := srv.EmitToRoom("/", fanoutRoom, "tick", host.Payload{Data: msg})
		emit = append(emit, time.Since(t0))
		if sent != n {
			b.Fatalf("EmitToRoom queued the push for %d connections, want %d", sent, n)
		}
		line := clients.expect(b, "done ", fanoutRoundWait)
		last, err := strconv.ParseInt(strings.TrimPrefix(line, "done "), 10, 64)
		if err != nil {
			b.Fatalf("client process: %q: %v", line, err)
		}
		toLast = append(toLast, time.Duration(last-t0.UnixNano()))
	}
	b.StopTimer()
	heapAfter, stackAfter := serverMemory()

	// Reported after the loop: b.Loop's first call resets the timer, which
	// drops the metrics reported before it.
	b.ReportMetric(ms(median(toLast)), "ms-to-last-median")
	b.ReportMetric(ms(slices.Max(toLast)), "ms-to-last-max")
	b.ReportMetric(ms(median(emit)), "ms-emit")
	b.ReportMetric(ms(slices.Max(emit)), "ms-emit-max")
	perConn := func(heap, stacks int64) float64 {
		return float64(heap-heapBefore+stacks-stackBefore) / float64(n)
	}
	b.ReportMetric(perConn(heapIdle, stackIdle), "B/idle-conn")
	b.ReportMetric(float64(stackIdle-stackBefore)/float64(n), "B/idle-conn-stacks")
	b.ReportMetric(float64(goIdle-goBefore)/float64(n), "goroutines/conn")
	b.ReportMetric(perConn(heapAfter, stackAfter), "B/conn-after-rounds")
}

// TestFanoutClientProcess is the client side of BenchmarkFanout10k, run in a
// process of its own; without FANOUT_URL it does nothing. It connects
// FANOUT_N clients to FANOUT_URL, has each join the room, prints "ready",
// then "done <UnixNano>" each time every client has received one more push,
// until its stdin closes.
func TestFanoutClientProcess(t *testing.T) {
	url := os.Getenv(fanoutURLEnv)
	if url == "" {
		t.Skip("the client process of BenchmarkFanout10k: runs only with " + fanoutURLEnv + " set")
	}
	n, err := strconv.Atoi(os.Getenv(fanoutNEnv))
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number of clients", fanoutNEnv, os.Getenv(fanoutNEnv))
	}
	// The parent closes stdin when it is done, or by exiting for any reason:
	// either way this process ends. The goroutine ends with stdin.
	quit := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(quit)
	}()

	f := newFleet(n)
	defer f.stop() // also on t.Fatal: closes every client, waits for the readers
	if err := f.connect(url, fanoutDialers); err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	for {
		select {
		case last := <-f.last:
			fmt.Printf("done %d\n", last)
		case err := <-f.failed:
			t.Fatal(err)
		case <-quit:
			return
		}
	}
}

const (
	fanoutURLEnv  = "FANOUT_URL"         // set for the client process: the server's /ws
	fanoutNEnv    = "FANOUT_N"           // number of clients
	fanoutHeapEnv = "FANOUT_HEAPPROFILE" // where to write the server's idle heap profile

	fanoutRoom      = "room"
	fanoutDialers   = 200 // concurrent dials: keeps loopback accept queues short
	fanoutReadyWait = 3 * time.Minute
	fanoutRoundWait = 30 * time.Second
	fanoutExitWait  = 30 * time.Second // for the client process to close its clients
)

// fanoutJoin is the request each client sends once connected, and
// fanoutJoined the reply it waits for.
var (
	fanoutJoin   = []byte(`{"event":"join","id":1}`)
	fanoutJoined = []byte(`{"id":1,"data":null}`)
	fanoutTick   = []byte(`{"event":"tick",`)
)

// fanoutMessage returns a 1 KiB JSON object carrying seq.
func fanoutMessage(seq int) []byte {
	head := fmt.Sprintf(`{"seq":%d,"payload":"`, seq)
	tail := `"}`
	return []byte(head + strings.Repeat("x", 1024-len(head)-len(tail)) + tail)
}

// serverMemory returns this process's HeapInuse and StackInuse after two
// collections (the second one frees what the first one's finalizers let go).
func serverMemory() (heap, stacks int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// writeHeapProfile writes the heap profile as of the last collection.
func writeHeapProfile(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// waitServerIdle waits until the server has no connection and the room is
// gone, which is after each connection's goroutines have finished with it.
func waitServerIdle(tb testing.TB, srv *testServer) {
	tb.Helper()
	deadline := time.Now().Add(safety)
	for srv.Connections() > 0 || srv.RoomSize("/", fanoutRoom) > 0 {
		if time.Now().After(deadline) {
			tb.Errorf("%d connections still open %s after the client process ended", srv.Connections(), safety)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// clientProcess is the running client process, seen from the benchmark.
type clientProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string   // the child's stdout, line by line; closed at its end
	ended chan struct{} // closed once the child has exited and been reaped
	other []string      // lines that were not part of the protocol, for errors
}

// startFanoutClients re-runs the test binary as TestFanoutClientProcess with
// n clients for url. Its cleanup closes the child's stdin and waits for it to
// exit, killing it after fanoutExitWait.
func startFanoutClients(tb testing.TB, url string, n int) *clientProcess {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFanoutClientProcess$")
	cmd.Env = append(os.Environ(), fanoutURLEnv+"="+url, fanoutNEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &clientProcess{cmd: cmd, stdin: stdin, lines: make(chan string), ended: make(chan struct{})}
	abandon := make(chan struct{}) // closed by the cleanup: nobody reads lines any more

	// The one goroutine of the child's output: it forwards lines until EOF
	// (the child has exited, or closed stdout), then reaps the child. It
	// ends with the child, which the cleanup guarantees.
	go func() {
		defer close(p.ended)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			case <-abandon:
			}
		}
		close(p.lines)
		_, _ = io.Copy(io.Discard, stdout) // past a line too long for the scanner
		_ = cmd.Wait()
	}()

	tb.Cleanup(func() {
		close(abandon)
		_ = stdin.Close() // the child's signal to close its clients and exit
		select {
		case <-p.ended:
		case <-time.After(fanoutExitWait):
			tb.Errorf("the client process did not exit within %s of its stdin closing: killed", fanoutExitWait)
			_ = cmd.Process.Kill()
			<-p.ended
		}
	})
	return p
}

// expect returns the child's next line that starts with prefix, failing the
// benchmark when the child ends or nothing comes within wait. Lines outside
// the protocol (the test binary's own output) are kept for the failure
// message.
func (p *clientProcess) expect(tb testing.TB, prefix string, wait time.Duration) string {
	tb.Helper()
	timeout := time.After(wait)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				tb.Fatalf("the client process ended while %q was awaited; its output:\n%s", prefix, strings.Join(p.other, "\n"))
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
			p.other = append(p.other, line)
		case <-timeout:
			tb.Fatalf("no %q from the client process within %s; its output:\n%s", prefix, wait, strings.Join(p.other, "\n"))
		}
	}
}

// fleet is the client process's connections, each with one reader goroutine.
type fleet struct {
	n        int
	conns    []*websocket.Conn // set by connect; nil where a dial failed
	readers  sync.WaitGroup
	received atomic.Int64  // pushes received by every client, all rounds together
	last     chan int64    // the UnixNano at which a round was complete
	failed   chan error    // the first reader failure
	stopping chan struct{} // closed by stop: reader errors are expected
	stopOnce sync.Once
}

func newFleet(n int) *fleet {
	return &fleet{n: n, conns: make([]*websocket.Conn, n), last: make(chan int64),
		failed: make(chan error, 1), stopping: make(chan struct{})}
}

// connect dials the n clients, workers at a time, has each join the room
// and starts its reader. It returns the first failure; the clients connected
// until then are closed by stop.
func (f *fleet) connect(url string, workers int) error {
	var (
		next    atomic.Int64 // the next client to dial
		dialers sync.WaitGroup
		errMu   sync.Mutex
		first   error
	)
	for range workers {
		dialers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				errMu.Lock()
				failed := first != nil
				errMu.Unlock()
				if i >= f.n || failed {
					return
				}
				ws, err := joinRoom(url)
				if err != nil {
					errMu.Lock()
					if first == nil {
						first = fmt.Errorf("client %d of %d: %w", i+1, f.n, err)
					}
					errMu.Unlock()
					return
				}
				f.conns[i] = ws
				f.readers.Go(func() { f.read(ws) })
			}
		})
	}
	dialers.Wait()
	return first
}

// joinRoom dials url, retrying a failed dial a few times, sends the join
// request and waits for its reply.
func joinRoom(url string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: safety}
	var ws *websocket.Conn
	var err error
	for attempt := 1; ; attempt++ {
		var resp *http.Response
		if ws, resp, err = d.Dial(url, nil); err == nil {
			break
		}
		if resp != nil {
			_ = resp.Body.Close()
		}
		if attempt == 5 {
			return nil, fmt.Errorf("dial (%d attempts): %w", attempt, err)
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	_ = ws.SetWriteDeadline(time.Now().Add(safety))
	_ = ws.SetReadDeadline(time.Now().Add(safety))
	if err := ws.WriteMessage(websocket.TextMessage, fanoutJoin); err != nil {
		_ = ws.Close()
		return nil, fmt.Errorf("join: %w", err)
	}
	_, reply, err := ws.ReadMessage()
	if err == nil && !bytes.Equal(reply, fanoutJoined) {
		err = fmt.Errorf("reply %s, want %s", reply, fanoutJoined)
	}
	if err != nil {
		_ = ws.Close()
		return nil, fmt.Errorf("join: %w", err)
	}
	_ = ws.SetWriteDeadline(time.Time{}) // gorilla answers pings itself, with its own deadline
	_ = ws.SetReadDeadline(time.Time{})
	return ws, nil
}

// read counts the pushes ws receives. The parent sends one push at a time
// and waits for the round to complete, so each client receives exactly one
// per round and the count reaching a multiple of n means the round is
// complete; the time is taken after that count, so it is no earlier than
// any client's receive.
func (f *fleet) read(ws *websocket.Conn) {
	var buf bytes.Buffer // reused: ReadMessage would allocate each message anew
	for {
		_, r, err := ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if msg := buf.Bytes(); err == nil && !bytes.HasPrefix(msg, fanoutTick) {
			err = fmt.Errorf("unexpected frame %.100s", msg)
		}
		if err != nil {
			select {
			case <-f.stopping: // closed by stop
			default:
				select {
				case f.failed <- fmt.Errorf("client: %w", err):
				default: // another one was first
				}
			}
			return
		}
		if f.received.Add(1)%int64(f.n) == 0 {
			select {
			case f.last <- time.Now().UnixNano():
			case <-f.stopping:
				return
			}
		}
	}
}

// stop closes every client and waits for their readers to end.
func (f *fleet) stop() {
	f.stopOnce.Do(func() {
		close(f.stopping)
		for _, ws := range f.conns {
			if ws != nil {
				_ = ws.Close()
			}
		}
		f.readers.Wait()
	})
}
