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

// Join adds the connection to room. Joining twice is fine. It fails with
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
	members := s.rooms[room]
	if members == nil {
		members = make(map[*Conn]struct{})
		s.rooms[room] = members
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

// EmitTo pushes {"event","data"} to every member of room except c, which
// need not be a member. data is JSON text (nil means null), or the payload
// of a binary push. It returns how many connections the push was queued for.
func (c *Conn) EmitTo(room string, event string, data []byte, binary bool) int {
	return c.srv.emitRoom(room, c, pushFrame(event, data, binary), binary)
}

// Broadcast pushes to every open connection except c. It returns how many
// connections the push was queued for.
func (c *Conn) Broadcast(event string, data []byte, binary bool) int {
	return c.srv.emitAll(c, pushFrame(event, data, binary), binary)
}

// Emit pushes to every open connection and returns how many it was queued
// for.
func (s *Server) Emit(event string, data []byte, binary bool) int {
	return s.emitAll(nil, pushFrame(event, data, binary), binary)
}

// EmitToRoom pushes to every member of room and returns how many it was
// queued for.
func (s *Server) EmitToRoom(room string, event string, data []byte, binary bool) int {
	return s.emitRoom(room, nil, pushFrame(event, data, binary), binary)
}

// RoomSize returns the number of members of room.
func (s *Server) RoomSize(room string) int {
	s.roomsMu.RLock()
	defer s.roomsMu.RUnlock()
	return len(s.rooms[room])
}

// emitRoom queues frame on every member of room but except.
func (s *Server) emitRoom(room string, except *Conn, frame []byte, binary bool) int {
	s.roomsMu.RLock()
	targets := snapshot(s.rooms[room])
	s.roomsMu.RUnlock()
	return send(targets, except, frame, binary)
}

// emitAll queues frame on every open connection but except.
func (s *Server) emitAll(except *Conn, frame []byte, binary bool) int {
	s.liveMu.RLock()
	targets := snapshot(s.live)
	s.liveMu.RUnlock()
	return send(targets, except, frame, binary)
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

// send queues frame on every connection of targets but except, and
// recycles the list. The writes do not block.
func send(targets *[]*Conn, except *Conn, frame []byte, binary bool) int {
	n := 0
	for i, c := range *targets {
		if c != except && c.write(frame, binary) == nil {
			n++
		}
		(*targets)[i] = nil
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
	members := s.rooms[room]
	delete(members, c)
	if len(members) == 0 {
		delete(s.rooms, room)
	}
}
