package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/eventhost/eventhost/host"
)

// broker is the Node as the Server's host.Broker: Node.Status returns a
// Status, host.Broker's returns any.
type broker struct{ *Node }

// Status returns the Node's Status, for GET /healthz.
func (b broker) Status() any { return b.Node.Status() }

var _ host.Broker = broker{}

// bufs recycles the buffers pushes are encoded in: nats.go copies what it
// publishes.
var bufs = sync.Pool{New: func() any { return new([]byte) }}

// Publish hands a push made on this node to the other nodes: a single room
// that is not a connection id goes to that room's subject, everything else
// (the whole namespace, several rooms, a connection id) to the all subject.
// It does not wait for the network (nats.go writes in the background, and
// inline only when its 32 KiB buffer is full). While NATS is unreachable it
// fails at once with ErrNotConnected: pushes are not buffered for later,
// so a reconnect never delivers stale ones.
func (n *Node) Publish(f *host.Fanout) error {
	if n.closing.Load() {
		return n.publishFailed(ErrClosed)
	}
	if len(f.Messages) == 0 {
		return nil // no protocol serves the namespace: nothing to deliver anywhere
	}
	subject := n.subj.all
	if len(f.Rooms) == 1 && !host.IsConnID(f.Rooms[0]) {
		subject = n.subj.room(f.Namespace, f.Rooms[0])
	}
	if !n.nc.IsConnected() {
		return n.publishFailed(ErrNotConnected)
	}
	bp := bufs.Get().(*[]byte)
	if need := fanoutSize(n.o.NodeID, f); cap(*bp) < need {
		*bp = make([]byte, 0, need)
	}
	data := appendFanout((*bp)[:0], n.o.NodeID, f)
	err := n.nc.Publish(subject, data)
	*bp = data[:0]
	bufs.Put(bp)
	if err != nil {
		return n.publishFailed(fmt.Errorf("cluster: publish: %w", err))
	}
	n.stats.published.Add(1)
	if n.pubFailing.Load() && n.pubFailing.CompareAndSwap(true, false) {
		n.log.Info("cluster: cross-node pushes flow again", "failed", n.pubFailures.Swap(0))
	}
	return nil
}

// publishFailed counts a failed publish and logs the first of a run of
// failures (the end of the run is logged by the next success).
func (n *Node) publishFailed(err error) error {
	n.stats.publishErrors.Add(1)
	n.pubFailures.Add(1)
	if err != ErrClosed && n.pubFailing.CompareAndSwap(false, true) {
		n.setErr(err)
		n.log.Warn("cluster: cross-node pushes failing; local delivery goes on", "err", err)
	}
	return err
}

// Subscribe subscribes to room's subject when the room gets its first local
// member, or keeps the lingering subscription of a room that had one a
// moment ago. It does not block: the returned func waits (up to a second)
// for the NATS server to confirm the subscription. It returns nil when not
// connected: nats.go subscribes on reconnect.
func (n *Node) Subscribe(ns, room string) func() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	k := roomKey{ns, room}
	if rs := n.rooms[k]; rs != nil {
		rs.gen++ // a linger timer still running finds it is stale
		if rs.timer != nil {
			rs.timer.Stop()
			rs.timer = nil
		}
		rs.active = true
	} else {
		sub, err := n.nc.ChanSubscribe(n.subj.room(ns, room), n.msgs)
		if err != nil {
			n.setErr(fmt.Errorf("cluster: subscribe to room %q: %w", room, err))
			n.log.Warn("cluster: could not subscribe to a room; its pushes from other nodes are lost", "ns", ns, "room", room, "err", err)
			return nil
		}
		n.rooms[k] = &roomSub{sub: sub, active: true}
	}
	if !n.nc.IsConnected() {
		return nil
	}
	return n.confirm
}

// confirm waits, bounded, until the NATS server has seen every
// subscription made so far.
func (n *Node) confirm() {
	if err := n.nc.FlushTimeout(subscribeFlush); err != nil {
		n.setErr(fmt.Errorf("cluster: confirm subscription: %w", err))
	}
}

// Unsubscribe drops room's subscription Linger after its last local member
// left, unless a member joins meanwhile.
func (n *Node) Unsubscribe(ns, room string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := roomKey{ns, room}
	rs := n.rooms[k]
	if n.closed || rs == nil || !rs.active {
		return
	}
	rs.active = false
	if n.o.Linger <= 0 {
		n.dropRoom(k, rs)
		return
	}
	rs.gen++
	gen := rs.gen
	rs.timer = time.AfterFunc(n.o.Linger, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if !n.closed && n.rooms[k] == rs && !rs.active && rs.gen == gen {
			n.dropRoom(k, rs)
		}
	})
}

// dropRoom unsubscribes a room; n.mu is held.
func (n *Node) dropRoom(k roomKey, rs *roomSub) {
	n.dropBase += dropped(rs.sub)
	if err := rs.sub.Unsubscribe(); err != nil && err != nats.ErrConnectionClosed {
		n.setErr(fmt.Errorf("cluster: unsubscribe: %w", err))
	}
	delete(n.rooms, k)
}

// countReq asks the other nodes for their count of a target.
type countReq struct {
	NS     string   `json:"ns"`
	Rooms  []string `json:"rooms,omitempty"`
	Except []string `json:"except,omitempty"`
}

// discReq asks the other nodes to close a connection.
type discReq struct {
	ID     string `json:"id"`
	Code   int    `json:"code"`
	Reason string `json:"reason,omitempty"`
}

// answer is a node's reply to a count or disconnect request.
type answer struct {
	Node  string `json:"node"`
	Count int    `json:"count,omitempty"`
	Found bool   `json:"found,omitempty"`
}

// Count asks every other node for its count of t and sums the answers. It
// returns when every live node of the registry answered, or after
// CountTimeout; a known node that did not answer by then makes the result
// Partial (with a nil error). It fails with ErrNotConnected while NATS is
// unreachable, with ctx's error when ctx ends first, and with ErrClosed
// when Close cuts it; the result is then Partial too, if other nodes are
// known.
func (n *Node) Count(ctx context.Context, t host.Target) (host.RoomCount, error) {
	n.stats.countRequests.Add(1)
	body, _ := json.Marshal(countReq{NS: t.Namespace, Rooms: t.Rooms, Except: t.Except})
	got, partial, err := n.gather(ctx, n.subj.count, body, nil)
	rc := host.RoomCount{Nodes: len(got), Partial: partial}
	for _, a := range got {
		rc.Count += a.Count
	}
	if partial {
		n.stats.countPartial.Add(1)
	}
	if err != nil {
		return rc, fmt.Errorf("cluster: count: %w", err)
	}
	return rc, nil
}

// Disconnect asks the other nodes to close the connection with id, and
// reports whether one did. It waits as Count does; when no node found it
// and a known node did not answer, it returns false and ErrIncomplete.
func (n *Node) Disconnect(ctx context.Context, id string, code int, reason string) (bool, error) {
	body, _ := json.Marshal(discReq{ID: id, Code: code, Reason: reason})
	found := false
	_, partial, err := n.gather(ctx, n.subj.disc, body, func(a answer) bool {
		found = found || a.Found
		return found
	})
	switch {
	case found:
		return true, nil
	case err != nil:
		return false, fmt.Errorf("cluster: disconnect: %w", err)
	case partial:
		return false, fmt.Errorf("cluster: disconnect: %w", ErrIncomplete)
	}
	return false, nil
}

// gather is a request on its way: the answers come through ch.
type gather struct {
	ch chan answer
}

// gather publishes a request on subject and collects the answers, one per
// node, until every live node of the registry answered, done returns true,
// CountTimeout passes, ctx ends or the node closes. partial reports a known
// node that did not answer.
func (n *Node) gather(ctx context.Context, subject string, body []byte, done func(answer) bool) (got map[string]answer, partial bool, err error) {
	known := n.reg.live(time.Now())
	got = make(map[string]answer, len(known))
	switch {
	case n.closing.Load():
		return got, len(known) > 0, ErrClosed
	case !n.nc.IsConnected():
		return got, len(known) > 0, ErrNotConnected
	case len(known) == 0:
		return got, false, nil
	}
	token := n.life + strconv.FormatUint(n.seq.Add(1), 36)
	g := &gather{ch: make(chan answer, len(known)+16)}
	n.pendMu.Lock()
	n.pending[token] = g
	n.pendMu.Unlock()
	defer func() {
		n.pendMu.Lock()
		delete(n.pending, token)
		n.pendMu.Unlock()
	}()
	if err := n.nc.PublishRequest(subject, n.subj.reply+"."+token, body); err != nil {
		return got, true, err
	}
	timer := time.NewTimer(n.o.CountTimeout)
	defer timer.Stop()
	missing := func() bool {
		for _, id := range known {
			if _, ok := got[id]; !ok {
				return true
			}
		}
		return false
	}
	for {
		select {
		case a := <-g.ch:
			if _, dup := got[a.Node]; dup {
				continue
			}
			got[a.Node] = a
			if done != nil && done(a) {
				return got, false, nil
			}
			if !missing() {
				return got, false, nil
			}
		case <-timer.C:
			return got, missing(), nil
		case <-ctx.Done():
			return got, missing(), ctx.Err()
		case <-n.leaving: // no answer gets through a closing connection
			return got, missing(), ErrClosed
		}
	}
}

// onReply routes an answer to its pending request.
func (n *Node) onReply(m *nats.Msg) {
	token := m.Subject[len(n.subj.reply)+1:]
	var a answer
	if err := json.Unmarshal(m.Data, &a); err != nil || a.Node == "" {
		n.stats.malformed.Add(1)
		return
	}
	n.pendMu.Lock()
	defer n.pendMu.Unlock()
	if g := n.pending[token]; g != nil {
		select {
		case g.ch <- a:
		default: // more answers than nodes: duplicates
		}
	}
}

// onCount answers another node's count request with this node's count.
func (n *Node) onCount(m *nats.Msg) {
	var req countReq
	if err := json.Unmarshal(m.Data, &req); err != nil || m.Reply == "" {
		n.stats.malformed.Add(1)
		return
	}
	c := n.srv.LocalCount(host.Target{Namespace: req.NS, Rooms: req.Rooms, Except: req.Except})
	n.respond(m, answer{Node: n.o.NodeID, Count: c})
}

// onDisconnect closes this node's connection that another node asks for,
// if it is here, and answers whether it was.
func (n *Node) onDisconnect(m *nats.Msg) {
	var req discReq
	if err := json.Unmarshal(m.Data, &req); err != nil || m.Reply == "" {
		n.stats.malformed.Add(1)
		return
	}
	found := n.srv.DisconnectLocal(req.ID, req.Code, req.Reason)
	n.respond(m, answer{Node: n.o.NodeID, Found: found})
}

func (n *Node) respond(m *nats.Msg, a answer) {
	b, _ := json.Marshal(a)
	if err := m.Respond(b); err != nil {
		n.setErr(fmt.Errorf("cluster: answer %s: %w", m.Subject, err))
	}
}
