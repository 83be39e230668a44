package cluster

import (
	"encoding/binary"
	"fmt"

	"github.com/eventhost/eventhost/host"
)

// wireVersion is the first byte of every encoded fan-out. A node drops
// (and counts as malformed) fan-outs of another version.
const wireVersion = 1

// flagBinary marks a message whose frame is a binary WebSocket frame.
const flagBinary = 1

// A fan-out on the wire is, in order (uvarint: unsigned LEB128 as
// encoding/binary writes it; str: uvarint length then the bytes):
//
//	byte    version (wireVersion)
//	str     origin node id
//	str     namespace
//	uvarint number of rooms, then each room as str
//	uvarint number of excepted connection ids, then each as str
//	uvarint number of messages, then each:
//	        str     protocol
//	        byte    flags (flagBinary)
//	        str     frame
//	        uvarint number of attachments, then each as str
//
// Nothing follows the last message.

// appendFanout appends f, made on node origin, to b in the wire format.
func appendFanout(b []byte, origin string, f *host.Fanout) []byte {
	b = append(b, wireVersion)
	b = appendStr(b, origin)
	b = appendStr(b, f.Namespace)
	b = binary.AppendUvarint(b, uint64(len(f.Rooms)))
	for _, r := range f.Rooms {
		b = appendStr(b, r)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Except)))
	for _, id := range f.Except {
		b = appendStr(b, id)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Messages)))
	for i := range f.Messages {
		m := &f.Messages[i]
		b = appendStr(b, m.Protocol)
		var flags byte
		if m.Message.Binary {
			flags |= flagBinary
		}
		b = append(b, flags)
		b = appendBytes(b, m.Message.Frame)
		b = binary.AppendUvarint(b, uint64(len(m.Message.Attachments)))
		for _, a := range m.Message.Attachments {
			b = appendBytes(b, a)
		}
	}
	return b
}

// fanoutSize is an upper bound of f's encoded size, to size the buffer once.
func fanoutSize(origin string, f *host.Fanout) int {
	n := 1 + 3*binary.MaxVarintLen32 + len(origin) + len(f.Namespace) + 2*binary.MaxVarintLen32
	for _, r := range f.Rooms {
		n += binary.MaxVarintLen32 + len(r)
	}
	for _, id := range f.Except {
		n += binary.MaxVarintLen32 + len(id)
	}
	for i := range f.Messages {
		m := &f.Messages[i]
		n += 3*binary.MaxVarintLen32 + 1 + len(m.Protocol) + len(m.Message.Frame)
		for _, a := range m.Message.Attachments {
			n += binary.MaxVarintLen32 + len(a)
		}
	}
	return n
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeFanout decodes a fan-out in the wire format and returns its origin
// node id. The frames and attachments of the result share data's memory
// (NATS hands each message its own copy, and frames are never modified),
// the names are copies. Malformed input gives an error wrapping
// ErrMalformed, never a panic, and allocates no more than data's size
// suggests.
func decodeFanout(data []byte) (origin string, f *host.Fanout, err error) {
	d := decoder{b: data}
	if v := d.byte(); d.err == nil && v != wireVersion {
		return "", nil, fmt.Errorf("%w: version %d", ErrMalformed, v)
	}
	origin = d.str()
	f = &host.Fanout{}
	f.Namespace = d.str()
	if n := d.count(); n > 0 {
		f.Rooms = make([]string, n)
		for i := range f.Rooms {
			f.Rooms[i] = d.str()
		}
	}
	if n := d.count(); n > 0 {
		f.Except = make([]string, n)
		for i := range f.Except {
			f.Except[i] = d.str()
		}
	}
	if n := d.count(); n > 0 {
		f.Messages = make([]host.ProtocolMessage, n)
		for i := range f.Messages {
			m := &f.Messages[i]
			m.Protocol = d.str()
			flags := d.byte()
			if flags&^flagBinary != 0 {
				d.fail("unknown flags")
			}
			m.Message.Binary = flags&flagBinary != 0
			m.Message.Frame = d.bytes()
			if k := d.count(); k > 0 {
				m.Message.Attachments = make([][]byte, k)
				for j := range m.Message.Attachments {
					m.Message.Attachments[j] = d.bytes()
				}
			}
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return "", nil, d.err
	}
	return origin, f, nil
}

// decoder reads the wire format; the first failure sticks in err and every
// later read returns a zero value.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, what)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length")
		return 0
	}
	if n > 1 && d.b[n-1] == 0 {
		d.fail("non-minimal length") // one encoding per value
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a number of elements; each takes at least one byte, so a
// count above the bytes left is malformed (and is not allocated).
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.fail("count beyond the message")
		return 0
	}
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("length beyond the message")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }
