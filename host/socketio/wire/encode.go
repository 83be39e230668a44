package wire

import "strconv"

// Args are the arguments of an outgoing EVENT or ACK, given as raw JSON so
// that encoding copies bytes and never reflects. The encoders trust them:
// First and Rest must be valid JSON, and every placeholder in them must
// refer to an element of Attachments.
type Args struct {
	// First is the raw JSON text of the first argument. Nil (or empty)
	// with no Rest means no arguments at all (ack(), emit(event)); with a
	// Rest it encodes as null. When FirstBinary is set it is raw bytes
	// instead.
	First []byte
	// FirstBinary sends First as a binary attachment. It goes last: its
	// placeholder is {"_placeholder":true,"num":len(Attachments)}, so the
	// placeholders already in Rest keep their numbers.
	FirstBinary bool
	// Rest is a raw JSON array of the further arguments; nil or "[]" means
	// none. Text that is not an array is sent as one further argument.
	Rest []byte
	// Attachments are binary attachments already referenced by placeholders
	// {"_placeholder":true,"num":i} in First or Rest.
	Attachments [][]byte
}

// binaryCount returns the number of attachments the packet carries.
func (a *Args) binaryCount() int {
	n := len(a.Attachments)
	if a.FirstBinary {
		n++
	}
	return n
}

// frames returns the binary frames to send after the text packet. It
// allocates only when First is binary.
func (a *Args) frames() [][]byte {
	if !a.FirstBinary {
		if len(a.Attachments) == 0 {
			return nil
		}
		return a.Attachments
	}
	n := len(a.Attachments)
	return append(a.Attachments[:n:n], a.First)
}

// appendArgs appends the arguments' elements, after a preceding element when
// comma is set.
func (a *Args) appendArgs(dst []byte, comma bool) []byte {
	rest := trimSpace(a.Rest)
	if len(rest) >= 2 && rest[0] == '[' && rest[len(rest)-1] == ']' {
		rest = trimSpace(rest[1 : len(rest)-1])
	}
	if len(a.First) == 0 && !a.FirstBinary && len(rest) == 0 {
		return dst // no arguments: ack() or emit(event)
	}
	if comma {
		dst = append(dst, ',')
	}
	switch {
	case a.FirstBinary:
		dst = append(dst, `{"_placeholder":true,"num":`...)
		dst = strconv.AppendInt(dst, int64(len(a.Attachments)), 10)
		dst = append(dst, '}')
	case len(a.First) == 0:
		dst = append(dst, "null"...)
	default:
		dst = append(dst, a.First...)
	}
	if len(rest) > 0 {
		dst = append(dst, ',')
		dst = append(dst, rest...)
	}
	return dst
}

// appendHeader appends <type>[<n>-][<ns>,][<id>].
func appendHeader(dst []byte, t Type, n int, ns string, id int64) []byte {
	if n > 0 {
		t += BinaryEvent - Event // EVENT → BINARY_EVENT, ACK → BINARY_ACK
	}
	dst = append(dst, '0'+byte(t))
	if n > 0 {
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, '-')
	}
	dst = appendNamespace(dst, ns)
	if id >= 0 {
		dst = strconv.AppendInt(dst, id, 10)
	}
	return dst
}

// AppendEvent appends the Socket.IO packet of an event (without the
// Engine.IO Message prefix): 2<ns,><id>["event",first,rest...], or
// 5<n>-<ns,><id>[...] when there are attachments. id < 0 asks for no ack. It
// returns the binary frames to send after it, nil when there are none.
func AppendEvent(dst []byte, ns, event string, id int64, a Args) ([]byte, [][]byte) {
	dst = appendHeader(dst, Event, a.binaryCount(), ns, id)
	dst = append(dst, '[')
	dst = appendString(dst, event)
	dst = a.appendArgs(dst, true)
	return append(dst, ']'), a.frames()
}

// AppendAck appends the Socket.IO packet acknowledging event id:
// 3<ns,><id>[first,rest...], or 6<n>-<ns,><id>[...] when there are
// attachments. It returns the binary frames to send after it.
func AppendAck(dst []byte, ns string, id int64, a Args) ([]byte, [][]byte) {
	dst = appendHeader(dst, Ack, a.binaryCount(), ns, id)
	dst = append(dst, '[')
	dst = a.appendArgs(dst, false)
	return append(dst, ']'), a.frames()
}

// AppendConnect appends the CONNECT that admits a client to ns:
// 0{"sid":"..."}, or 0/chat,{"sid":"..."}.
func AppendConnect(dst []byte, ns, sid string) []byte {
	dst = append(dst, '0'+byte(Connect))
	dst = appendNamespace(dst, ns)
	dst = append(dst, `{"sid":`...)
	dst = appendString(dst, sid)
	return append(dst, '}')
}

// AppendConnectError appends the CONNECT_ERROR refusing ns:
// 4/x,{"message":"..."} when data is nil, 4{"message":"...","data":...}
// with data as raw JSON otherwise.
func AppendConnectError(dst []byte, ns, message string, data []byte) []byte {
	dst = append(dst, '0'+byte(ConnectError))
	dst = appendNamespace(dst, ns)
	dst = append(dst, `{"message":`...)
	dst = appendString(dst, message)
	if data != nil {
		dst = append(dst, `,"data":`...)
		dst = append(dst, data...)
	}
	return append(dst, '}')
}

// AppendDisconnect appends the DISCONNECT of ns: 1, or 1/chat,.
func AppendDisconnect(dst []byte, ns string) []byte {
	dst = append(dst, '0'+byte(Disconnect))
	return appendNamespace(dst, ns)
}
