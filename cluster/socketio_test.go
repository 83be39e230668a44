package cluster_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host/socketio"
	"github.com/eventhost/eventhost/internal/natstest"
)

// sioClient is a minimal Socket.IO v5 client over WebSocket: enough to
// connect to "/", send events with acks and read events.
type sioClient struct {
	ws *websocket.Conn
}

func dialSIO(t testing.TB, n *node) *sioClient {
	t.Helper()
	u := "ws" + strings.TrimPrefix(n.http.URL, "http") + "/socket.io/?EIO=4&transport=websocket"
	ws, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial socket.io: %v", err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	c := &sioClient{ws}
	if p := c.next(t); !strings.HasPrefix(p, "0{") {
		t.Fatalf("open packet %q", p)
	}
	c.send(t, "40")
	if p := c.next(t); !strings.HasPrefix(p, "40{") {
		t.Fatalf("connect packet %q", p)
	}
	return c
}

func (c *sioClient) send(t testing.TB, p string) {
	t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(p)); err != nil {
		t.Fatalf("socket.io write: %v", err)
	}
}

// next returns the next packet that is not a ping (which it answers).
func (c *sioClient) next(t testing.TB) string {
	t.Helper()
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(safety))
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			t.Fatalf("socket.io read: %v", err)
		}
		if string(b) == "2" {
			c.send(t, "3")
			continue
		}
		return string(b)
	}
}

// startSIONode is startNode with Socket.IO served at /socket.io/.
func startSIONode(t testing.TB, url string) *node {
	t.Helper()
	n := startNode(t, url, cluster.Options{})
	sio := socketio.New(n.Server, socketio.Config{Logger: testLogger()})
	n.Handle("/socket.io/", sio)
	return n
}

func TestSocketIOAcrossNodes(t *testing.T) {
	t.Parallel()
	ns := natstest.Start(t)
	nodes := []*node{startSIONode(t, ns.URL()), startSIONode(t, ns.URL())}
	sio := dialSIO(t, nodes[1])
	sio.send(t, `421["join","mixed"]`)
	if p := sio.next(t); !strings.HasPrefix(p, "431") {
		t.Fatalf("join ack %q", p)
	}
	ws := dial(t, nodes[1])
	ws.join(t, "mixed")

	// One push from node 0, encoded there once per protocol.
	emit(nodes[0], "mixed", "hello", `{"from":0}`)
	if p := sio.next(t); p != `42["hello",{"from":0}]` {
		t.Errorf("socket.io got %q", p)
	}
	ws.wantPush(t, "hello", `{"from":0}`)
	if st := nodes[1].node.Stats(); st.Delivered != 2 {
		t.Errorf("node 1 delivered to %d connections, want 2", st.Delivered)
	}
	// A /ws broadcast from node 0 reaches the Socket.IO client on node 1.
	from := dial(t, nodes[0])
	from.OK(t, "broadcast", `{"event":"b","data":[1,2]}`, "0")
	if p := sio.next(t); p != `42["b",[1,2]]` {
		t.Errorf("socket.io got %q", p)
	}
}
