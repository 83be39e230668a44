package host

import "context"

// Broker carries pushes, counts and disconnects between the nodes of a
// cluster. A Server without one (the default) is a single node. The Server
// calls the Broker's methods from any goroutine; Subscribe and Unsubscribe
// are called with the Server's room lock held and must not block or call
// back into the Server. A Broker delivers what other nodes publish with
// Server.Deliver, answers their counts with Server.LocalCount and their
// disconnects with Server.DisconnectLocal.
type Broker interface {
	// Publish hands a push made on this node to the other nodes. It must
	// not wait on the network; the push is already queued on this node's
	// connections. An error says the other nodes will not get it.
	Publish(f *Fanout) error
	// Subscribe tells that room of namespace ns has its first member on
	// this node. It returns a function that returns once pushes any node
	// publishes to the room from then on reach this node (or once the
	// Broker gives up, in a bounded time), or nil when there is nothing to
	// wait for. Rooms named by a connection id (IsConnID) are not
	// subscribed: pushes to them reach every node.
	Subscribe(ns, room string) (wait func())
	// Unsubscribe tells that room of namespace ns has no member left on
	// this node.
	Unsubscribe(ns, room string)
	// Count counts t's connections on the other nodes.
	Count(ctx context.Context, t Target) (RoomCount, error)
	// Disconnect closes the connection with id on whichever other node
	// holds it, and reports whether one did.
	Disconnect(ctx context.Context, id string, code int, reason string) (bool, error)
	// Status describes the cluster for GET /healthz.
	Status() any
}

// Fanout is a push on its way between nodes: its target and its frames,
// encoded once by the origin for every protocol the cluster serves.
type Fanout struct {
	Target
	// Messages are the push's frames, one per protocol.
	Messages []ProtocolMessage
}

// ProtocolMessage is a push encoded for the connections of one protocol
// (Conn.Protocol).
type ProtocolMessage struct {
	Protocol string
	Message  Message
	codec    Codec // the origin's codec that made Message; nil when received
}

// RoomCount is how many connections a Target reaches across the cluster.
type RoomCount struct {
	// Count is the number of connections on the nodes counted.
	Count int `json:"count"`
	// Nodes is the number of nodes counted, this one included.
	Nodes int `json:"nodes"`
	// Partial reports that a node of the cluster did not answer in time:
	// Count leaves its connections out.
	Partial bool `json:"partial"`
}

// UseBroker makes the Server one node of a cluster. Call it before
// serving, at most once.
func (s *Server) UseBroker(b Broker) { s.brokerV.Store(&b) }

// Clustered reports whether the Server is a node of a cluster: UseBroker
// was called.
func (s *Server) Clustered() bool { return s.broker() != nil }

// broker returns the Broker, or nil for a single node.
func (s *Server) broker() Broker {
	if p := s.brokerV.Load(); p != nil {
		return *p
	}
	return nil
}

// codecFactory makes the codec of one protocol for a namespace.
type codecFactory struct {
	protocol string
	codecFor func(ns string) Codec
}

// RegisterCodec declares the codec a protocol's connections of each
// namespace use (nil for a namespace the protocol does not serve), so that
// a push to the cluster is encoded for them on the node it starts from. The
// Server registers /ws's; another protocol's endpoint registers its own
// before serving.
func (s *Server) RegisterCodec(protocol string, codecFor func(ns string) Codec) {
	for {
		old := s.codecs.Load()
		var list []codecFactory
		if old != nil {
			list = append(list, *old...)
		}
		list = append(list, codecFactory{protocol, codecFor})
		if s.codecs.CompareAndSwap(old, &list) {
			return
		}
	}
}

// encodeAll encodes a push for every registered protocol that serves ns.
func (s *Server) encodeAll(ns, event string, p Payload) []ProtocolMessage {
	list := s.codecs.Load()
	if list == nil {
		return nil
	}
	out := make([]ProtocolMessage, 0, len(*list))
	for _, f := range *list {
		if c := f.codecFor(ns); c != nil {
			out = append(out, ProtocolMessage{Protocol: f.protocol, Message: c.Push(event, p), codec: c})
		}
	}
	return out
}

// nativeCodecFor is /ws's codec factory: /ws connections are in "/".
func nativeCodecFor(ns string) Codec {
	if ns == "/" {
		return NativeCodec
	}
	return nil
}

// Count counts t's connections on every node. Without a Broker it counts
// this node's, and is never partial. With one, it waits for the other nodes
// as long as ctx and the Broker allow; the error is the Broker's, with this
// node's count still in the result.
func (s *Server) Count(ctx context.Context, t Target) (RoomCount, error) {
	local := s.LocalCount(t)
	b := s.broker()
	if b == nil {
		return RoomCount{Count: local, Nodes: 1}, nil
	}
	rc, err := b.Count(ctx, t)
	rc.Count += local
	rc.Nodes++
	return rc, err
}

// DisconnectSocket closes the connection with id, on this node or, with a
// Broker, on whichever node holds it, with a WebSocket close code and
// reason. It reports whether a connection was found.
func (s *Server) DisconnectSocket(ctx context.Context, id string, code int, reason string) (bool, error) {
	if s.DisconnectLocal(id, code, reason) {
		return true, nil
	}
	if b := s.broker(); b != nil {
		return b.Disconnect(ctx, id, code, reason)
	}
	return false, nil
}

// DisconnectLocal closes this node's connection with id, if there is one,
// as DisconnectSocket does, and reports whether there was.
func (s *Server) DisconnectLocal(id string, code int, reason string) bool {
	s.liveMu.RLock()
	c := s.live[id]
	s.liveMu.RUnlock()
	if c == nil {
		return false
	}
	c.setCloseReason(ReasonDisconnectedByAPI)
	_ = c.tr.Close(code, reason)
	return true
}

// IsConnID reports whether name has the form of a connection id: a room so
// named is the one that holds that connection alone.
func IsConnID(name string) bool {
	if len(name) != idLength {
		return false
	}
	for i := 0; i < len(name); i++ {
		if b := name[i]; (b < 'A' || b > 'Z') && (b < '2' || b > '7') {
			return false
		}
	}
	return true
}
