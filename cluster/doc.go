// Package cluster joins eventhost nodes into one cluster on NATS: it is a
// host.Broker, so rooms, broadcasts, counts and disconnects reach every
// node. Join connects a host.Server and makes the Node its Broker; cmd
// wires it when -nats-url is set. It uses NATS core (github.com/nats-io/nats.go)
// and nothing else: no JetStream, no state on the NATS server.
//
// # What a user may rely on
//
//   - Cross-node delivery: a push reaches the connections of its target on
//     every node that is connected to NATS, each exactly once, however many
//     of the push's rooms it is in (the receiving node computes the union
//     with host.Server.Deliver); excepted ids (the sender of a broadcast)
//     are left out on every node.
//   - To one connection anywhere: a room named by a connection id reaches
//     that connection on whichever node holds it.
//   - Join, then emit: when Conn.Join returns, this node's subscription to
//     the room is confirmed by the NATS server (a flush, bounded by one
//     second), so a push from another node published after that reaches it.
//   - Order: pushes from one node arrive at another in the order that node
//     published them (one NATS connection each way, and one delivery
//     goroutine here). There is no order across origin nodes.
//   - Encoding: the origin encodes a push once per protocol (host.Fanout);
//     receivers write those bytes as they are and run no JavaScript.
//   - Counts: Count waits for every node of the registry, at most
//     CountTimeout; a node that did not answer makes the count Partial.
//   - Subscriptions: a room is subscribed when its first local member joins
//     and unsubscribed Linger after its last one left (a join meanwhile
//     keeps it). An idle node holds five subscriptions and none per room.
//   - Registry: nodes announce themselves every Heartbeat and say hello when
//     they (re)connect, which makes the others announce at once. A node
//     silent for NodeExpiry drops out of counts; Close announces a leave and
//     the others drop the node at once (best effort: when NATS is down at
//     Close, the others expire it).
//
// # When NATS fails
//
// Local delivery never depends on NATS. While the connection is down,
// Publish fails at once with ErrNotConnected (nats.go's reconnect buffer is
// disabled, so no push is held back and delivered late, and memory stays
// bounded); failures are counted in Stats.PublishErrors, the first of a run
// is logged and so is the first success after it. Count and Disconnect fail
// with ErrNotConnected. nats.go reconnects forever (every 500 ms plus
// jitter) and resubscribes every subscription; the node logs "reconnected"
// and says hello again. If NATS is down when Join runs, the node serves
// locally and connects in the background. Status, shown by /healthz, has
// the connection state and the last error.
//
// A stalled link (the connection stays up, nothing gets through) is found
// by the first write that waits over two seconds, since nats.go writes
// under the lock Publish and Subscribe take: such a write ends the
// connection, and the node reconnects as above. Until then an emit or a
// first join may wait that long.
//
// Received pushes wait for delivery in a queue of 65536; when it is full
// NATS drops further ones (Stats.Dropped) rather than block its reader.
//
// # Subjects
//
// With the default prefix "eventhost" (names in subjects are base64url
// without padding, "_" for the empty string):
//
//	eventhost.room.<ns>.<room>     pushes to one room (not a connection id); nodes with members subscribe
//	eventhost.all                  every other push: a namespace, several rooms, a connection id
//	eventhost.count                count requests (JSON), answered on the reply subject
//	eventhost.disconnect           disconnect requests (JSON), answered likewise
//	eventhost.nodes                announce, hello and leave (JSON)
//	eventhost.reply.<node>.<n>     answers to this node's requests (<n> is unique to this run of the node)
//
// Pushes travel in a compact binary format (see wire.go): a version byte,
// the origin node, the target and the encoded frames; a node drops what it
// cannot decode, counts it (Stats.Malformed) and logs it at most every ten
// seconds.
//
// # Goroutines
//
// A Node owns two goroutines, the delivery loop and the heartbeat, and the
// linger timers; nats.go owns its connection's goroutines (reader, flusher,
// the callbacks of the control subscriptions). Close stops all of them.
// Subscribe and Unsubscribe are called by the Server with its room lock
// held: they only touch memory (nats.go queues the SUB and UNSUB lines,
// and writes them itself only when its buffer is full, bounded by the
// write timeout above) and never call back into the Server.
package cluster
