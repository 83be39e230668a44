package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/natstest"
	"github.com/eventhost/eventhost/internal/wstest"
)

// safety bounds every wait of the tests: reaching it fails the test
// instead of hanging it. It is not a speed assertion.
const safety = 10 * time.Second

// testLogger is the nodes' logger: quiet unless CLUSTER_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("CLUSTER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// node is one eventhost node: a host.Server on a loopback port, joined to
// the cluster.
type node struct {
	*host.Server
	node  *cluster.Node
	http  *httptest.Server
	wsURL string
	h     *handler
}

// testOptions are short timings for tests; o's non-zero fields win.
func testOptions(url string, o cluster.Options) cluster.Options {
	o.URL = url
	if o.Prefix == "" {
		o.Prefix = "test"
	}
	if o.CountTimeout == 0 {
		o.CountTimeout = 300 * time.Millisecond
	}
	if o.Heartbeat == 0 {
		o.Heartbeat = 100 * time.Millisecond
	}
	if o.NodeExpiry == 0 {
		o.NodeExpiry = safety // tests that expire nodes say so
	}
	if o.Linger == 0 {
		o.Linger = 50 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = testLogger()
	}
	return o
}

// startNode starts a node on the NATS server at url. Its Cleanup closes the
// node, then shuts the server down.
func startNode(t testing.TB, url string, o cluster.Options) *node {
	t.Helper()
	return startNodeWith(t, url, o, host.Config{})
}

// startNodeWith is startNode with the host's configuration.
func startNodeWith(t testing.TB, url string, o cluster.Options, cfg host.Config) *node {
	t.Helper()
	h := newHandler()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv := host.New(h, cfg)
	h.srv = srv
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	n, err := cluster.Join(ctx, srv, testOptions(url, o))
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		defer cancel()
		_ = srv.Shutdown(ctx)
		ts.Close()
	})
	return &node{Server: srv, node: n, http: ts, wsURL: "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws", h: h}
}

// startCluster starts a NATS server and k nodes on it, and waits until every
// node knows every other.
func startCluster(t testing.TB, k int, o cluster.Options) (*natstest.Server, []*node) {
	t.Helper()
	ns := natstest.Start(t)
	nodes := make([]*node, k)
	for i := range nodes {
		nodes[i] = startNode(t, ns.URL(), o)
	}
	for _, n := range nodes {
		waitNodes(t, n, k)
	}
	return ns, nodes
}

// waitNodes waits until n knows want live nodes, itself included.
func waitNodes(t testing.TB, n *node, want int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("node %s to know %d nodes", n.node.Status().Node, want), func() bool {
		return n.node.Status().Nodes == want
	})
}

// waitFor polls cond until it holds, failing the test after safety.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", safety, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// handler serves the events the tests send: hello (the connection's id),
// join and leave (a room), emitTo ({room, event, data}: the socket's
// to(room).emit), broadcast ({event, data}: socket.broadcast.emit), and
// count (a room: the cluster's count of it).
type handler struct {
	srv *host.Server
}

func newHandler() *handler { return &handler{} }

func (h *handler) Call(ctx context.Context, call *host.Call) {
	host.HandlerFunc(h.call).Call(ctx, call)
}

func (h *handler) call(ctx context.Context, call *host.Call) (host.Reply, error) {
	c := call.Conn
	var push struct {
		Room  string          `json:"room"`
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	reply := func(v any) (host.Reply, error) {
		b, err := json.Marshal(v)
		return host.Reply{Data: b}, err
	}
	switch call.Event {
	case "hello":
		return reply(c.ID())
	case "join", "leave":
		var room string
		if err := json.Unmarshal(call.Data, &room); err != nil {
			return host.Reply{}, err
		}
		if call.Event == "leave" {
			c.Leave(room)
			return host.Reply{}, nil
		}
		return host.Reply{}, c.Join(room)
	case "churn": // join and leave room 100 times, ending out of it
		var room string
		if err := json.Unmarshal(call.Data, &room); err != nil {
			return host.Reply{}, err
		}
		for range 100 {
			if err := c.Join(room); err != nil {
				return host.Reply{}, err
			}
			c.Leave(room)
		}
		return host.Reply{}, nil
	case "emitTo", "broadcast":
		if err := json.Unmarshal(call.Data, &push); err != nil {
			return host.Reply{}, err
		}
		if call.Event == "emitTo" {
			return reply(c.EmitTo(push.Room, push.Event, host.Payload{Data: push.Data}))
		}
		return reply(c.Broadcast(push.Event, host.Payload{Data: push.Data}))
	}
	return host.Reply{}, fmt.Errorf("no handler for %q", call.Event)
}

// client is a WebSocket client of a node.
type client struct {
	*wstest.Client
	id string
}

// dial connects a client to n and learns its id.
func dial(t testing.TB, n *node) *client {
	t.Helper()
	c := wstest.Dial(t, n.wsURL)
	f := c.Call(t, "hello", "")
	var id string
	if err := json.Unmarshal(f.Data, &id); err != nil || id == "" {
		t.Fatalf("hello: %s", f.Raw)
	}
	return &client{Client: c, id: id}
}

// join joins c to room, and returns once the join returned on the server.
func (c *client) join(t testing.TB, room string) {
	t.Helper()
	r, _ := json.Marshal(room)
	c.OK(t, "join", string(r), "null")
}

func (c *client) leave(t testing.TB, room string) {
	t.Helper()
	r, _ := json.Marshal(room)
	c.OK(t, "leave", string(r), "null")
}

// push returns the data of the next push, which must be of event.
func (c *client) push(t testing.TB, event string) string {
	t.Helper()
	return string(wstest.WantPush(t, c.Next(t), event))
}

// wantPush expects the next frame to be the push event with data.
func (c *client) wantPush(t testing.TB, event, data string) {
	t.Helper()
	if got := c.push(t, event); !wstest.JSONEqual(got, data) {
		t.Fatalf("push %s: data %s, want %s", event, got, data)
	}
}

// emit pushes event to room of "/" from n (io.to(room).emit).
func emit(n *node, room, event, data string) int {
	got, _ := n.EmitTarget(host.Target{Rooms: []string{room}}, event, host.Payload{Data: []byte(data)})
	return got
}
