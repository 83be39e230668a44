package cluster_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/natstest"
)

// countOf counts room from n, bounded by safety.
func countOf(t testing.TB, n *node, room string) host.RoomCount {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	rc, err := n.Count(ctx, host.Target{Rooms: []string{room}})
	if err != nil {
		t.Fatalf("Count(%s): %v", room, err)
	}
	return rc
}

func TestKilledNodeMakesCountsPartialThenDropsOut(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{NodeExpiry: time.Second})
	var clients []*client
	for _, n := range nodes {
		c := dial(t, n)
		c.join(t, "r")
		clients = append(clients, c)
	}
	if rc := countOf(t, nodes[0], "r"); rc != (host.RoomCount{Count: 3, Nodes: 3}) {
		t.Fatalf("before: %+v", rc)
	}
	nodes[2].node.Kill() // no leave: the others still expect it

	// Before the expiry, a count misses node 2 and says so.
	rc := countOf(t, nodes[0], "r")
	if rc != (host.RoomCount{Count: 2, Nodes: 2, Partial: true}) {
		t.Errorf("with node 2 frozen: %+v, want 2 over 2 nodes, partial", rc)
	}
	if st := nodes[0].node.Stats(); st.CountPartial == 0 {
		t.Errorf("CountPartial not counted: %+v", st)
	}
	// The others keep serving each other.
	emit(nodes[0], "r", "still", "1")
	clients[1].wantPush(t, "still", "1")
	clients[0].wantPush(t, "still", "1")

	// After the expiry it is out of the counts, which are whole again.
	waitNodes(t, nodes[0], 2)
	waitNodes(t, nodes[1], 2)
	if rc := countOf(t, nodes[0], "r"); rc != (host.RoomCount{Count: 2, Nodes: 2}) {
		t.Errorf("after expiry: %+v, want 2 over 2 nodes, whole", rc)
	}
	// The killed node still serves its own connections.
	if n := emit(nodes[2], "r", "alone", "2"); n != 1 {
		t.Errorf("killed node queued %d locally, want 1", n)
	}
	clients[2].wantPush(t, "alone", "2")
}

func TestGracefulCloseDropsOutAtOnce(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{NodeExpiry: time.Hour})
	if err := nodes[2].node.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// No expiry can explain this within the hour.
	waitNodes(t, nodes[0], 2)
	waitNodes(t, nodes[1], 2)
	if rc := countOf(t, nodes[0], "r"); rc.Partial || rc.Nodes != 2 {
		t.Errorf("after a graceful close: %+v", rc)
	}
	if err := nodes[2].node.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// The closed node's pushes stay local and say why.
	c := dial(t, nodes[2])
	c.join(t, "x")
	if n, err := nodes[2].EmitTarget(host.Target{Rooms: []string{"x"}}, "e", host.Payload{Data: []byte("1")}); n != 1 || !errors.Is(err, cluster.ErrClosed) {
		t.Errorf("EmitTarget after Close = %d, %v", n, err)
	}
	c.wantPush(t, "e", "1")
}

func TestNATSRestart(t *testing.T) {
	t.Parallel()
	ns, nodes := startCluster(t, 2, cluster.Options{})
	a, b := dial(t, nodes[0]), dial(t, nodes[1])
	a.join(t, "r")
	b.join(t, "r")
	emit(nodes[0], "r", "up", "1")
	a.wantPush(t, "up", "1")
	b.wantPush(t, "up", "1")

	ns.Stop()
	waitFor(t, "node 0 to see NATS gone", func() bool { return !nodes[0].node.Status().Connected })
	waitFor(t, "node 1 to see NATS gone", func() bool { return !nodes[1].node.Status().Connected })
	// Local delivery goes on; the cross-node part fails, and says so.
	for i := range 3 {
		n, err := nodes[0].EmitTarget(host.Target{Rooms: []string{"r"}}, "down", host.Payload{Data: []byte("2")})
		if n != 1 || !errors.Is(err, cluster.ErrNotConnected) {
			t.Fatalf("emit %d while NATS is down = %d, %v; want 1, ErrNotConnected", i, n, err)
		}
		a.wantPush(t, "down", "2")
	}
	if st := nodes[0].node.Stats(); st.PublishErrors < 3 {
		t.Errorf("PublishErrors %d, want ≥ 3", st.PublishErrors)
	}
	if st := nodes[0].node.Status(); st.LastError == "" {
		t.Errorf("no last error in %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if rc, err := nodes[0].Count(ctx, host.Target{Rooms: []string{"r"}}); !errors.Is(err, cluster.ErrNotConnected) || rc.Count != 1 || !rc.Partial {
		t.Errorf("Count while NATS is down = %+v, %v", rc, err)
	}

	ns.Restart(t)
	waitFor(t, "node 0 to reconnect", func() bool { return nodes[0].node.Status().Connected })
	waitFor(t, "node 1 to reconnect", func() bool { return nodes[1].node.Status().Connected })
	// Node 1's resubscription may reach the server a moment after node 0
	// reconnected: probe until one push gets through, then expect every one.
	deadline := time.Now().Add(safety)
	for got := false; !got; {
		if time.Now().After(deadline) {
			t.Fatal("no push crossed after NATS came back")
		}
		if _, err := nodes[0].EmitTarget(host.Target{Rooms: []string{"r"}}, "probe", host.Payload{Data: []byte("0")}); err != nil {
			t.Fatalf("emit after reconnect: %v", err)
		}
		a.wantPush(t, "probe", "0")
		select {
		case f := <-b.Frames():
			got = true
			if !strings.Contains(string(f.Raw), `"probe"`) {
				t.Fatalf("b got %s", f.Raw)
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
	for range 10 { // late probes
		select {
		case <-b.Frames():
		case <-time.After(100 * time.Millisecond):
		}
	}
	for range 3 {
		emit(nodes[0], "r", "back", "3")
		b.wantPush(t, "back", "3")
		a.wantPush(t, "back", "3")
	}
	if st := nodes[1].node.Stats(); st.Reconnects == 0 {
		t.Errorf("Reconnects not counted: %+v", st)
	}
	waitNodes(t, nodes[0], 2)
	if rc := countOf(t, nodes[0], "r"); rc != (host.RoomCount{Count: 2, Nodes: 2}) {
		t.Errorf("count after reconnect: %+v", rc)
	}
}

// freePort returns a loopback port nothing listens on (at the moment).
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

func TestJoinWhileNATSDown(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	ns.Stop() // its port is known, nothing listens there yet
	url := ns.URL()
	a := startNode(t, url, cluster.Options{})
	if st := a.node.Status(); st.Connected {
		t.Fatalf("connected to nothing: %+v", st)
	}
	c := dial(t, a)
	c.join(t, "r")
	if n, err := a.EmitTarget(host.Target{Rooms: []string{"r"}}, "local", host.Payload{Data: []byte("1")}); n != 1 || !errors.Is(err, cluster.ErrNotConnected) {
		t.Errorf("EmitTarget = %d, %v", n, err)
	}
	c.wantPush(t, "local", "1")

	ns.Restart(t)
	b := startNode(t, url, cluster.Options{})
	waitFor(t, "node a to connect in the background", func() bool { return a.node.Status().Connected })
	waitNodes(t, a, 2)
	waitNodes(t, b, 2)
	emit(b, "r", "remote", "2")
	c.wantPush(t, "remote", "2")
}

func TestMalformedPushesAreDropped(t *testing.T) {
	t.Parallel()
	ns, nodes := startCluster(t, 1, cluster.Options{})
	c := dial(t, nodes[0])
	c.join(t, "r")
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for _, data := range [][]byte{nil, []byte("garbage"), {1, 0xff}} {
		if err := nc.Publish("test.all", data); err != nil {
			t.Fatal(err)
		}
		if err := nc.Publish("test.nodes", data); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "6 malformed messages counted", func() bool { return nodes[0].node.Stats().Malformed == 6 })
	// Still delivering: a well-formed push from a second node.
	b := startNode(t, ns.URL(), cluster.Options{})
	emit(b, "r", "ok", "1")
	c.wantPush(t, "ok", "1")
}

// TestNoGoroutineLeft runs a cluster with traffic, closes it and checks
// that no goroutine of this package or of nats.go is left. It does not run
// in parallel (the parallel tests wait until it is done).
func TestNoGoroutineLeft(t *testing.T) {
	t.Run("cluster", func(t *testing.T) {
		ns, nodes := startCluster(t, 3, cluster.Options{})
		c := dial(t, nodes[1])
		c.join(t, "r")
		emit(nodes[0], "r", "e", "1")
		c.wantPush(t, "e", "1")
		countOf(t, nodes[2], "r")
		c.leave(t, "r") // a linger timer is running at Close
		nodes[2].node.Kill()
		ns.Stop() // the others are reconnecting at Close
	})
	var stacks string
	deadline := time.Now().Add(safety)
	for {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "nats-io/nats.go") && !strings.Contains(stacks, "eventhost/cluster.") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Close:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
