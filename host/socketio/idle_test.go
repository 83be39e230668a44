package socketio_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio"
)

// BenchmarkIdleConnections measures the server's memory per idle Socket.IO
// connection: a WebSocket session connected to the main namespace, then
// silent. The clients live in a second process (the test binary re-run as
// TestIdleClientProcess), so that the memory measured is the server's alone.
// The child prints "ready" once every client has its CONNECT answered, and
// closes its clients and exits when its stdin closes. Metrics:
//
//	B/idle-conn         growth of HeapInuse+StackInuse, after two collections,
//	                    with the clients connected and idle, divided by N
//	B/idle-conn-stacks  the StackInuse part of it
//	goroutines/conn     growth of the goroutines, per client
//
// The ping interval is a minute, so no heartbeat runs while it measures.
//
// Run:
//
//	go test -run '^$' -bench BenchmarkIdleConnections -benchtime 1x ./host/socketio/
//
// SIO_IDLE_N overrides the number of clients (2000).
func BenchmarkIdleConnections(b *testing.B) {
	n := 2000
	if s := os.Getenv(idleNEnv); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("%s=%q: want a positive number of clients", idleNEnv, s)
		}
	}
	nothing := host.HandlerFunc(func(context.Context, *host.Call) (host.Reply, error) {
		return host.Reply{}, nil
	})
	ts, sio := newServer(b, nothing, host.Config{}, socketio.Config{
		PingInterval: time.Minute, PingTimeout: time.Minute, ConnectTimeout: time.Minute,
	})
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=4&transport=websocket"

	heapBefore, stackBefore := idleMemory()
	goBefore := runtime.NumGoroutine()
	child := startIdleClients(b, url, n)
	child.expect(b, "ready", idleReadyWait)
	heapIdle, stackIdle := idleMemory()
	goIdle := runtime.NumGoroutine()
	if got := sio.Sessions(); got != n {
		b.Fatalf("Sessions = %d, want %d", got, n)
	}
	for b.Loop() {
		// The measurement is the set-up: with -benchtime 1x this runs once.
	}
	// Reported after the loop: its first call drops the metrics reported
	// before it.
	b.ReportMetric(float64(heapIdle-heapBefore+stackIdle-stackBefore)/float64(n), "B/idle-conn")
	b.ReportMetric(float64(stackIdle-stackBefore)/float64(n), "B/idle-conn-stacks")
	b.ReportMetric(float64(goIdle-goBefore)/float64(n), "goroutines/conn")
}

// TestIdleClientProcess is the client side of BenchmarkIdleConnections, run
// in a process of its own; without SIO_IDLE_URL it does nothing. It connects
// SIO_IDLE_N clients to the main namespace, prints "ready" and waits for its
// stdin to close.
func TestIdleClientProcess(t *testing.T) {
	url := os.Getenv(idleURLEnv)
	if url == "" {
		t.Skip("the client process of BenchmarkIdleConnections: runs only with " + idleURLEnv + " set")
	}
	n, err := strconv.Atoi(os.Getenv(idleNEnv))
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number of clients", idleNEnv, os.Getenv(idleNEnv))
	}
	conns := make([]*websocket.Conn, n)
	defer func() {
		for _, ws := range conns {
			if ws != nil {
				_ = ws.Close()
			}
		}
	}()
	var (
		next    atomic.Int64
		dialers sync.WaitGroup
		errMu   sync.Mutex
		first   error
	)
	for range idleDialers {
		dialers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				errMu.Lock()
				failed := first != nil
				errMu.Unlock()
				if i >= n || failed {
					return
				}
				ws, err := connectIdle(url)
				if err != nil {
					errMu.Lock()
					if first == nil {
						first = fmt.Errorf("client %d of %d: %w", i+1, n, err)
					}
					errMu.Unlock()
					return
				}
				conns[i] = ws
			}
		})
	}
	dialers.Wait()
	if first != nil {
		t.Fatal(first)
	}
	fmt.Println("ready")
	// The parent closes stdin when it is done, or by exiting.
	_, _ = io.Copy(io.Discard, os.Stdin)
}

const (
	idleURLEnv    = "SIO_IDLE_URL" // set for the client process: the server's WebSocket URL
	idleNEnv      = "SIO_IDLE_N"   // number of clients
	idleDialers   = 100            // concurrent dials: keeps the accept queue short
	idleReadyWait = 2 * time.Minute
	idleExitWait  = 30 * time.Second
	idleStepWait  = 10 * time.Second // for one client's dial or answer
)

// connectIdle dials url, reads the open packet, connects to the main
// namespace and waits for the answer.
func connectIdle(url string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: idleStepWait}
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
	step := func() error {
		_ = ws.SetReadDeadline(time.Now().Add(idleStepWait))
		_ = ws.SetWriteDeadline(time.Now().Add(idleStepWait))
		_, open, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("open packet: %w", err)
		}
		if !strings.HasPrefix(string(open), `0{"sid":`) {
			return fmt.Errorf("open packet %q", open)
		}
		if err := ws.WriteMessage(websocket.TextMessage, []byte("40")); err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		_, ans, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("connect answer: %w", err)
		}
		if !strings.HasPrefix(string(ans), `40{"sid":`) {
			return fmt.Errorf("connect answer %q", ans)
		}
		_ = ws.SetReadDeadline(time.Time{})
		_ = ws.SetWriteDeadline(time.Time{})
		return nil
	}
	if err := step(); err != nil {
		_ = ws.Close()
		return nil, err
	}
	return ws, nil
}

// idleMemory returns HeapInuse and StackInuse after two collections (the
// second frees what the first one's finalizers let go).
func idleMemory() (heap, stacks int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// idleChild is the running client process, seen from the benchmark.
type idleChild struct {
	lines chan string   // the child's stdout, line by line; closed at its end
	ended chan struct{} // closed once the child has exited and been reaped
	other []string      // lines outside the protocol, for errors
}

// startIdleClients re-runs the test binary as TestIdleClientProcess with n
// clients for url. Its cleanup closes the child's stdin and waits for it to
// exit, killing it after idleExitWait.
func startIdleClients(tb testing.TB, url string, n int) *idleChild {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientProcess$")
	cmd.Env = append(os.Environ(), idleURLEnv+"="+url, idleNEnv+"="+strconv.Itoa(n))
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
	c := &idleChild{lines: make(chan string), ended: make(chan struct{})}
	abandon := make(chan struct{}) // closed by the cleanup: nobody reads lines any more
	// The child's output: forwarded until EOF, then the child is reaped. It
	// ends with the child, which the cleanup guarantees.
	go func() {
		defer close(c.ended)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			case <-abandon:
			}
		}
		close(c.lines)
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
	}()
	tb.Cleanup(func() {
		close(abandon)
		_ = stdin.Close()
		select {
		case <-c.ended:
		case <-time.After(idleExitWait):
			tb.Errorf("the client process did not exit within %s of its stdin closing: killed", idleExitWait)
			_ = cmd.Process.Kill()
			<-c.ended
		}
	})
	return c
}

// expect waits for the child's next line that starts with prefix.
func (c *idleChild) expect(tb testing.TB, prefix string, wait time.Duration) {
	tb.Helper()
	timeout := time.After(wait)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				tb.Fatalf("the client process ended while %q was awaited; its output:\n%s", prefix, strings.Join(c.other, "\n"))
			}
			if strings.HasPrefix(line, prefix) {
				return
			}
			c.other = append(c.other, line)
		case <-timeout:
			tb.Fatalf("no %q from the client process within %s; its output:\n%s", prefix, wait, strings.Join(c.other, "\n"))
		}
	}
}
