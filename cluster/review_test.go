package cluster_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/natstest"
)

// heldWindow is how long the tests that hold a node's NATS traffic give a
// join to return too early: a join that waits returns only after the
// release, whatever the window.
const heldWindow = 300 * time.Millisecond

// nextPushes reads c's frames up to the marker push and returns them.
func nextPushes(t testing.TB, c *client) []string {
	t.Helper()
	var pushes []string
	for len(pushes) == 0 || !strings.Contains(pushes[len(pushes)-1], `"marker"`) {
		pushes = append(pushes, string(c.Next(t).Raw))
	}
	return pushes
}

// TestSecondJoinerWaitsForTheSubscription: while the first member's join
// of a room waits for NATS to confirm the room's subscription, a second
// member's join must wait too: an emit from another node right after it
// returns is delivered. (A connection's own calls run one at a time, so
// only another connection can join meanwhile.)
func TestSecondJoinerWaitsForTheSubscription(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	p := startProxy(t, strings.TrimPrefix(ns.URL(), "nats://"))
	from := startNode(t, ns.URL(), cluster.Options{})
	to := startNode(t, p.URL(), cluster.Options{})
	waitNodes(t, from, 2)
	waitNodes(t, to, 2)
	first, second := dial(t, to), dial(t, to)

	p.hold()
	idFirst := first.Request(t, "join", `"r"`)
	waitFor(t, "the first join to subscribe", func() bool { return to.node.Status().Subscriptions == 1 })
	idSecond := second.Request(t, "join", `"r"`)
	early := false
	select {
	case f := <-second.Frames():
		if f.ID != idSecond {
			t.Fatalf("got %s, want the reply to the second join", f.Raw)
		}
		early = true
		emit(from, "r", "after", `1`)             // the join returned: this must arrive
		if err := from.node.Flush(); err != nil { // it reached NATS before the release
			t.Fatal(err)
		}
	case <-time.After(heldWindow):
	}
	p.release()
	if !early {
		second.Reply(t, idSecond)
		emit(from, "r", "after", `1`)
	}
	first.Reply(t, idFirst)
	marker(from)
	if pushes := nextPushes(t, second); len(pushes) != 2 || !strings.Contains(pushes[0], `"after"`) {
		t.Fatalf("the second join returned (early: %v) before the room's subscription was confirmed: the emit right after it was lost; pushes %q", early, pushes)
	}
}

// TestMalformedControlMessages sends what no node would on every control
// subject, from a plain NATS client: the node counts what it cannot
// decode, does not panic, and keeps serving counts, disconnects and pushes.
func TestMalformedControlMessages(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	nodes := []*node{startNode(t, ns.URL(), cluster.Options{NodeID: "victim"}), startNode(t, ns.URL(), cluster.Options{})}
	waitNodes(t, nodes[0], 2)
	waitNodes(t, nodes[1], 2)
	c := dial(t, nodes[0])
	c.join(t, "r")
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	inbox := nats.NewInbox()
	answers, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	reply := "test.reply." + base64.RawURLEncoding.EncodeToString([]byte("victim"))
	long := strings.Repeat("x", 300)
	for _, m := range []struct {
		subject, reply string
		data           string
	}{
		{"test.count", inbox, "garbage"},
		{"test.count", "", `{"ns":"/"}`}, // no reply subject
		{"test.count", inbox, `{"ns":"/","rooms":["", "` + long + `"],"except":[""]}`},
		{"test.count", inbox, `{"ns":7}`},
		{"test.disconnect", inbox, "garbage"},
		{"test.disconnect", "", `{"id":"` + c.id + `"}`},
		{"test.disconnect", inbox, `{"id":""}`},
		{"test.nodes", "", "garbage"},
		{"test.nodes", "", `{"op":"announce"}`},
		{"test.nodes", "", `{"op":"unknown","node":"x"}`},
		{reply + ".1", "", "garbage"},
		{reply + ".zz", "", `{"node":"x","count":-5}`},
		{reply + ".zz", "", `{}`},
	} {
		if err := nc.PublishMsg(&nats.Msg{Subject: m.subject, Reply: m.reply, Data: []byte(m.data)}); err != nil {
			t.Fatalf("publish %s: %v", m.subject, err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "9 malformed messages counted", func() bool { return nodes[0].node.Stats().Malformed == 9 })
	// Still counting, and whole.
	if rc := countOf(t, nodes[1], "r"); rc != (host.RoomCount{Count: 1, Nodes: 2}) {
		t.Errorf("count after the garbage: %+v", rc)
	}
	// Still delivering.
	emit(nodes[1], "r", "ok", "1")
	c.wantPush(t, "ok", "1")
	// A disconnect with a code and reason no WebSocket close frame can carry
	// still closes the connection, and says it did.
	if err := nc.PublishRequest("test.disconnect", inbox, []byte(`{"id":"`+c.id+`","code":99999,"reason":"`+long+`"}`)); err != nil {
		t.Fatal(err)
	}
	found := false
	for !found {
		m, err := answers.NextMsg(safety)
		if err != nil {
			t.Fatalf("no answer to the disconnect: %v", err)
		}
		var a struct {
			Node  string `json:"node"`
			Found bool   `json:"found"`
		}
		_ = json.Unmarshal(m.Data, &a)
		found = a.Found && a.Node == "victim"
	}
	_, err = c.Closed(t)
	t.Logf("closed: %v", err)
}

// TestNoGoroutineLeftAfterEdgeCloses closes nodes at awkward moments and
// checks that no goroutine of this package or of nats.go is left. It does
// not run in parallel.
func TestNoGoroutineLeftAfterEdgeCloses(t *testing.T) {
	t.Run("never connected", func(t *testing.T) {
		a := startNode(t, "nats://127.0.0.1:"+strconv.Itoa(freePort(t)), cluster.Options{})
		c := dial(t, a)
		c.join(t, "r") // a subscription made while disconnected
		c.leave(t, "r")
		closeNode(t, a)
		closeNode(t, a) // twice
	})
	t.Run("join then close at once", func(t *testing.T) {
		ns := natstest.Start(t)
		srv := host.New(newHandler(), host.Config{})
		n, err := cluster.Join(context.Background(), srv, testOptions(ns.URL(), cluster.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Run("close with counts in flight", func(t *testing.T) {
		ns := natstest.Start(t)
		a := startNode(t, ns.URL(), cluster.Options{})
		b := startNode(t, ns.URL(), cluster.Options{CountTimeout: time.Minute})
		waitNodes(t, b, 2)
		a.node.Kill() // b's counts wait for a until CountTimeout, or Close
		done := make(chan error, 4)
		for range cap(done) {
			go func() {
				_, err := b.Count(context.Background(), host.Target{})
				done <- err
			}()
		}
		waitFor(t, "the counts to start", func() bool { return b.node.Stats().CountRequests == uint64(cap(done)) })
		closeNode(t, b)
		for range cap(done) {
			select {
			case err := <-done:
				if err == nil {
					t.Errorf("a count cut by Close has no error")
				}
			case <-time.After(safety):
				t.Fatalf("a count in flight outlived Close by %s", safety)
			}
		}
	})
	noClusterGoroutines(t)
}

// closeNode closes n's node, failing the test on an error or after safety.
func closeNode(t testing.TB, n *node) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- n.node.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(safety):
		t.Fatalf("Close did not return within %s", safety)
	}
}

// noClusterGoroutines waits until no goroutine of this package or of
// nats.go is left, failing the test after safety.
func noClusterGoroutines(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "nats-io/nats.go") && !strings.Contains(stacks, "eventhost/cluster.") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Close:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stallBound is how long an emit or a join may take while the node's NATS
// link is stalled (a black-holed network: the connection stays up, nothing
// gets through). A liveness bound, not a speed one: nats.go's default
// write timeout is a minute.
const stallBound = 8 * time.Second

// TestStalledLinkDoesNotFreezeTheNode stalls a node's NATS link: writes
// queue in the sockets until they are full. Emits and joins must keep
// returning, bounded (local delivery goes on), and the node must find the
// link dead and, once it works again, come back.
func TestStalledLinkDoesNotFreezeTheNode(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	p := startProxy(t, strings.TrimPrefix(ns.URL(), "nats://"))
	other := startNode(t, ns.URL(), cluster.Options{})
	n := startNode(t, p.URL(), cluster.Options{})
	waitNodes(t, n, 2)
	local := dial(t, n)

	p.hold()
	big := []byte(`"` + strings.Repeat("x", 64<<10) + `"`)
	done := make(chan error, 1)
	go func() {
		for range 4000 { // 256 MiB: far more than the sockets hold
			if _, err := n.EmitTarget(host.Target{Rooms: []string{"nobody-here"}}, "big", host.Payload{Data: big}); err != nil {
				done <- err // the node gave the link up: pushes fail fast now
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("256 MiB went through a held link")
		}
		t.Logf("the stalled link failed the emits with: %v", err)
	case <-time.After(stallBound):
		p.release()
		<-done
		t.Fatalf("an emit blocked over %s on a stalled NATS link", stallBound)
	}
	// Joins and local pushes work meanwhile.
	id := local.Request(t, "join", `"fresh"`)
	select {
	case f := <-local.Frames():
		if f.ID != id || f.Error != nil {
			t.Fatalf("join: %s", f.Raw)
		}
	case <-time.After(stallBound):
		p.release()
		t.Fatalf("a join blocked over %s on a stalled NATS link", stallBound)
	}
	if got := emit(n, "fresh", "here", "1"); got != 1 {
		t.Errorf("local emit queued %d, want 1", got)
	}
	local.wantPush(t, "here", "1")

	p.release()
	waitFor(t, "the node to reconnect", func() bool { return n.node.Status().Connected })
	waitNodes(t, n, 2)
	waitNodes(t, other, 2)
	probe := dial(t, other)
	probe.join(t, "back")
	waitFor(t, "a push to cross again", func() bool {
		emit(n, "back", "again", "1")
		select {
		case f := <-probe.Frames():
			return strings.Contains(string(f.Raw), `"again"`)
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
}

// TestLateAnswerToARestartedNode: a node that restarts with the same id
// must not take an answer meant for its previous life as an answer to a
// request of its own. The slow node is a plain NATS client that speaks the
// registry's and the counts' protocol and answers late.
func TestLateAnswerToARestartedNode(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	requests, err := nc.SubscribeSync("test.count")
	if err != nil {
		t.Fatal(err)
	}
	announce := func() {
		t.Helper()
		if err := nc.Publish("test.nodes", []byte(`{"op":"announce","node":"slow"}`)); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// count starts a count from a node named "x", waits for its request
	// to reach the slow node and returns the request's reply subject.
	count := func(n *node, result chan<- host.RoomCount) string {
		t.Helper()
		announce()
		waitNodes(t, n, 2)
		go func() {
			rc, _ := n.Count(context.Background(), host.Target{})
			result <- rc
		}()
		m, err := requests.NextMsg(safety)
		if err != nil {
			t.Fatalf("no count request: %v", err)
		}
		return m.Reply
	}
	first := startNode(t, ns.URL(), cluster.Options{NodeID: "x"})
	results := make(chan host.RoomCount, 1)
	oldReply := count(first, results)
	<-results // partial: the slow node did not answer
	closeNode(t, first)

	again := startNode(t, ns.URL(), cluster.Options{NodeID: "x", CountTimeout: safety})
	newReply := count(again, results)
	// The slow node answers the first life's request, now.
	if err := nc.Publish(oldReply, []byte(`{"node":"slow","count":1000}`)); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish(newReply, []byte(`{"node":"slow","count":1}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case rc := <-results:
		if rc.Count != 1 || rc.Partial {
			t.Errorf("count %+v: want 1 (the late answer to the previous life is not one; reply subjects %s and %s)", rc, oldReply, newReply)
		}
	case <-time.After(2 * safety):
		t.Fatal("the count did not end")
	}
}
