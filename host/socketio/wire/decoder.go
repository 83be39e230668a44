package wire

import "fmt"

// Decoded is a complete Socket.IO packet: a text packet, and for
// BINARY_EVENT and BINARY_ACK the attachments that followed it.
type Decoded struct {
	Packet
	// Buffers holds the binary attachments in arrival order, which is the
	// order of their placeholders' "num"; nil for a text-only packet. The
	// placeholders in Data are left as they are.
	Buffers [][]byte
}

// Decoder reassembles binary packets: feed it every Engine.IO message of a
// connection, a text packet with Text and the binary frames that follow with
// Binary. The zero value is ready to use.
//
// A Decoder keeps the slices it is given until it returns them in a Decoded:
// the caller must not reuse them. It is not safe for concurrent use; a
// connection's read loop owns it.
type Decoder struct {
	// MaxAttachments is the largest attachment count accepted in a binary
	// packet header; 0 means DefaultMaxAttachments.
	MaxAttachments int

	pending Decoded // the binary packet whose attachments are awaited
	waiting bool
}

// Text decodes a text packet. done is false when the packet is a binary one
// whose attachments are still to come; Binary then completes it. Text while
// attachments are awaited fails with ErrUnexpectedText. After an error the
// decoder is empty again (the caller is expected to close the connection).
func (d *Decoder) Text(text []byte) (m Decoded, done bool, err error) {
	if d.waiting {
		d.Reset()
		return Decoded{}, false, fmt.Errorf("decode: %w", ErrUnexpectedText)
	}
	limit := d.MaxAttachments
	if limit == 0 {
		limit = DefaultMaxAttachments
	}
	p, err := decode(text, limit)
	if err != nil {
		return Decoded{}, false, err
	}
	if p.Attachments == 0 {
		return Decoded{Packet: p}, true, nil
	}
	d.pending = Decoded{Packet: p, Buffers: make([][]byte, 0, p.Attachments)}
	d.waiting = true
	return Decoded{}, false, nil
}

// Binary takes one attachment of the pending binary packet. done is true, and
// m the packet with all its attachments, once the last one has arrived. A
// binary frame while no packet awaits one fails with ErrUnexpectedBinary.
// With the last attachment, a placeholder whose "num" is not the index of an
// attachment fails with ErrAttachments, as in the reference parser.
func (d *Decoder) Binary(b []byte) (m Decoded, done bool, err error) {
	if !d.waiting {
		return Decoded{}, false, fmt.Errorf("decode: %w", ErrUnexpectedBinary)
	}
	d.pending.Buffers = append(d.pending.Buffers, b)
	if len(d.pending.Buffers) < d.pending.Attachments {
		return Decoded{}, false, nil
	}
	m = d.pending
	d.Reset()
	if err := checkPlaceholders(m.Data, m.Attachments); err != nil {
		return Decoded{}, false, err
	}
	return m, true, nil
}

// Awaiting returns how many attachments the pending packet still needs, 0
// when none is pending.
func (d *Decoder) Awaiting() int {
	if !d.waiting {
		return 0
	}
	return d.pending.Attachments - len(d.pending.Buffers)
}

// Reset drops a pending packet and the slices it holds.
func (d *Decoder) Reset() {
	d.pending = Decoded{}
	d.waiting = false
}
