package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.in))
	}
	for _, s := range []string{"", "abc", "2{}", `2abc["a"]`, `511-["a"]`, `51["a"]`, `2/x["a"]`, `2["connect"]`, `3[]`, `01`, `2["a\ud800",1]`, `2["\u00ff",[1,{"a":null}]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := Decode(in)
		if err != nil {
			return
		}
		if p.Data != nil && !json.Valid(p.Data) {
			t.Fatalf("Decode(%q) accepted Data %q that encoding/json refuses", in, p.Data)
		}
		// What decodes re-encodes and decodes to the same packet.
		enc := p.Append(nil)
		q, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(%q) = %+v, re-encoded as %q which fails: %v", in, p, enc, err)
		}
		if !samePacket(p, q) {
			t.Fatalf("Decode(%q) = %+v, re-encoded %q decodes to %+v", in, p, enc, q)
		}
		// The Decoder agrees with Decode.
		d := Decoder{}
		m, done, err := d.Text(in)
		if err != nil || done != (p.Attachments == 0) || (done && !samePacket(m.Packet, p)) {
			t.Fatalf("Decoder.Text(%q) = %+v, %v, %v; Decode gave %+v", in, m, done, err, p)
		}
		for i := 0; i < p.Attachments; i++ {
			m, done, err = d.Binary([]byte{byte(i)})
			last := i == p.Attachments-1
			if err != nil && !(last && errors.Is(err, ErrAttachments)) {
				t.Fatalf("Decoder.Binary %d after %q: %v", i, in, err)
			}
			if err == nil && (done != last || (done && len(m.Buffers) != p.Attachments)) {
				t.Fatalf("Decoder.Binary %d after %q = %+v, %v", i, in, m, done)
			}
		}
		switch p.Type {
		case Event, BinaryEvent, Ack, BinaryAck:
			roundTripArgs(t, in, p)
		}
	})
}

// roundTripArgs splits an EVENT or ACK as the server does and encodes it
// again with AppendEvent or AppendAck: the arguments must survive.
func roundTripArgs(t *testing.T, in []byte, p Packet) {
	els, err := SplitArray(p.Data)
	if err != nil {
		t.Fatalf("Decode(%q) accepted Data %q that SplitArray refuses: %v", in, p.Data, err)
	}
	isEvent := p.Type == Event || p.Type == BinaryEvent
	var name string
	args := els
	if isEvent {
		if name, err = UnquoteString(els[0]); err != nil {
			t.Fatalf("event name %q: %v", els[0], err)
		}
		args = els[1:]
	}
	var a Args
	if len(args) > 0 {
		a.First = args[0]
		a.Rest = append(append([]byte{'['}, bytes.Join(args[1:], []byte{','})...), ']')
	}
	id := int64(-1)
	if p.HasID {
		id = p.ID
	}
	var enc []byte
	if isEvent {
		enc, _ = AppendEvent(nil, p.Namespace, name, id, a)
	} else {
		enc, _ = AppendAck(nil, p.Namespace, id, a)
	}
	q, err := Decode(enc)
	if err != nil {
		t.Fatalf("Decode(%q): args re-encoded as %q fail: %v", in, enc, err)
	}
	if q.Namespace != p.Namespace || q.HasID != p.HasID || q.ID != p.ID || q.Type.Binary() {
		t.Fatalf("Decode(%q) = %+v; re-encoded %q decodes to %+v", in, p, enc, q)
	}
	qels, err := SplitArray(q.Data)
	if err != nil {
		t.Fatal(err)
	}
	// No arguments stay none (a nil First without Rest).
	if isEvent {
		qname, _ := UnquoteString(qels[0])
		if qname != name {
			t.Fatalf("event name %q re-encoded as %q", name, qname)
		}
		qels = qels[1:]
	}
	if len(qels) != len(args) {
		t.Fatalf("args %q re-encoded as %q", args, qels)
	}
	for i := range args {
		if !bytes.Equal(args[i], qels[i]) {
			t.Fatalf("arg %d %q re-encoded as %q", i, args[i], qels[i])
		}
	}
}

func FuzzSplitPayload(f *testing.F) {
	for _, s := range []string{"4hello\x1e2\x1e4world", "4hello\x1ebAQIDBA==", "bAQIDBA", "42[\"hello\"]\x1e42[\"world\"]", "1", "", "4a\x1e", "9", "b%%", "6\x1e6\x1e2probe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, err := SplitPayload(body)
		if err != nil {
			return
		}
		binary := false
		for _, p := range ps {
			if !p.Type.Valid() || (p.Binary && p.Type != Message) {
				t.Fatalf("SplitPayload(%q) returned %+v", body, p)
			}
			binary = binary || p.Binary
		}
		enc := AppendPayload(nil, ps...)
		if !binary && !bytes.Equal(enc, body) {
			t.Fatalf("SplitPayload(%q) re-encodes as %q", body, enc)
		}
		qs, err := SplitPayload(enc)
		if err != nil {
			t.Fatalf("SplitPayload(%q) re-encoded as %q which fails: %v", body, enc, err)
		}
		if len(qs) != len(ps) {
			t.Fatalf("SplitPayload(%q) = %d packets, re-encoded %q gives %d", body, len(ps), enc, len(qs))
		}
		for i := range ps {
			if ps[i].Type != qs[i].Type || ps[i].Binary != qs[i].Binary || !bytes.Equal(ps[i].Data, qs[i].Data) {
				t.Fatalf("packet %d %+v re-encoded as %+v", i, ps[i], qs[i])
			}
		}
	})
}

// FuzzJSON compares the allocation-free scanner with encoding/json, the
// reference path.
func FuzzJSON(f *testing.F) {
	for _, c := range jsonCases {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, want := validJSON(in), json.Valid(in)
		if !got && want && bytes.Count(in, []byte("["))+bytes.Count(in, []byte("{")) > maxDepth {
			return // deeper than maxDepth, which encoding/json allows (TestValidJSONDepth)
		}
		if got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json says %v", in, got, want)
		}
		if tr := trimSpace(in); len(tr) > 0 && tr[0] == '[' {
			compareSplit(t, in)
		}
		if len(in) > 1 && in[0] == '"' && in[len(in)-1] == '"' {
			s, err := UnquoteString(in)
			var ref string
			refErr := json.Unmarshal(in, &ref)
			if (err == nil) != (refErr == nil) || s != ref {
				t.Fatalf("UnquoteString(%q) = %q, %v; encoding/json %q, %v", in, s, err, ref, refErr)
			}
		}
	})
}

// compareSplit checks SplitArray against unmarshalling into []json.RawMessage.
func compareSplit(t *testing.T, in []byte) {
	t.Helper()
	els, err := SplitArray(in)
	var ref []json.RawMessage
	refErr := json.Unmarshal(in, &ref)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("SplitArray(%q) error %v, encoding/json error %v", in, err, refErr)
	}
	if err == nil {
		if len(els) != len(ref) {
			t.Fatalf("SplitArray(%q) = %q, encoding/json %q", in, els, ref)
		}
		for i := range els {
			if !bytes.Equal(els[i], ref[i]) {
				t.Fatalf("SplitArray(%q)[%d] = %q, encoding/json %q", in, i, els[i], ref[i])
			}
		}
	}
}
