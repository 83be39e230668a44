package host

import (
	"slices"
	"sync"
)

// MaxRoomName is the longest room name, in bytes.
const MaxRoomName = 256

// Rooms are server-side state: a room is a set of connections, created by
// its first Join and gone with its last member. The index lives in the
// Server (s.rooms, room → members) and in each Conn (c.rooms), both under
// s.roomsMu. A connection leaves every room when it ends, right after
// Hooks.Disconnect (which still sees c.Rooms()) and before c.Done closes.
//
// Fan-out encodes a push once and queues the same frame, never modified
// afterwards, on every receiver with its non-blocking write: a receiver whose
// outbound buffer is full is disconnected as a slow consumer (4008) and does
// not delay the others.

// Join adds the connection to room, in its namespace. Joining twice is fine. It fails with
// ErrRoomName for an empty name or one over MaxRoomName bytes, and with
// ErrConnClosed once the connection has ended.
func (c *Conn) Join(room string) error {
	if room == "" || len(room) > MaxRoomName {
		return ErrRoomName
	}
	s := c.srv
	s.roomsMu.Lock()
	defer s.roomsMu.Unlock()
	if c.left {
		return ErrConnClosed
	}
	key := roomKey{c.ns, room}
	if _, ok := c.rooms[room]; ok {
		s.awaitSubscription(key)
		return nil
	}
	if c.rooms == nil {
		c.rooms = make(map[string]struct{})
	}
	c.rooms[room] = struct{}{}
	members := s.rooms[key]
	if members != nil {
		members[c] = struct{}{}
		s.awaitSubscription(key) // a first join may still wait for it
		return nil
	}
	members = map[*Conn]struct{}{c: {}}
	s.rooms[key] = members
	b := s.broker()
	if b == nil || IsConnID(room) {
		return nil
	}
	wait := b.Subscribe(c.ns, room)
	if wait == nil {
		return nil
	}
	// Until the Broker confirms, later joiners of the room wait for this
	// join's confirmation too (awaitSubscription): their joins must not
	// return before the room's pushes reach this node either.
	done := make(chan struct{})
	if s.subbing == nil {
		s.subbing = make(map[roomKey]chan struct{})
	}
	s.subbing[key] = done
	s.roomsMu.Unlock()
	wait() // the other nodes' pushes to the room reach this node
	s.roomsMu.Lock()
	if s.subbing[key] == done {
		delete(s.subbing, key)
	}
	close(done)
	return nil
}

// awaitSubscription waits, with s.roomsMu held (and released meanwhile),
// until the first join of room key has its subscription confirmed by the
// Broker, if it is still waiting; the Broker bounds that wait.
func (s *Server) awaitSubscription(key roomKey) {
	done := s.subbing[key]
	if done == nil {
		return
	}
	s.roomsMu.Unlock()
	<-done
	s.roomsMu.Lock()
}

// Leave removes the connection from room, if it is a member.
func (c *Conn) Leave(room string) {
	s := c.srv
	s.roomsMu.Lock()
	defer s.roomsMu.Unlock()
	if _, ok := c.rooms[room]; ok {
		delete(c.rooms, room)
		s.removeMember(room, c)
	}
}

// Rooms returns the rooms the connection is in, sorted.
func (c *Conn) Rooms() []string {
	s := c.srv
	s.roomsMu.RLock()
	rooms := make([]string, 0, len(c.rooms))
	for r := range c.rooms {
		rooms = append(rooms, r)
	}
	s.roomsMu.RUnlock()
	slices.Sort(rooms)
	return rooms
}

// EmitTo pushes event with p's arguments to every member of room, in the
// connection's namespace, except c, which need not be a member. It returns
// how many connections on this node the push was queued for; with a Broker
// it also reaches the members on the other nodes.
func (c *Conn) EmitTo(room string, event string, p Payload) int {
	n, _ := c.srv.EmitTarget(Target{Namespace: c.ns, Rooms: []string{room}, Except: []string{c.id}}, event, p)
	return n
}

// Broadcast pushes to every open connection of c's namespace except c, on
// every node. It returns how many connections on this node the push was
// queued for.
func (c *Conn) Broadcast(event string, p Payload) int {
	n, _ := c.srv.EmitTarget(Target{Namespace: c.ns, Except: []string{c.id}}, event, p)
	return n
}

// Emit pushes to every open connection of namespace ns ("/" holds /ws), on
// every node, and returns how many on this node it was queued for.
func (s *Server) Emit(ns, event string, p Payload) int {
	n, _ := s.EmitTarget(Target{Namespace: ns}, event, p)
	return n
}

// EmitToRoom pushes to every member of room in namespace ns, on every node,
// and returns how many on this node it was queued for.
func (s *Server) EmitToRoom(ns, room string, event string, p Payload) int {
	n, _ := s.EmitTarget(Target{Namespace: ns, Rooms: []string{room}}, event, p)
	return n
}

// RoomSize returns the number of members of room in namespace ns on this
// node; a connection's id names a room that holds it alone.
func (s *Server) RoomSize(ns, room string) int {
	return s.LocalCount(Target{Namespace: ns, Rooms: []string{room}})
}

// Target names whom a push reaches: connections of one namespace, on every
// node of the cluster.
type Target struct {
	// Namespace is the connections' namespace; "/" (which holds /ws) when
	// empty.
	Namespace string
	// Rooms are the rooms whose members the push reaches, each once, however
	// many of the rooms it is in. A connection's id names a room that holds
	// it alone. No rooms means every connection of the namespace.
	Rooms []string
	// Except lists the ids of connections the push leaves out.
	Except []string
}

func (t *Target) namespace() string {
	if t.Namespace == "" {
		return "/"
	}
	return t.Namespace
}

// exceptScan is the longest Except list looked up by scanning it; longer
// ones (the HTTP API takes up to 1,024 ids) become a set, so that a push to
// many connections does not compare every id with every connection.
const exceptScan = 8

// exclusion answers whether a Target leaves a connection out.
type exclusion struct {
	ids []string
	set map[string]struct{} // for more than exceptScan ids
}

// exclusion returns t's.
func (t *Target) exclusion() exclusion {
	if len(t.Except) <= exceptScan {
		return exclusion{ids: t.Except}
	}
	set := make(map[string]struct{}, len(t.Except))
	for _, id := range t.Except {
		set[id] = struct{}{}
	}
	return exclusion{set: set}
}

// excludes reports whether c is left out.
func (e *exclusion) excludes(c *Conn) bool {
	if e.set != nil {
		_, ok := e.set[c.id]
		return ok
	}
	for _, id := range e.ids {
		if id == c.id {
			return true
		}
	}
	return false
}

// EmitTarget pushes event with p's arguments to t's connections. It queues
// the push on this node's connections at once and, with a Broker, hands it
// to the other nodes, encoded once for every protocol (RegisterCodec). It
// returns how many connections on this node the push was queued for, and
// the Broker's error when it could not take the push; local delivery does
// not depend on it.
func (s *Server) EmitTarget(t Target, event string, p Payload) (int, error) {
	t.Namespace = t.namespace()
	b := s.broker()
	if b == nil {
		return send(s.localTargets(&t), &t, nil, event, p), nil
	}
	f := &Fanout{Target: t, Messages: s.encodeAll(t.Namespace, event, p)}
	return send(s.localTargets(&t), &t, f.Messages, event, p), b.Publish(f)
}

// Deliver queues a fan-out made on another node on this node's connections
// in its target, with the frames the origin encoded: no JavaScript runs. A
// connection whose protocol the fan-out has no frames for is skipped. It
// returns how many connections the push was queued for. A Broker calls it.
func (s *Server) Deliver(f *Fanout) int {
	t := f.Target
	t.Namespace = t.namespace()
	targets := s.localTargets(&t)
	ex := t.exclusion()
	n := 0
	for i, c := range *targets {
		(*targets)[i] = nil
		if ex.excludes(c) || c.ns != t.Namespace {
			continue
		}
		for j := range f.Messages {
			if f.Messages[j].Protocol == c.proto {
				if c.send(f.Messages[j].Message) == nil {
					n++
				}
				break
			}
		}
	}
	recycle(targets)
	return n
}

// LocalCount returns how many of this node's connections t reaches.
func (s *Server) LocalCount(t Target) int {
	t.Namespace = t.namespace()
	if len(t.Rooms) == 1 && !IsConnID(t.Rooms[0]) && len(t.Except) == 0 {
		s.roomsMu.RLock()
		defer s.roomsMu.RUnlock()
		return len(s.rooms[roomKey{t.Namespace, t.Rooms[0]}])
	}
	targets := s.localTargets(&t)
	ex := t.exclusion()
	n := 0
	for i, c := range *targets {
		(*targets)[i] = nil
		if !ex.excludes(c) && c.ns == t.Namespace {
			n++
		}
	}
	recycle(targets)
	return n
}

// roomKey names a room: rooms belong to a namespace.
type roomKey struct{ ns, room string }

// localTargets lists this node's connections that t's rooms name, each
// once, in a pooled list for send or recycle; t.Except and, with no rooms,
// the namespace are left for the caller to check. A single room is a copy
// of its member set, so that a fan-out does not hold the lock while it
// queues (waking thousands of writers can keep it off the CPU for tens of
// milliseconds, and joins would wait).
func (s *Server) localTargets(t *Target) *[]*Conn {
	list := targetLists.Get().(*[]*Conn)
	switch {
	case len(t.Rooms) == 0:
		s.liveMu.RLock()
		for _, c := range s.live {
			*list = append(*list, c)
		}
		s.liveMu.RUnlock()
	case len(t.Rooms) == 1 && !IsConnID(t.Rooms[0]):
		s.roomsMu.RLock()
		for c := range s.rooms[roomKey{t.Namespace, t.Rooms[0]}] {
			*list = append(*list, c)
		}
		s.roomsMu.RUnlock()
	default:
		seen := make(map[*Conn]struct{})
		s.roomsMu.RLock()
		for _, room := range t.Rooms {
			for c := range s.rooms[roomKey{t.Namespace, room}] {
				if _, dup := seen[c]; !dup {
					seen[c] = struct{}{}
					*list = append(*list, c)
				}
			}
		}
		s.roomsMu.RUnlock()
		s.liveMu.RLock()
		for _, room := range t.Rooms {
			if c := s.live[room]; c != nil && c.ns == t.Namespace {
				if _, dup := seen[c]; !dup {
					seen[c] = struct{}{}
					*list = append(*list, c)
				}
			}
		}
		s.liveMu.RUnlock()
	}
	return list
}

// targetLists recycles the member lists of fan-outs.
var targetLists = sync.Pool{New: func() any { return new([]*Conn) }}

// recycle returns a cleared list to targetLists.
func recycle(list *[]*Conn) {
	*list = (*list)[:0]
	targetLists.Put(list)
}

// encoded is a push encoded by one codec, for a fan-out.
type encoded struct {
	codec Codec
	m     Message
}

// send queues the push on every connection of targets that t does not leave
// out, encoding it once per codec among them (reusing pre's frames, encoded
// for the cluster, when one was made by the connection's codec), and
// recycles the list. The writes do not block.
func send(targets *[]*Conn, t *Target, pre []ProtocolMessage, event string, p Payload) int {
	var codecs [2]encoded // most fan-outs meet one or two codecs
	done := codecs[:0]
	for i := range pre {
		done = append(done, encoded{pre[i].codec, pre[i].Message})
	}
	ex := t.exclusion()
	n := 0
	for i, c := range *targets {
		(*targets)[i] = nil
		if c.ns != t.Namespace || ex.excludes(c) {
			continue
		}
		k := -1
		for j := range done {
			if done[j].codec == c.codec {
				k = j
				break
			}
		}
		if k < 0 {
			done = append(done, encoded{c.codec, c.codec.Push(event, p)})
			k = len(done) - 1
		}
		if c.send(done[k].m) == nil {
			n++
		}
	}
	recycle(targets)
	return n
}

// leaveAll removes an ended connection from its rooms for good.
func (s *Server) leaveAll(c *Conn) {
	s.roomsMu.Lock()
	defer s.roomsMu.Unlock()
	c.left = true
	for room := range c.rooms {
		s.removeMember(room, c)
	}
	c.rooms = nil
}

// removeMember deletes c from room's members, and the room once empty.
// s.roomsMu is held.
func (s *Server) removeMember(room string, c *Conn) {
	key := roomKey{c.ns, room}
	members := s.rooms[key]
	delete(members, c)
	if len(members) == 0 {
		delete(s.rooms, key)
		if b := s.broker(); b != nil && !IsConnID(room) {
			b.Unsubscribe(c.ns, room)
		}
	}
}

// RoomCounts returns the number of rooms, across namespaces, and of
// memberships (a connection in three rooms counts three). It walks the
// room index: for scrapes, not for every call.
func (s *Server) RoomCounts() (rooms, memberships int) {
	s.roomsMu.RLock()
	defer s.roomsMu.RUnlock()
	for _, members := range s.rooms {
		memberships += len(members)
	}
	return len(s.rooms), memberships
}
