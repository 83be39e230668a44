package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/eventhost/eventhost/host"
)

// FuzzEmitRequest decodes arbitrary bodies as POST /api/emit does. What it
// accepts must keep the rules (an event, valid room names, socket ids,
// compact data) and survive a round trip through encoding/json unchanged.
func FuzzEmitRequest(f *testing.F) {
	for _, s := range []string{
		`{"event":"x"}`,
		`{"event":"x","data":{"a": [1, 2.5e3, "<&>"]},"room":"r"}`,
		`{"event":"x","rooms":["a","b"],"to":"AAAAAAAAAAAAAAAA","except":["BBBBBBBBBBBBBBBB"],"namespace":"/chat"}`,
		`{"event":"x","data":null,"rooms":[]}`,
		`{"event":"x"} x`,
		`[1]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var q EmitRequest
		if decodeBody(body, &q) != nil {
			return
		}
		tg, p, e := q.target()
		if e != nil {
			return
		}
		if q.Event == "" || len(q.Event) > MaxEvent {
			t.Fatalf("accepted event %q", q.Event)
		}
		for _, r := range tg.Rooms {
			if r == "" || len(r) > host.MaxRoomName {
				t.Fatalf("accepted room %q", r)
			}
		}
		for _, id := range tg.Except {
			if !host.IsConnID(id) {
				t.Fatalf("accepted except %q", id)
			}
		}
		if p.Data != nil {
			var c bytes.Buffer
			if err := json.Compact(&c, p.Data); err != nil || !bytes.Equal(c.Bytes(), p.Data) {
				t.Fatalf("data %q is not compact JSON", p.Data)
			}
		}
		var enc bytes.Buffer
		je := json.NewEncoder(&enc)
		je.SetEscapeHTML(false)
		if err := je.Encode(&q); err != nil {
			t.Fatalf("encoding %+v: %v", q, err)
		}
		var q2 EmitRequest
		if e := decodeBody(enc.Bytes(), &q2); e != nil {
			t.Fatalf("%s does not decode again: %v", enc.Bytes(), e)
		}
		tg2, p2, e := q2.target()
		if e != nil || !reflect.DeepEqual(tg, tg2) || !bytes.Equal(p.Data, p2.Data) || q.Event != q2.Event {
			t.Fatalf("round trip of %s: %+v %s, then %+v %s (%v)", body, tg, p.Data, tg2, p2.Data, e)
		}
	})
}
