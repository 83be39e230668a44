package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/internal/natstest"
	"github.com/eventhost/eventhost/internal/sioclient"
)

// clusterToken authorises the cluster tests' HTTP API calls.
const clusterToken = "cluster-test-token-0123456789abcdef"

// startCluster runs n eventhost nodes on testdata/cluster/scripts, all on
// one real NATS server, with the HTTP API on, and waits until each knows
// all of them.
func startCluster(t *testing.T, n int) (*natstest.Server, []*testServer) {
	t.Helper()
	ns := natstest.Start(t)
	scripts := filepath.Join("..", "..", "testdata", "cluster", "scripts")
	nodes := make([]*testServer, n)
	for i := range nodes {
		nodes[i] = startServer(t, "-scripts", scripts, "-watch=false", "-nats-url", ns.URL(),
			"-api-token", clusterToken, "-node-id", fmt.Sprintf("node-%d", i+1), "-send-buffer", "2048")
	}
	for i, node := range nodes {
		eventually(t, fmt.Sprintf("node %d sees %d nodes", i+1, n), func() bool {
			h := healthz(t, node)
			return h.Cluster != nil && h.Cluster.Connected && h.Cluster.Nodes == n
		})
	}
	return ns, nodes
}

// health is the part of GET /healthz these tests read.
type health struct {
	OK      bool `json:"ok"`
	Cluster *struct {
		Node      string `json:"node"`
		Connected bool   `json:"connected"`
		Nodes     int    `json:"nodes"`
	} `json:"cluster"`
}

func healthz(t *testing.T, s *testServer) health {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var h health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	return h
}

// api posts body to the HTTP API path of s and returns the status and the
// answer.
func api(t *testing.T, s *testServer, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(bytes.TrimSpace(b))
}

// member is a connection of the cluster tests: /ws or Socket.IO.
type member interface {
	name() string
	// call runs a t.c handler and returns its result as JSON text.
	call(t *testing.T, export string, data map[string]any) string
	// msgs returns the data of the "msg" pushes received up to the fence,
	// in order.
	msgs(t *testing.T, fence string) []string
}

type wsMember struct {
	n       string
	c       *client
	pending []frame // pushes that came before a reply
}

func (m *wsMember) name() string { return m.n }

func (m *wsMember) call(t *testing.T, export string, data map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(data)
	f, pushes := m.c.reply(m.c.request("t.c."+export, string(b)))
	m.pending = append(m.pending, pushes...)
	if f.err != nil {
		t.Fatalf("%s: t.c.%s: %s: %s", m.n, export, f.err.Code, f.err.Message)
	}
	return string(f.data)
}

func (m *wsMember) msgs(t *testing.T, fence string) []string {
	t.Helper()
	var got []string
	for {
		var f frame
		if len(m.pending) > 0 {
			f, m.pending = m.pending[0], m.pending[1:]
		} else {
			f = m.c.next()
		}
		if f.event != "msg" {
			t.Fatalf("%s: unexpected frame %s", m.n, f.raw)
		}
		if string(f.data) == fence {
			return got
		}
		got = append(got, string(f.data))
	}
}

type sioMember struct {
	n string
	s *sioclient.Socket
}

func (m *sioMember) name() string { return m.n }

func (m *sioMember) call(t *testing.T, export string, data map[string]any) string {
	t.Helper()
	args := m.s.EmitAck("t.c."+export, data)
	if len(args) != 1 {
		t.Fatalf("%s: t.c.%s: ack %s", m.n, export, args)
	}
	return string(args[0])
}

func (m *sioMember) msgs(t *testing.T, fence string) []string {
	t.Helper()
	var got []string
	for {
		ev := m.s.Next(sioclient.TypeEvent)
		if ev.Name != "msg" || len(ev.Args) != 1 {
			t.Fatalf("%s: unexpected event %s", m.n, ev)
		}
		if string(ev.Args[0]) == fence {
			return got
		}
		got = append(got, string(ev.Args[0]))
	}
}

// fenced emits a fence to everyone from node (HTTP API), after what the test
// sent from that node: pushes from one node arrive in order, so each
// member's "msg" pushes before the fence are all it got of them.
func fenced(t *testing.T, node *testServer, members []member, want map[string][]string) {
	t.Helper()
	fence := fmt.Sprintf(`"fence-%s"`, strings.ReplaceAll(t.Name(), "/", "-"))
	if status, body := api(t, node, "/api/emit", `{"event":"msg","data":`+fence+`}`); status != http.StatusOK {
		t.Fatalf("fence: %d %s", status, body)
	}
	for _, m := range members {
		got := m.msgs(t, fence)
		if w := want[m.name()]; !slices.Equal(got, w) {
			t.Errorf("%s got %q, want %q", m.name(), got, w)
		}
	}
}

// TestCluster: three nodes on one NATS, a /ws client on the first two and
// a Socket.IO client (the npm socket.io-client) on the third. Every kind of
// emit reaches the members on every node exactly once; the sender is left
// out where it is on one node; join then emit from another node is
// delivered; counts sum the nodes; a leave stops delivery; the HTTP API
// works from any node.
func TestCluster(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 3)
	a := &wsMember{n: "a", c: dial(t, nodes[0].url)}
	b := &wsMember{n: "b", c: dial(t, nodes[1].url)}
	sio := sioclient.Start(t)
	sock := sio.Connect("s", "http://"+nodes[2].addr, "/", sioclient.Options{})
	sock.WaitConnect()
	s := &sioMember{"s", sock}
	all := []member{a, b, s}
	id := map[string]string{}
	for _, m := range all {
		var sid string
		if err := json.Unmarshal([]byte(m.call(t, "join", map[string]any{"room": "r"})), &sid); err != nil || sid == "" {
			t.Fatalf("%s: join: %v", m.name(), err)
		}
		id[m.name()] = sid
	}
	a.call(t, "join", map[string]any{"room": "r2"})
	s.call(t, "join", map[string]any{"room": "r2"})

	type step struct {
		name string
		from member
		node *testServer // the sender's node, for the fence
		run  func(t *testing.T) string
		want map[string][]string
	}
	steps := []step{
		{"socket.to(room) leaves the sender out", a, nodes[0], func(t *testing.T) string {
			return a.call(t, "toRoom", map[string]any{"room": "r", "msg": 1})
		}, map[string][]string{"b": {"1"}, "s": {"1"}}},
		{"io.emit reaches everyone", b, nodes[1], func(t *testing.T) string {
			return b.call(t, "all", map[string]any{"msg": 2})
		}, map[string][]string{"a": {"2"}, "b": {"2"}, "s": {"2"}}},
		{"socket.broadcast leaves the sender out", s, nodes[2], func(t *testing.T) string {
			return s.call(t, "broadcast", map[string]any{"msg": 3})
		}, map[string][]string{"a": {"3"}, "b": {"3"}}},
		{"io.to(socket id) on another node", a, nodes[0], func(t *testing.T) string {
			return a.call(t, "toSocket", map[string]any{"id": id["s"], "msg": 4})
		}, map[string][]string{"s": {"4"}}},
		{"two rooms: one copy each", b, nodes[1], func(t *testing.T) string {
			return b.call(t, "toRooms", map[string]any{"rooms": []string{"r", "r2"}, "msg": 5})
		}, map[string][]string{"a": {"5"}, "b": {"5"}, "s": {"5"}}},
		{"io.except(id)", a, nodes[0], func(t *testing.T) string {
			return a.call(t, "except", map[string]any{"id": id["b"], "msg": 6})
		}, map[string][]string{"a": {"6"}, "s": {"6"}}},
		{"HTTP API to a room, from the third node", nil, nodes[2], func(t *testing.T) string {
			_, body := api(t, nodes[2], "/api/emit", `{"event":"msg","data":7,"room":"r2"}`)
			return body
		}, map[string][]string{"a": {"7"}, "s": {"7"}}},
		{"HTTP API to a socket id and except, from the first node", nil, nodes[0], func(t *testing.T) string {
			_, body := api(t, nodes[0], "/api/emit", fmt.Sprintf(`{"event":"msg","data":8,"to":%q,"room":"r","except":[%q]}`, id["s"], id["a"]))
			return body
		}, map[string][]string{"b": {"8"}, "s": {"8"}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got := st.run(t)
			if st.from != nil {
				// emit's result counts the members on the sender's node.
				local := 0
				if w := st.want[st.from.name()]; len(w) > 0 {
					local = 1
				}
				if got != fmt.Sprint(local) {
					t.Errorf("emit returned %s, want %d (this node's members)", got, local)
				}
			} else if !strings.Contains(got, `"ok":true`) || !strings.Contains(got, `"published":true`) {
				t.Errorf("HTTP API answered %s", got)
			}
			fenced(t, st.node, all, st.want)
		})
	}

	t.Run("counts sum the nodes", func(t *testing.T) {
		for room, want := range map[string]int{"r": 3, "r2": 2, "nobody": 0, id["b"]: 1} {
			var rc struct {
				Count   int  `json:"count"`
				Nodes   int  `json:"nodes"`
				Partial bool `json:"partial"`
			}
			if err := json.Unmarshal([]byte(s.call(t, "count", map[string]any{"room": room})), &rc); err != nil {
				t.Fatal(err)
			}
			if rc.Count != want || rc.Nodes != 3 || rc.Partial {
				t.Errorf("count(%s) = %+v, want %d over 3 nodes, complete", room, rc, want)
			}
		}
	})

	t.Run("join then emit from another node", func(t *testing.T) {
		for i := range 20 {
			room := fmt.Sprintf("fresh-%d", i)
			s.call(t, "join", map[string]any{"room": room}) // the first member on node 3
			a.call(t, "toRooms", map[string]any{"rooms": []string{room}, "msg": i})
			fenced(t, nodes[0], all, map[string][]string{"s": {fmt.Sprint(i)}})
		}
	})

	t.Run("a leave stops delivery", func(t *testing.T) {
		s.call(t, "leave", map[string]any{"room": "r"})
		a.call(t, "toRoom", map[string]any{"room": "r", "msg": 9})
		fenced(t, nodes[0], all, map[string][]string{"b": {"9"}})
	})

	t.Run("burst in order", func(t *testing.T) {
		b.call(t, "join", map[string]any{"room": "burst"})
		a.call(t, "burst", map[string]any{"room": "burst", "n": 1000})
		want := make([]string, 1000)
		for i := range want {
			want[i] = fmt.Sprint(i)
		}
		fence := `"fence-burst"`
		if status, body := api(t, nodes[0], "/api/emit", `{"event":"msg","data":`+fence+`,"room":"burst"}`); status != http.StatusOK {
			t.Fatalf("fence: %d %s", status, body)
		}
		var got []string
		for {
			f := b.c.next()
			if f.event == "msg" && string(f.data) == fence {
				break
			}
			if f.event != "seq" {
				t.Fatalf("b: unexpected frame %s", f.raw)
			}
			got = append(got, string(f.data))
		}
		if !slices.Equal(got, want) {
			t.Errorf("b got %d pushes, want 0..999 in order (first differences: %v)", len(got), firstDiff(got, want))
		}
	})

	t.Run("HTTP API disconnects a socket on another node", func(t *testing.T) {
		status, body := api(t, nodes[2], "/api/disconnect", fmt.Sprintf(`{"socket":%q,"code":4000,"reason":"bye"}`, id["b"]))
		if status != http.StatusOK || !strings.Contains(body, `"found":true`) {
			t.Fatalf("disconnect: %d %s", status, body)
		}
		if err := b.c.waitClose(); !isClose(err, 4000, "bye") {
			t.Fatalf("b's close: %v, want 4000 bye", err)
		}
		status, body = api(t, nodes[2], "/api/disconnect", fmt.Sprintf(`{"socket":%q}`, id["b"]))
		if status != http.StatusNotFound {
			t.Errorf("disconnect of a closed socket: %d %s, want 404", status, body)
		}
	})
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d: %s, want %s", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(got), len(want))
}

// TestClusterShutdown: a node that shuts down gracefully closes its
// connections, and the pushes its disconnect hooks make still reach the
// other nodes, before it leaves the cluster; the others then count it out.
func TestClusterShutdown(t *testing.T) {
	t.Parallel()
	_, nodes := startCluster(t, 2)
	x := &wsMember{n: "x", c: dial(t, nodes[0].url)}
	var xid string
	if err := json.Unmarshal([]byte(x.call(t, "id", nil)), &xid); err != nil {
		t.Fatal(err)
	}
	w := &wsMember{n: "w", c: dial(t, nodes[1].url)}
	w.call(t, "join", map[string]any{"room": "watch"})
	if err := nodes[0].stop(); err != nil {
		t.Fatalf("stopping node 1: %v", err)
	}
	var f frame
	if len(w.pending) > 0 {
		f = w.pending[0]
	} else {
		f = w.c.next()
	}
	if f.event != "left" || !strings.Contains(string(f.data), xid) || !strings.Contains(string(f.data), `"server shutdown"`) {
		t.Fatalf("w got %s, want left {id: %s, reason: server shutdown}", f.raw, xid)
	}
	// At once, not after the expiry, is cluster's TestGracefulCloseDropsOutAtOnce (with an
	// hour's expiry); here, that the leave arrives.
	eventually(t, "node 2 counts node 1 out", func() bool {
		h := healthz(t, nodes[1])
		return h.Cluster != nil && h.Cluster.Nodes == 1
	})
}
