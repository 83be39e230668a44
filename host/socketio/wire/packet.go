package wire

import (
	"github.com/eventhost/eventhost/host/internal/jsontext"

	"fmt"
	"strconv"
)

// Type is a Socket.IO v5 packet type.
type Type byte

// The Socket.IO packet types.
const (
	Connect      Type = 0 // join a namespace; the server answers with a CONNECT {"sid"} or a CONNECT_ERROR
	Disconnect   Type = 1 // leave a namespace
	Event        Type = 2 // an event: ["name", args...]
	Ack          Type = 3 // the answer to an event that carried an id: [args...]
	ConnectError Type = 4 // the server refuses a CONNECT
	BinaryEvent  Type = 5 // an EVENT followed by binary attachments
	BinaryAck    Type = 6 // an ACK followed by binary attachments
)

// DefaultMaxAttachments is the attachment limit when none is set, the
// reference parser's default.
const DefaultMaxAttachments = 10

// Valid reports whether t is one of the seven packet types.
func (t Type) Valid() bool { return t <= BinaryAck }

// Binary reports whether packets of type t are followed by attachments.
func (t Type) Binary() bool { return t == BinaryEvent || t == BinaryAck }

// takesID reports whether packets of type t may carry an ack id.
func (t Type) takesID() bool { return t == Event || t == Ack || t == BinaryEvent || t == BinaryAck }

// String returns the type's name in the specification ("EVENT"...).
func (t Type) String() string {
	switch t {
	case Connect:
		return "CONNECT"
	case Disconnect:
		return "DISCONNECT"
	case Event:
		return "EVENT"
	case Ack:
		return "ACK"
	case ConnectError:
		return "CONNECT_ERROR"
	case BinaryEvent:
		return "BINARY_EVENT"
	case BinaryAck:
		return "BINARY_ACK"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Packet is one Socket.IO packet, the payload of an Engine.IO message:
// <type>[<attachments>-][<namespace>,][<id>][<JSON>].
type Packet struct {
	// Type is the packet type.
	Type Type
	// Namespace is "/" for the main namespace (decoders never leave it
	// empty; encoders treat "" as "/").
	Namespace string
	// ID is the ack id when HasID is set.
	ID int64
	// HasID is set when the packet carries an ack id.
	HasID bool
	// Data is the raw JSON payload without surrounding whitespace, nil
	// when absent. Decoders return a sub-slice of their input.
	Data []byte
	// Attachments is the number of binary frames that follow a
	// BINARY_EVENT or BINARY_ACK.
	Attachments int
}

// Decode decodes one text Socket.IO packet (an Engine.IO message's data)
// with the default attachment limit. Data aliases text. A binary packet's
// attachments are not awaited here: use a Decoder for that.
func Decode(text []byte) (Packet, error) {
	return decode(text, DefaultMaxAttachments)
}

// decode parses text as the reference parser does, more strictly where the
// reference lets malformed input through (see doc.go). On error the packet
// is the zero Packet.
func decode(text []byte, maxAttachments int) (Packet, error) {
	p, err := parse(text, maxAttachments)
	if err != nil {
		return Packet{}, err
	}
	return p, nil
}

func parse(text []byte, maxAttachments int) (Packet, error) {
	var p Packet
	if len(text) == 0 {
		return p, fmt.Errorf("decode socket.io packet: %w", ErrEmptyPacket)
	}
	c := text[0]
	if c < '0' || !Type(c-'0').Valid() {
		return p, fmt.Errorf("decode socket.io packet: %w %q", ErrUnknownType, c)
	}
	p.Type = Type(c - '0')
	i := 1

	if p.Type.Binary() {
		start := i
		n := 0
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			n = n*10 + int(text[i]-'0')
			if n > maxAttachments {
				return p, fmt.Errorf("decode socket.io packet: %w (max %d)", ErrTooManyAttachments, maxAttachments)
			}
			i++
		}
		if i == start || i == len(text) || text[i] != '-' {
			return p, fmt.Errorf("decode socket.io packet: %w", ErrAttachments)
		}
		p.Attachments = n
		i++
	}

	// The namespace runs to ',' or to the end of the packet: the official
	// test suite sends "40/custom" and "41/custom" without the comma.
	p.Namespace = "/"
	if i < len(text) && text[i] == '/' {
		start := i
		for i < len(text) && text[i] != ',' {
			i++
		}
		if ns := text[start:i]; len(ns) > 1 {
			p.Namespace = string(ns)
		}
		if i < len(text) {
			i++ // the ','
		}
	}

	if i < len(text) && text[i] >= '0' && text[i] <= '9' {
		if !p.Type.takesID() {
			return p, fmt.Errorf("decode socket.io packet: %w: %s takes no ack id", ErrAckID, p.Type)
		}
		start := i
		i = jsontext.SkipDigits(text, i)
		id, err := strconv.ParseInt(string(text[start:i]), 10, 64)
		if err != nil {
			return p, fmt.Errorf("decode socket.io packet: %w: out of range", ErrAckID)
		}
		p.ID, p.HasID = id, true
	}

	if data := trimSpace(text[i:]); len(data) > 0 {
		p.Data = data
	} else if i < len(text) {
		return p, fmt.Errorf("decode socket.io packet: %w: blank payload", ErrJSON)
	}
	if err := validate(&p); err != nil {
		return p, fmt.Errorf("decode socket.io packet: %w", err)
	}
	return p, nil
}

// reservedEvents may not be sent by a client, as in the reference parser.
var reservedEvents = [...]string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// IsReservedEvent reports whether name is an event name that the reference
// parser refuses in an EVENT because Socket.IO gives it a meaning of its own.
func IsReservedEvent(name string) bool {
	for _, r := range reservedEvents {
		if name == r {
			return true
		}
	}
	return false
}

// validate checks p.Data against p.Type as the reference parser does, and
// that an ACK has an id.
func validate(p *Packet) error {
	d := p.Data
	if d == nil {
		switch p.Type {
		case Connect, Disconnect:
			return nil
		default:
			return fmt.Errorf("%w: %s needs a payload", ErrPayload, p.Type)
		}
	}
	if (p.Type == Ack || p.Type == BinaryAck) && !p.HasID {
		return fmt.Errorf("%w: %s without an id", ErrAckID, p.Type)
	}
	switch d[0] {
	case '[', '{', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
	default:
		if p.Type.takesID() {
			return fmt.Errorf("%w: %q", ErrAckID, d[0])
		}
		return ErrJSON
	}
	switch p.Type {
	case Connect:
		return validObject(d, "CONNECT")
	case Disconnect:
		if !validJSON(d) {
			return ErrJSON
		}
		return fmt.Errorf("%w: DISCONNECT takes no payload", ErrPayload)
	case ConnectError:
		if d[0] == '"' {
			if end, ok := skipString(d, 0); !ok || end != len(d) {
				return ErrJSON
			}
			return nil
		}
		return validObject(d, "CONNECT_ERROR")
	case Event, BinaryEvent:
		return validEvent(d)
	default: // Ack, BinaryAck
		if !validJSON(d) {
			return ErrJSON
		}
		if d[0] != '[' {
			return fmt.Errorf("%w: %s payload is not an array", ErrPayload, p.Type)
		}
		return nil
	}
}

func validObject(d []byte, what string) error {
	if !validJSON(d) {
		return ErrJSON
	}
	if d[0] != '{' {
		return fmt.Errorf("%w: %s payload is not an object", ErrPayload, what)
	}
	return nil
}

// validEvent checks a non-empty array whose first element is a string that
// is not a reserved event name.
func validEvent(d []byte) error {
	if !validJSON(d) {
		return ErrJSON
	}
	if d[0] != '[' {
		return fmt.Errorf("%w: EVENT payload is not an array", ErrPayload)
	}
	i := skipSpace(d, 1)
	if d[i] != '"' {
		return fmt.Errorf("%w: EVENT payload does not start with a name", ErrPayload)
	}
	end, _ := skipString(d, i)
	if reservedRaw(d[i:end]) {
		return fmt.Errorf("%w: reserved event name %s", ErrPayload, d[i:end])
	}
	return nil
}

// reservedRaw reports whether the validated JSON string raw names a reserved
// event, without allocating unless raw has escapes.
func reservedRaw(raw []byte) bool {
	inner := raw[1 : len(raw)-1]
	if len(inner) > len("removeListener")*6 {
		return false
	}
	for _, c := range inner {
		if c == '\\' {
			name, _ := UnquoteString(raw)
			return IsReservedEvent(name)
		}
	}
	for _, r := range reservedEvents {
		if string(inner) == r {
			return true
		}
	}
	return false
}

// Append appends p in the text encoding. Data is written as given: the
// caller vouches that it is valid JSON of the right shape.
func (p Packet) Append(dst []byte) []byte {
	dst = append(dst, '0'+byte(p.Type))
	if p.Type.Binary() {
		dst = strconv.AppendInt(dst, int64(p.Attachments), 10)
		dst = append(dst, '-')
	}
	dst = appendNamespace(dst, p.Namespace)
	if p.HasID {
		dst = strconv.AppendInt(dst, p.ID, 10)
	}
	return append(dst, p.Data...)
}

// appendNamespace appends "/x," for a namespace other than the main one.
func appendNamespace(dst []byte, ns string) []byte {
	if ns == "" || ns == "/" {
		return dst
	}
	dst = append(dst, ns...)
	return append(dst, ',')
}
