package wire

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// EngineType is an Engine.IO v4 packet type, the packet's first character.
type EngineType byte

// The Engine.IO packet types.
const (
	Open    EngineType = '0' // server → client: the handshake, with OpenPacket's JSON
	Close   EngineType = '1' // either side: close the transport
	Ping    EngineType = '2' // heartbeat; "2probe" during an upgrade
	Pong    EngineType = '3' // heartbeat reply; "3probe" during an upgrade
	Message EngineType = '4' // a payload: one Socket.IO packet
	Upgrade EngineType = '5' // client → server: complete the upgrade to WebSocket
	Noop    EngineType = '6' // server → client: release a pending poll
)

// Valid reports whether t is one of the seven packet types.
func (t EngineType) Valid() bool { return t >= Open && t <= Noop }

// String returns the type's name in the specification ("open", "message"...).
func (t EngineType) String() string {
	switch t {
	case Open:
		return "open"
	case Close:
		return "close"
	case Ping:
		return "ping"
	case Pong:
		return "pong"
	case Message:
		return "message"
	case Upgrade:
		return "upgrade"
	case Noop:
		return "noop"
	}
	return "EngineType(" + strconv.Quote(string(rune(t))) + ")"
}

// EnginePacket is one Engine.IO packet.
type EnginePacket struct {
	// Type is the packet type; a binary packet is always a Message.
	Type EngineType
	// Data is the payload after the type character (nil when there is
	// none), or the raw bytes of a binary message. Decoders return a
	// sub-slice of their input whenever they can.
	Data []byte
	// Binary marks a binary message: a binary WebSocket frame, or a polling
	// record "b<base64>".
	Binary bool
}

// DecodePacket decodes one WebSocket frame. A binary frame is a binary
// message whose bytes are data (v4 has no prefix on binary frames). A text
// frame is a type character and its payload; like the reference parser, a
// text frame "b<base64>" is also a binary message. Data aliases b except
// for base64.
func DecodePacket(b []byte, binary bool) (EnginePacket, error) {
	if binary {
		return EnginePacket{Type: Message, Data: b, Binary: true}, nil
	}
	if len(b) == 0 {
		return EnginePacket{}, fmt.Errorf("decode engine.io packet: %w", ErrEmptyPacket)
	}
	if b[0] == 'b' {
		data, err := decodeBase64(b[1:])
		if err != nil {
			return EnginePacket{}, fmt.Errorf("decode engine.io packet: %w", err)
		}
		return EnginePacket{Type: Message, Data: data, Binary: true}, nil
	}
	t := EngineType(b[0])
	if !t.Valid() {
		return EnginePacket{}, fmt.Errorf("decode engine.io packet: %w %q", ErrUnknownType, b[0])
	}
	var data []byte
	if len(b) > 1 {
		data = b[1:]
	}
	return EnginePacket{Type: t, Data: data}, nil
}

// decodeBase64 accepts standard base64 with or without padding.
func decodeBase64(s []byte) ([]byte, error) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(out, s)
	if err != nil {
		return nil, ErrBase64
	}
	return out[:n], nil
}

// AppendPacket appends p encoded for a WebSocket frame: the type character
// and data for a text packet, the bytes alone for a binary one (which the
// caller sends as a binary frame).
func AppendPacket(dst []byte, p EnginePacket) []byte {
	if p.Binary {
		return append(dst, p.Data...)
	}
	dst = append(dst, byte(p.Type))
	return append(dst, p.Data...)
}

// recordSeparator separates the packets of a polling payload.
const recordSeparator = 0x1e

// SplitPayload decodes the body of a polling request: packets separated by
// 0x1e, each a type character and its payload, or "b<base64>" for a binary
// message. Any empty or malformed record fails the whole payload, as the
// reference server closes the session on it. Data of text packets aliases body.
func SplitPayload(body []byte) ([]EnginePacket, error) {
	out := make([]EnginePacket, 0, bytes.Count(body, []byte{recordSeparator})+1)
	for i := 0; ; i++ {
		j := bytes.IndexByte(body, recordSeparator)
		if j < 0 {
			j = len(body)
		}
		p, err := DecodePacket(body[:j:j], false)
		if err != nil {
			return nil, fmt.Errorf("split payload: record %d: %w", i, err)
		}
		out = append(out, p)
		if j == len(body) {
			return out, nil
		}
		body = body[j+1:]
	}
}

// AppendPayload appends packets as a polling response body: separated by
// 0x1e, binary messages as "b" and standard padded base64.
func AppendPayload(dst []byte, packets ...EnginePacket) []byte {
	for i, p := range packets {
		if i > 0 {
			dst = append(dst, recordSeparator)
		}
		if p.Binary {
			dst = append(dst, 'b')
			dst = base64.StdEncoding.AppendEncode(dst, p.Data)
			continue
		}
		dst = append(dst, byte(p.Type))
		dst = append(dst, p.Data...)
	}
	return dst
}

// OpenPacket returns the handshake packet
// 0{"sid":...,"upgrades":[...],"pingInterval":N,"pingTimeout":N,"maxPayload":N},
// durations in whole milliseconds.
func OpenPacket(sid string, upgrades []string, pingInterval, pingTimeout time.Duration, maxPayload int64) []byte {
	b := make([]byte, 0, 96+len(sid))
	b = append(b, byte(Open))
	b = append(b, `{"sid":`...)
	b = appendString(b, sid)
	b = append(b, `,"upgrades":[`...)
	for i, u := range upgrades {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, u)
	}
	b = append(b, `],"pingInterval":`...)
	b = strconv.AppendInt(b, pingInterval.Milliseconds(), 10)
	b = append(b, `,"pingTimeout":`...)
	b = strconv.AppendInt(b, pingTimeout.Milliseconds(), 10)
	b = append(b, `,"maxPayload":`...)
	b = strconv.AppendInt(b, maxPayload, 10)
	return append(b, '}')
}
