package wire

import (
	"errors"
	"testing"
)

func TestDecoderReassemblesBinary(t *testing.T) {
	t.Parallel()
	var d Decoder
	head := `52-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`
	if m, done, err := d.Text([]byte(head)); err != nil || done {
		t.Fatalf("Text(header) = %+v, %v, %v; want pending", m, done, err)
	}
	if n := d.Awaiting(); n != 2 {
		t.Fatalf("Awaiting() = %d, want 2", n)
	}
	if _, done, err := d.Binary([]byte{1, 2, 3}); err != nil || done {
		t.Fatalf("Binary(1st) = %v, %v; want pending", done, err)
	}
	m, done, err := d.Binary([]byte{4, 5, 6})
	if err != nil || !done {
		t.Fatalf("Binary(2nd) = %v, %v; want done", done, err)
	}
	want := Packet{Type: BinaryEvent, Namespace: "/", ID: 789, HasID: true, Attachments: 2, Data: []byte(head[6:])}
	if !samePacket(m.Packet, want) {
		t.Fatalf("packet = %+v, want %+v", m.Packet, want)
	}
	if len(m.Buffers) != 2 || string(m.Buffers[0]) != "\x01\x02\x03" || string(m.Buffers[1]) != "\x04\x05\x06" {
		t.Fatalf("buffers = %q", m.Buffers)
	}
	if d.Awaiting() != 0 {
		t.Fatalf("Awaiting() = %d after completion", d.Awaiting())
	}
	// The decoder is ready for the next packet.
	m, done, err = d.Text([]byte(`2["next"]`))
	if err != nil || !done || m.Type != Event || m.Buffers != nil {
		t.Fatalf("Text(next) = %+v, %v, %v", m, done, err)
	}
}

func TestDecoderTextAndZeroAttachments(t *testing.T) {
	t.Parallel()
	var d Decoder
	for _, in := range []string{`2["a"]`, `50-["a"]`, `60-1[]`, "0", "1/x,"} {
		m, done, err := d.Text([]byte(in))
		if err != nil || !done || m.Buffers != nil {
			t.Fatalf("Text(%q) = %+v, %v, %v; want done without buffers", in, m, done, err)
		}
	}
}

func TestDecoderRefuses(t *testing.T) {
	t.Parallel()
	t.Run("binary when none awaited", func(t *testing.T) {
		t.Parallel()
		var d Decoder
		if _, _, err := d.Binary([]byte{1}); !errors.Is(err, ErrUnexpectedBinary) {
			t.Fatalf("Binary error = %v, want ErrUnexpectedBinary", err)
		}
		if _, _, err := d.Text([]byte(`2["a"]`)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.Binary([]byte{1}); !errors.Is(err, ErrUnexpectedBinary) {
			t.Fatalf("Binary after a text packet: error = %v, want ErrUnexpectedBinary", err)
		}
	})
	t.Run("binary after completion", func(t *testing.T) {
		t.Parallel()
		var d Decoder
		_, _, _ = d.Text([]byte(`51-["a",{"_placeholder":true,"num":0}]`))
		if _, done, err := d.Binary([]byte{1}); !done || err != nil {
			t.Fatalf("Binary = %v, %v", done, err)
		}
		if _, _, err := d.Binary([]byte{2}); !errors.Is(err, ErrUnexpectedBinary) {
			t.Fatalf("extra Binary error = %v, want ErrUnexpectedBinary", err)
		}
	})
	t.Run("text while awaiting", func(t *testing.T) {
		t.Parallel()
		var d Decoder
		_, _, _ = d.Text([]byte(`52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`))
		_, _, _ = d.Binary([]byte{1})
		if _, _, err := d.Text([]byte(`2["a"]`)); !errors.Is(err, ErrUnexpectedText) {
			t.Fatalf("Text error = %v, want ErrUnexpectedText", err)
		}
		if d.Awaiting() != 0 {
			t.Fatalf("Awaiting() = %d after an error, want a reset decoder", d.Awaiting())
		}
	})
	t.Run("malformed text", func(t *testing.T) {
		t.Parallel()
		var d Decoder
		if _, _, err := d.Text([]byte(`2{}`)); !errors.Is(err, ErrPayload) {
			t.Fatalf("Text error = %v, want ErrPayload", err)
		}
	})
	t.Run("default max", func(t *testing.T) {
		t.Parallel()
		var d Decoder
		if _, _, err := d.Text([]byte(`511-["a"]`)); !errors.Is(err, ErrTooManyAttachments) {
			t.Fatalf("Text error = %v, want ErrTooManyAttachments", err)
		}
		if _, done, err := d.Text([]byte(`510-["a"]`)); err != nil || done {
			t.Fatalf("Text(10 attachments) = %v, %v; want pending", done, err)
		}
	})
}

func TestDecoderMaxAttachments(t *testing.T) {
	t.Parallel()
	d := Decoder{MaxAttachments: 2}
	if _, _, err := d.Text([]byte(`53-["a"]`)); !errors.Is(err, ErrTooManyAttachments) {
		t.Fatalf("Text error = %v, want ErrTooManyAttachments", err)
	}
	if _, done, err := d.Text([]byte(`52-["a"]`)); err != nil || done {
		t.Fatalf("Text(2 attachments) = %v, %v; want pending", done, err)
	}
	d = Decoder{MaxAttachments: 20}
	if _, _, err := d.Text([]byte(`520-["a"]`)); err != nil {
		t.Fatalf("Text(20 attachments) with a max of 20: %v", err)
	}
}

func TestDecoderReset(t *testing.T) {
	t.Parallel()
	var d Decoder
	_, _, _ = d.Text([]byte(`51-["a",{"_placeholder":true,"num":0}]`))
	d.Reset()
	if _, _, err := d.Binary([]byte{1}); !errors.Is(err, ErrUnexpectedBinary) {
		t.Fatalf("Binary after Reset: error = %v, want ErrUnexpectedBinary", err)
	}
}
