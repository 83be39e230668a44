package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/natstest"
	"github.com/eventhost/eventhost/internal/wstest"
)

// marker pushes "marker" to every connection from n: pushes from one node
// arrive in order, so a client whose next frame is the marker got nothing
// else in between (no duplicate, nothing it should not have had).
func marker(n *node) { n.Emit("/", "marker", host.Payload{Data: []byte(`0`)}) }

func TestRoomEmitAcrossNodes(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	var members, others []*client
	for _, n := range nodes {
		m := dial(t, n)
		m.join(t, "lobby")
		members = append(members, m)
		others = append(others, dial(t, n))
	}
	if got := emit(nodes[0], "lobby", "hi", `{"n":1}`); got != 1 {
		t.Errorf("EmitTarget queued %d on the origin, want 1", got)
	}
	marker(nodes[0])
	for i, m := range members {
		m.wantPush(t, "hi", `{"n":1}`)
		m.wantPush(t, "marker", "0")
		others[i].wantPush(t, "marker", "0")
	}

	// A socket's to(room).emit leaves the sender out on every node.
	members[1].OK(t, "emitTo", `{"room":"lobby","event":"from1","data":2}`, "0") // its node's only member is the sender
	marker(nodes[1])
	for i, m := range members {
		if i != 1 {
			m.wantPush(t, "from1", "2")
		}
		m.wantPush(t, "marker", "0")
	}
}

func TestEmitToAll(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	var clients []*client
	for _, n := range nodes {
		for range 2 {
			clients = append(clients, dial(t, n))
		}
	}
	if got := nodes[1].Emit("/", "news", host.Payload{Data: []byte(`"x"`)}); got != 2 {
		t.Errorf("Emit queued %d on the origin, want 2", got)
	}
	marker(nodes[1])
	for _, c := range clients {
		c.wantPush(t, "news", `"x"`)
		c.wantPush(t, "marker", "0")
	}
}

func TestBroadcastExceptSender(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	var clients []*client
	for _, n := range nodes {
		clients = append(clients, dial(t, n), dial(t, n))
	}
	sender := clients[2] // on node 1
	sender.OK(t, "broadcast", `{"event":"b","data":true}`, "1")
	marker(nodes[1])
	for _, c := range clients {
		if c != sender {
			c.wantPush(t, "b", "true")
		}
		c.wantPush(t, "marker", "0")
	}
}

func TestEmitToSocketID(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	target := dial(t, nodes[2])
	bystanders := []*client{dial(t, nodes[0]), dial(t, nodes[1]), dial(t, nodes[2])}
	if !host.IsConnID(target.id) {
		t.Fatalf("id %q is not a connection id", target.id)
	}
	if got := emit(nodes[0], target.id, "dm", `"psst"`); got != 0 {
		t.Errorf("queued %d on the origin, want 0", got)
	}
	marker(nodes[0])
	target.wantPush(t, "dm", `"psst"`)
	target.wantPush(t, "marker", "0")
	for _, c := range bystanders {
		c.wantPush(t, "marker", "0")
	}
	// No subscription per connection id.
	if s := nodes[2].node.Status().Subscriptions; s != 0 {
		t.Errorf("node 2 holds %d room subscriptions, want 0", s)
	}
}

func TestMultiRoomExactlyOnce(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	both := dial(t, nodes[1])
	both.join(t, "a")
	both.join(t, "b")
	onlyB := dial(t, nodes[2])
	onlyB.join(t, "b")
	local := dial(t, nodes[0])
	local.join(t, "a")
	local.join(t, "b")
	other := dial(t, nodes[2])
	byID := dial(t, nodes[2]) // named by its id among the rooms
	byID.join(t, "a")

	n, err := nodes[0].EmitTarget(host.Target{Rooms: []string{"a", "b", byID.id}}, "multi", host.Payload{Data: []byte(`1`)})
	if err != nil || n != 1 {
		t.Fatalf("EmitTarget = %d, %v; want 1 local, nil", n, err)
	}
	marker(nodes[0])
	for _, c := range []*client{both, onlyB, local, byID} {
		c.wantPush(t, "multi", "1")
		c.wantPush(t, "marker", "0")
	}
	other.wantPush(t, "marker", "0")
}

func TestJoinThenEmit(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 2, cluster.Options{})
	c := dial(t, nodes[1])
	for i := range 50 {
		room := fmt.Sprintf("fresh-%d", i)
		c.join(t, room) // the reply comes once Join has returned
		emit(nodes[0], room, "first", fmt.Sprint(i))
		c.wantPush(t, "first", fmt.Sprint(i))
	}
}

func TestCountAcrossNodes(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	var ids []string
	for i, n := range nodes {
		for range i + 1 { // 1, 2 and 3 members
			c := dial(t, n)
			c.join(t, "room")
			ids = append(ids, c.id)
		}
		dial(t, n) // not a member
	}
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	tests := []struct {
		name   string
		target host.Target
		want   int
	}{
		{name: "room", target: host.Target{Rooms: []string{"room"}}, want: 6},
		{name: "namespace", target: host.Target{}, want: 9},
		{name: "room except one", target: host.Target{Rooms: []string{"room"}, Except: ids[:2]}, want: 4},
		{name: "socket ids", target: host.Target{Rooms: ids[2:4]}, want: 2},
		{name: "empty room", target: host.Target{Rooms: []string{"nobody"}}, want: 0},
	}
	for _, tt := range tests {
		for i, n := range nodes {
			rc, err := n.Count(ctx, tt.target)
			if err != nil || rc != (host.RoomCount{Count: tt.want, Nodes: 3}) {
				t.Errorf("%s: Count from node %d = %+v, %v; want %d over 3 nodes", tt.name, i, rc, err, tt.want)
			}
		}
	}
	if st := nodes[0].node.Stats(); st.CountRequests == 0 || st.CountPartial != 0 || st.Nodes != 3 {
		t.Errorf("Stats %+v", st)
	}
}

func TestLeaveStopsDelivery(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 2, cluster.Options{Linger: 100 * time.Millisecond})
	c := dial(t, nodes[1])
	c.join(t, "r")
	emit(nodes[0], "r", "in", "1")
	c.wantPush(t, "in", "1")
	c.leave(t, "r")
	emit(nodes[0], "r", "out", "2")
	emit(nodes[0], c.id, "mark", "3") // through another subject, after it
	c.wantPush(t, "mark", "3")
	// The subscription goes after the linger.
	waitFor(t, "the room's subscription to go", func() bool { return nodes[1].node.Status().Subscriptions == 0 })
	emit(nodes[0], "r", "out", "4")
	emit(nodes[0], c.id, "mark", "5")
	c.wantPush(t, "mark", "5")
}

func TestLingerKeepsSubscriptionThroughChurn(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 2, cluster.Options{Linger: time.Minute})
	a, b := dial(t, nodes[1]), dial(t, nodes[1])
	for range 20 {
		a.join(t, "churn")
		b.join(t, "churn")
		a.leave(t, "churn")
		b.leave(t, "churn")
	}
	if s := nodes[1].node.Status().Subscriptions; s != 1 {
		t.Fatalf("%d subscriptions after churn, want 1 (lingering)", s)
	}
	b.join(t, "churn")
	emit(nodes[0], "churn", "after", "1")
	b.wantPush(t, "after", "1")
}

func TestDisconnectSocketOnAnotherNode(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3, cluster.Options{})
	victim := dial(t, nodes[2])
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	found, err := nodes[0].DisconnectSocket(ctx, victim.id, 4000, "bye")
	if err != nil || !found {
		t.Fatalf("DisconnectSocket = %v, %v; want true", found, err)
	}
	victim.WantClose(t, 4000, "bye")
	found, err = nodes[0].DisconnectSocket(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAA", 4000, "")
	if err != nil || found {
		t.Fatalf("DisconnectSocket(unknown) = %v, %v; want false, nil", found, err)
	}
}

func TestStatusInHealthz(t *testing.T) {
	t.Parallel()
	ns, nodes := startCluster(t, 2, cluster.Options{NodeID: ""})
	st := nodes[0].node.Status()
	if !st.Connected || st.Nodes != 2 || len(st.Peers) != 1 || st.URL != ns.URL() {
		t.Errorf("Status %+v", st)
	}
	resp, err := nodes[0].http.Client().Get(nodes[0].http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Cluster cluster.Status `json:"cluster"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Cluster.Node != st.Node || !body.Cluster.Connected {
		t.Errorf("healthz cluster %+v", body.Cluster)
	}
}

func TestOrder(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	from := startNode(t, ns.URL(), cluster.Options{})
	to := startNodeWith(t, ns.URL(), cluster.Options{}, host.Config{SendBuffer: 2048})
	nodes := []*node{from, to}
	ws := wstest.DialWith(t, nodes[1].wsURL, wstest.Options{Buffer: 2048})
	c := &client{Client: ws}
	c.join(t, "seq")
	const total = 1000
	for i := range total {
		emit(nodes[0], "seq", "n", fmt.Sprint(i))
	}
	for i := range total {
		if got := c.push(t, "n"); got != fmt.Sprint(i) {
			t.Fatalf("message %d is %s: out of order", i, got)
		}
	}
}

func TestJoinValidates(t *testing.T) {
	t.Parallel()
	srv := host.New(newHandler(), host.Config{})
	ctx := context.Background()
	for _, o := range []cluster.Options{
		{},
		{URL: "nats://127.0.0.1:1", Prefix: "bad.*"},
		{URL: "nats://127.0.0.1:1", Prefix: "a..b"},
	} {
		if n, err := cluster.Join(ctx, srv, o); err == nil {
			_ = n.Close()
			t.Errorf("Join(%+v) accepted", o)
		}
	}
}

func TestConcurrentChurn(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 2, cluster.Options{Linger: 20 * time.Millisecond})
	var clients []*client
	for range 8 {
		clients = append(clients, dial(t, nodes[1]))
	}
	for round := range 3 {
		ids := make([]string, len(clients))
		for i, c := range clients { // all at once, on their own goroutines in the host
			ids[i] = c.Request(t, "churn", `"hot"`)
		}
		for i, c := range clients {
			if f, _ := c.Reply(t, ids[i]); f.Error != nil {
				t.Fatalf("churn: %s", f.Raw)
			}
		}
		waitFor(t, "the room's subscription to go after the churn", func() bool {
			return nodes[1].node.Status().Subscriptions == 0
		})
		clients[round].join(t, "hot")
		if s := nodes[1].node.Status().Subscriptions; s != 1 {
			t.Fatalf("round %d: %d subscriptions with one member, want 1", round, s)
		}
		emit(nodes[0], "hot", "after", fmt.Sprint(round))
		clients[round].wantPush(t, "after", fmt.Sprint(round))
		clients[round].leave(t, "hot")
	}
}
