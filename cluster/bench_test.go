package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/natstest"
)

// Benchmarks of the cluster on loopback, one embedded NATS server, every
// node in this process (the 10k fan-out's clients in a child process).
//
//	go test -run '^$' -bench 'BenchmarkCrossNode' -benchtime 5000x ./cluster/
//	go test -run '^$' -bench 'BenchmarkFanout10kCluster' -benchtime 5x -timeout 600s ./cluster/

// receiver is a raw WebSocket client of the native protocol that reads
// pushes carrying a send time ({"event":..,"data":{"t":<UnixNano>,...}}).
type receiver struct {
	ws *websocket.Conn
}

func dialReceiver(tb testing.TB, n *node, room string) *receiver {
	tb.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(n.wsURL, nil)
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	tb.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(safety))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"id":1,"event":"join","data":"`+room+`"}`)); err != nil {
		tb.Fatal(err)
	}
	if _, m, err := ws.ReadMessage(); err != nil || !bytes.HasPrefix(m, []byte(`{"id":1`)) {
		tb.Fatalf("join: %s %v", m, err)
	}
	return &receiver{ws}
}

// sentAt reads the send time out of a push's data.
func sentAt(m []byte) (int64, bool) {
	i := bytes.Index(m, []byte(`"t":`))
	if i < 0 {
		return 0, false
	}
	m = m[i+4:]
	j := bytes.IndexAny(m, ",}")
	if j < 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(m[:j]), 10, 64)
	return v, err == nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// BenchmarkCrossNodeLatency sends b.N room pushes from node 0 at a fixed
// rate to one member on node 1 and reports the latency percentiles, from
// just before EmitTarget to the member's WebSocket read. The pushes go out
// in one batch per millisecond (rate/1000 each). path=local, the member on
// the sending node, measures the same without NATS: what the machine's
// scheduling adds on its own, for comparison in the same run.
func BenchmarkCrossNodeLatency(b *testing.B) {
	for _, rate := range []int{1_000, 10_000} {
		// path=local is the baseline: the member on the sending node, the
		// same push through the same code, without NATS between.
		for _, path := range []string{"cross", "local"} {
			b.Run(fmt.Sprintf("rate=%d/path=%s", rate, path), func(b *testing.B) {
				ns := natstest.Start(b)
				from := startNodeWith(b, ns.URL(), cluster.Options{}, host.Config{SendBuffer: 4096})
				to := startNodeWith(b, ns.URL(), cluster.Options{}, host.Config{SendBuffer: 4096})
				if path == "local" {
					to = from
				}
				r := dialReceiver(b, to, "lat")
				lat := make([]time.Duration, 0, b.N)
				done := make(chan error, 1)
				total := b.N
				go func() { // ends after total pushes, or on a read error (the cleanup closes ws)
					for range total {
						_ = r.ws.SetReadDeadline(time.Now().Add(safety))
						_, m, err := r.ws.ReadMessage()
						if err != nil {
							done <- err
							return
						}
						now := time.Now().UnixNano()
						t0, ok := sentAt(m)
						if !ok {
							done <- fmt.Errorf("frame %s", m)
							return
						}
						lat = append(lat, time.Duration(now-t0))
					}
					done <- nil
				}()
				perMs := max(1, rate/1000)
				payload := make([]byte, 0, 64)
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < total; {
					for k := 0; k < perMs && i < total; k++ {
						payload = strconv.AppendInt(append(payload[:0], `{"t":`...), time.Now().UnixNano(), 10)
						payload = append(payload, '}')
						if _, err := from.EmitTarget(host.Target{Rooms: []string{"lat"}}, "e", host.Payload{Data: slices.Clone(payload)}); err != nil {
							b.Fatal(err)
						}
						i++
					}
					time.Sleep(time.Until(start.Add(time.Duration(i/perMs) * time.Millisecond)))
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				elapsed := time.Since(start)
				b.ReportMetric(micros(percentile(lat, 0.50)), "p50-µs")
				b.ReportMetric(micros(percentile(lat, 0.99)), "p99-µs")
				b.ReportMetric(micros(slices.Max(lat)), "max-µs")
				b.ReportMetric(float64(total)/elapsed.Seconds(), "sent/s")
			})
		}
	}
}

// BenchmarkCrossNodeThroughput pushes b.N room messages from node 0 to a
// member on node 1 as fast as they are taken, with at most window in
// flight (so that the member's outbound buffer never fills), and reports
// the messages per second end to end.
func BenchmarkCrossNodeThroughput(b *testing.B) {
	const window = 2048
	ns := natstest.Start(b)
	from := startNode(b, ns.URL(), cluster.Options{})
	to := startNodeWith(b, ns.URL(), cluster.Options{}, host.Config{SendBuffer: 2 * window})
	r := dialReceiver(b, to, "tp")
	var got atomic.Int64
	done := make(chan error, 1)
	total := b.N
	go func() {
		for range total {
			_ = r.ws.SetReadDeadline(time.Now().Add(safety))
			if _, _, err := r.ws.NextReader(); err != nil {
				done <- err
				return
			}
			got.Add(1)
		}
		done <- nil
	}()
	data := []byte(`{"t":0,"payload":"` + strings.Repeat("x", 100) + `"}`)
	b.ResetTimer()
	start := time.Now()
	for i := range total {
		for int64(i)-got.Load() >= window {
			time.Sleep(20 * time.Microsecond)
		}
		if _, err := from.EmitTarget(host.Target{Rooms: []string{"tp"}}, "e", host.Payload{Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "msgs/s")
}

// Fan-out to many sockets over three nodes. The process may not hold
// twice 10,000 descriptors, so the clients live in a child process (this
// test binary, re-run as TestClusterFanoutClients), which prints "ready"
// once every client joined, then "done <UnixNano>" each time every client
// has one more push; the parent closes its stdin to end it.
const (
	fanoutURLsEnv = "CLUSTER_FANOUT_URLS" // for the child: the nodes' /ws, comma separated
	fanoutNEnv    = "CLUSTER_FANOUT_N"    // number of clients (default 10,000)
	fanoutRoom    = "big"
)

// BenchmarkFanout10kCluster pushes a 1 KiB message from node 0 to a room
// of N clients spread evenly over three nodes, and reports the time until
// the last client has it (median and max over the rounds).
func BenchmarkFanout10kCluster(b *testing.B) {
	n := 10_000
	if s := os.Getenv(fanoutNEnv); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("%s=%q", fanoutNEnv, s)
		}
	}
	ns := natstest.Start(b)
	var urls []string
	var nodes []*node
	for range 3 {
		nd := startNode(b, ns.URL(), cluster.Options{})
		nodes = append(nodes, nd)
		urls = append(urls, nd.wsURL)
	}
	for _, nd := range nodes {
		waitNodes(b, nd, 3)
	}
	child := startFanoutChild(b, strings.Join(urls, ","), n)
	child.expect(b, "ready", 5*time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if rc, err := nodes[0].Count(ctx, host.Target{Rooms: []string{fanoutRoom}}); err != nil || rc.Count != n || rc.Partial {
		b.Fatalf("room count %+v, %v; want %d", rc, err, n)
	}
	msg := []byte(`{"t":0,"payload":"` + strings.Repeat("x", 1024-20) + `"}`)
	var toLast []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := nodes[0].EmitTarget(host.Target{Rooms: []string{fanoutRoom}}, "tick", host.Payload{Data: msg}); err != nil {
			b.Fatal(err)
		}
		line := child.expect(b, "done ", time.Minute)
		last, err := strconv.ParseInt(strings.TrimPrefix(line, "done "), 10, 64)
		if err != nil {
			b.Fatalf("child: %q", line)
		}
		toLast = append(toLast, time.Duration(last-t0.UnixNano()))
	}
	b.ReportMetric(float64(percentile(toLast, 0.5))/float64(time.Millisecond), "ms-to-last-median")
	b.ReportMetric(float64(slices.Max(toLast))/float64(time.Millisecond), "ms-to-last-max")
	b.ReportMetric(float64(n), "sockets")
}

// TestClusterFanoutClients is the client side of BenchmarkFanout10kCluster;
// without CLUSTER_FANOUT_URLS it is skipped.
func TestClusterFanoutClients(t *testing.T) {
	list := os.Getenv(fanoutURLsEnv)
	if list == "" {
		t.Skip("the client process of BenchmarkFanout10kCluster")
	}
	urls := strings.Split(list, ",")
	n, err := strconv.Atoi(os.Getenv(fanoutNEnv))
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q", fanoutNEnv, os.Getenv(fanoutNEnv))
	}
	quit := make(chan struct{})
	go func() { // ends with stdin, which the parent closes
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(quit)
	}()
	var (
		received atomic.Int64
		last     = make(chan int64)
		failed   = make(chan error, 1)
		stopping = make(chan struct{})
		readers  sync.WaitGroup
		mu       sync.Mutex
		conns    []*websocket.Conn
		next     atomic.Int64
		dialers  sync.WaitGroup
	)
	defer func() {
		close(stopping)
		mu.Lock()
		for _, ws := range conns {
			_ = ws.Close()
		}
		mu.Unlock()
		readers.Wait()
	}()
	join := []byte(`{"id":1,"event":"join","data":"` + fanoutRoom + `"}`)
	for range 100 {
		dialers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				d := websocket.Dialer{HandshakeTimeout: safety}
				ws, _, err := d.Dial(urls[i%len(urls)], nil)
				if err == nil {
					_ = ws.SetReadDeadline(time.Now().Add(safety))
					if err = ws.WriteMessage(websocket.TextMessage, join); err == nil {
						var m []byte
						if _, m, err = ws.ReadMessage(); err == nil && !bytes.HasPrefix(m, []byte(`{"id":1`)) {
							err = fmt.Errorf("join reply %s", m)
						}
					}
					_ = ws.SetReadDeadline(time.Time{})
				}
				if err != nil {
					select {
					case failed <- fmt.Errorf("client %d: %w", i, err):
					default:
					}
					return
				}
				mu.Lock()
				conns = append(conns, ws)
				mu.Unlock()
				readers.Go(func() {
					for {
						if _, r, err := ws.NextReader(); err != nil {
							return
						} else if _, err := io.Copy(io.Discard, r); err != nil {
							return
						}
						if received.Add(1)%int64(n) == 0 {
							select {
							case last <- time.Now().UnixNano():
							case <-stopping:
								return
							}
						}
					}
				})
			}
		})
	}
	dialers.Wait()
	select {
	case err := <-failed:
		t.Fatal(err)
	default:
	}
	fmt.Println("ready")
	for {
		select {
		case ts := <-last:
			fmt.Printf("done %d\n", ts)
		case <-quit:
			return
		}
	}
}

// fanoutChild is the running client process.
type fanoutChild struct {
	lines chan string
	other []string
}

func startFanoutChild(tb testing.TB, urls string, n int) *fanoutChild {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterFanoutClients$")
	cmd.Env = append(os.Environ(), fanoutURLsEnv+"="+urls, fanoutNEnv+"="+strconv.Itoa(n))
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
	c := &fanoutChild{lines: make(chan string)}
	ended, abandon := make(chan struct{}), make(chan struct{})
	go func() { // forwards the child's lines; ends when the child does
		defer close(ended)
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
		case <-ended:
		case <-time.After(time.Minute):
			tb.Errorf("client process did not exit: killed")
			_ = cmd.Process.Kill()
			<-ended
		}
	})
	return c
}

// expect returns the child's next line starting with prefix.
func (c *fanoutChild) expect(tb testing.TB, prefix string, wait time.Duration) string {
	tb.Helper()
	timeout := time.After(wait)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				tb.Fatalf("client process ended awaiting %q; output:\n%s", prefix, strings.Join(c.other, "\n"))
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
			c.other = append(c.other, line)
		case <-timeout:
			tb.Fatalf("no %q from the client process within %s; output:\n%s", prefix, wait, strings.Join(c.other, "\n"))
		}
	}
}
