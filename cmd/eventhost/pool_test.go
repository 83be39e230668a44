package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// healthz returns the server's /healthz document.
func (s *testServer) healthz(t testing.TB) map[string]any {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body
}

func (s *testServer) poolStat(t testing.TB, name string) float64 {
	t.Helper()
	status := s.healthz(t)["status"].(map[string]any)
	return status["pool"].(map[string]any)[name].(float64)
}

// TestAwaitingHandlersDoNotHoldVMs: 1000 concurrent calls that each await a
// 1 s timer complete together on 2 VMs, and no VM is created beyond the pool.
func TestAwaitingHandlersDoNotHoldVMs(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/e2e", "-mode", mode, "-pool", "2")
			const conns, perConn = 20, 50 // 50 in flight per connection, under -max-inflight 64
			clients := make([]*client, conns)
			for i := range clients {
				clients[i] = dial(t, srv.url)
			}
			start := time.Now()
			var wg sync.WaitGroup
			for _, c := range clients {
				ids := make([]string, perConn)
				for j := range ids {
					ids[j] = c.request("t.sock.slow", fmt.Sprintf(`{"ms":1000,"n":%d}`, j))
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := map[string]bool{}
					for range ids {
						f := c.next()
						if f.err != nil || got[f.id] {
							t.Errorf("reply %s", f.raw)
						}
						got[f.id] = true
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			// A generous bound: serially on 2 VMs this would take 500 s.
			if elapsed > 5*time.Second {
				t.Errorf("1000 awaiting calls took %s on 2 VMs", elapsed)
			}
			t.Logf("1000 calls awaiting 1 s each, pool 2, %s: %s", mode, elapsed)
			if n := srv.poolStat(t, "vms_created"); n != 2 {
				t.Errorf("vms_created = %v, want 2", n)
			}
		})
	}
}

// TestArrivalOrder: a connection's handlers start in arrival order, even with
// several VMs: each emits its number when it starts.
func TestArrivalOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../testdata/e2e", "-pool", "2", "-max-inflight", "1000", "-send-buffer", "2048")
	c := dial(t, srv.url)
	const n = 200
	for i := range n {
		c.send(fmt.Sprintf(`{"event":"t.sock.order","data":{"n":%d}}`, i))
	}
	last := c.request("t.sock.nothing", "")
	_, pushes := c.reply(last)
	if len(pushes) != n {
		t.Fatalf("%d pushes, want %d", len(pushes), n)
	}
	for i, p := range pushes {
		if string(p.data) != fmt.Sprint(i) {
			t.Fatalf("push %d carries %s: handlers started out of order", i, p.data)
		}
	}
}

// TestMaxInflight: the excess over -max-inflight is answered with
// overloaded, and every id gets exactly one answer.
func TestMaxInflight(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../testdata/e2e", "-max-inflight", "4")
	c := dial(t, srv.url)
	const n = 10
	for i := range n {
		c.send(fmt.Sprintf(`{"event":"t.sock.slow","data":{"ms":300,"n":%d},"id":%d}`, i, i))
	}
	answers := map[string]string{}
	for range n {
		f := c.next()
		if _, dup := answers[f.id]; dup {
			t.Fatalf("second answer for id %s", f.id)
		}
		if f.err != nil {
			answers[f.id] = f.err.Code
		} else {
			answers[f.id] = "ok"
		}
	}
	var ok, overloaded int
	for _, a := range answers {
		switch a {
		case "ok":
			ok++
		case "overloaded":
			overloaded++
		}
	}
	if ok != 4 || overloaded != 6 {
		t.Fatalf("answers %v: want 4 ok and 6 overloaded", answers)
	}
	c.ok("t.sock.nothing", "", "null")
}

// TestReadLoopNeverRunsJS: while a handler keeps its VM busy, the
// connection's read goroutine still answers pings.
func TestReadLoopNeverRunsJS(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", "../../testdata/e2e", "-pool", "1")
	c := dial(t, srv.url)
	var mu sync.Mutex
	var order []string
	c.conn.SetPongHandler(func(string) error {
		mu.Lock()
		order = append(order, "pong")
		mu.Unlock()
		return nil
	})
	id := c.request("t.sock.busy", `{"ms":1500}`)
	time.Sleep(100 * time.Millisecond) // let the handler start spinning
	c.WriteControl(t, websocket.PingMessage, []byte("p"))
	f, _ := c.reply(id)
	mu.Lock()
	order = append(order, "reply")
	defer mu.Unlock()
	if f.err != nil || strings.Join(order, ",") != "pong,reply" {
		t.Fatalf("order %v (reply %s): the pong waited for JS", order, f.raw)
	}
}

// TestRunawayScripts: loops, never-settling promises and runaway recursion
// are bounded; the VM is replaced after an interrupt, so half-mutated module
// state does not leak; other connections are served meanwhile.
func TestRunawayScripts(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/e2e", "-mode", mode, "-pool", "2", "-timeout", "1500ms")
			a, b := dial(t, srv.url), dial(t, srv.url)

			// Warm module state on both VMs.
			for range 4 {
				if f := b.call("t.state.inc", ""); f.err != nil {
					t.Fatalf("inc: %s", f.raw)
				}
			}
			spin := a.request("t.state.spin", "")
			// While a's handler loops on one VM, b is served by the other.
			for i := range 20 {
				f := b.call("t.sock.slow", fmt.Sprintf(`{"ms":1,"n":%d}`, i))
				if f.err != nil {
					t.Fatalf("b during the loop: %s", f.raw)
				}
			}
			select {
			case f := <-a.Frames():
				t.Fatalf("spin answered before b's 20 calls finished: %s", f.Raw)
			default:
			}
			f, _ := a.reply(spin)
			if f.err == nil || f.err.Code != "timeout" {
				t.Fatalf("spin: %s", f.raw)
			}
			srv.logsContain(t, "VM reset")

			if msg := a.fails("t.errors.never", "", "timeout"); !strings.Contains(msg, "1.5s") {
				t.Errorf("never: %q", msg)
			}
			if msg := a.fails("t.errors.recurse", "", "handler_error"); !strings.Contains(msg, "call stack") {
				t.Errorf("recurse: %q", msg)
			}
			// The connection that looped is served again.
			a.ok("t.sock.slow", `{"ms":1,"n":1}`, "1")
			// No VM keeps the spin's count += 100.
			for range 6 {
				f := a.call("t.state.inc", "")
				var st struct{ Count int }
				if f.err != nil || json.Unmarshal(f.data, &st) != nil || st.Count >= 100 {
					t.Fatalf("state after the interrupt: %s", f.raw)
				}
			}
		})
	}
}

// TestEvalModes: module state survives across calls per VM in preload mode,
// and starts fresh on every call in reeval mode.
func TestEvalModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode string
		want []string
	}{
		{"preload", []string{`{"count":1,"loads":1}`, `{"count":2,"loads":1}`, `{"count":3,"loads":1}`}},
		{"reeval", []string{`{"count":1,"loads":1}`, `{"count":1,"loads":1}`, `{"count":1,"loads":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "-scripts", "../../testdata/e2e", "-mode", tt.mode, "-pool", "1")
			c := dial(t, srv.url)
			for _, want := range tt.want {
				c.ok("t.state.inc", "", want)
			}
		})
	}
}
