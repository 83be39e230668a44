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
	if _, ok := c.rooms[room]; ok {
		return nil
	}
	if c.rooms == nil {
		c.rooms = make(map[string]struct{})
	}
	c.rooms[room] = struct{}{}
	key := roomKey{c.ns, room}
	members := s.rooms[key]
	if members == nil {
		members = make(map[*Conn]struct{})
		s.rooms[key] = members
	}
	members[c] = struct{}{}
	return nil
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
// how many connections the push was queued for.
func (c *Conn) EmitTo(room string, event string, p Payload) int {
	return c.srv.emitRoom(c.ns, room, c, event, p)
}

// Broadcast pushes to every open connection of c's namespace except c. It
// returns how many connections the push was queued for.
func (c *Conn) Broadcast(event string, p Payload) int {
	return c.srv.emitAll(c.ns, c, event, p)
}

// Emit pushes to every open connection of namespace ns ("/" holds /ws) and
// returns how many it was queued for.
func (s *Server) Emit(ns, event string, p Payload) int {
	return s.emitAll(ns, nil, event, p)
}

// EmitToRoom pushes to every member of room in namespace ns and returns how
// many it was queued for.
func (s *Server) EmitToRoom(ns, room string, event string, p Payload) int {
	return s.emitRoom(ns, room, nil, event, p)
}

// RoomSize returns the number of members of room in namespace ns.
func (s *Server) RoomSize(ns, room string) int {
	s.roomsMu.RLock()
	defer s.roomsMu.RUnlock()
	return len(s.rooms[roomKey{ns, room}])
}

// roomKey names a room: rooms belong to a namespace.
type roomKey struct{ ns, room string }

// emitRoom queues the push on every member of room but except.
func (s *Server) emitRoom(ns, room string, except *Conn, event string, p Payload) int {
	s.roomsMu.RLock()
	targets := snapshot(s.rooms[roomKey{ns, room}])
	s.roomsMu.RUnlock()
	return send(targets, except, "", event, p)
}

// emitAll queues the push on every open connection of ns but except.
func (s *Server) emitAll(ns string, except *Conn, event string, p Payload) int {
	s.liveMu.RLock()
	targets := snapshot(s.live)
	s.liveMu.RUnlock()
	return send(targets, except, ns, event, p)
}

// targetLists recycles the member lists of fan-outs.
var targetLists = sync.Pool{New: func() any { return new([]*Conn) }}

// snapshot copies a member set into a pooled list, so that a fan-out does
// not hold the lock while it queues (waking thousands of writers can keep
// it off the CPU for tens of milliseconds, and joins would wait). The caller
// holds the set's lock.
func snapshot(set map[*Conn]struct{}) *[]*Conn {
	list := targetLists.Get().(*[]*Conn)
	for c := range set {
		*list = append(*list, c)
	}
	return list
}

// encoded is a push encoded by one codec, for a fan-out.
type encoded struct {
	codec Codec
	m     Message
}

// send queues the push on every connection of targets but except (and, when
// ns is not "", but those of other namespaces), encoding it once per codec
// among them, and recycles the list. The writes do not block.
func send(targets *[]*Conn, except *Conn, ns, event string, p Payload) int {
	var codecs [2]encoded // most fan-outs meet one or two codecs
	done := codecs[:0]
	n := 0
	for i, c := range *targets {
		(*targets)[i] = nil
		if c == except || ns != "" && c.ns != ns {
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
	*targets = (*targets)[:0]
	targetLists.Put(targets)
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
