package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
)

func TestParseFrame(t *testing.T) {
	t.Parallel()
	text, bin := websocket.TextMessage, websocket.BinaryMessage
	for _, tc := range []struct {
		name  string
		typ   int
		frame string
		kind  frameKind
		id    uint64
		code  string
	}{
		{"reply", text, string(protocol.AppendReply(nil, []byte("42"), []byte(`{"a":1}`))), frameOK, 42, ""},
		{"null reply", text, string(protocol.AppendReply(nil, []byte("7"), nil)), frameOK, 7, ""},
		{"error", text, string(protocol.AppendError(nil, []byte("9"), "timeout", "call did not finish")), frameError, 9, "timeout"},
		{"push", text, string(protocol.AppendPush(nil, "tick", []byte("1"))), framePush, 0, ""},
		{"error push", text, string(protocol.AppendErrorPush(nil, "bad_request", "malformed JSON", "")), framePush, 0, ""},
		{"spaced reply", text, `{ "id": 3, "data": 1 }`, frameOK, 3, ""},
		{"data first", text, `{"data":1,"id":3}`, frameOK, 3, ""},
		{"spaced error", text, `{"id":3, "error": {"message":"m","code":"overloaded"}}`, frameError, 3, "overloaded"},
		{"escaped code", text, `{"id":3,"error":{"code":"a\"b","message":""}}`, frameError, 3, `a"b`},
		{"largest id", text, `{"id":18446744073709551615,"data":1}`, frameOK, 18446744073709551615, ""},
		{"id too large", text, `{"id":18446744073709551616,"data":1}`, frameOther, 0, ""},
		{"string id", text, `{"id":"3","data":1}`, frameOther, 0, ""},
		{"zero id", text, `{"id":0,"data":1}`, frameOther, 0, ""},
		{"leading zero", text, `{"id":03,"data":1}`, frameOther, 0, ""},
		{"not json", text, `hello`, frameOther, 0, ""},
		{"empty object", text, `{}`, frameOther, 0, ""},
		{"binary reply", bin, string(protocol.AppendBinary(nil, []byte(`{"id":5}`), []byte{1, 2, 3})), frameOK, 5, ""},
		{"binary push", bin, string(protocol.AppendBinary(nil, protocol.BinaryPushEnvelope("blob"), []byte{1})), framePush, 0, ""},
		{"short binary", bin, "\x00\x00", frameOther, 0, ""},
		{"binary envelope too long", bin, "\x00\x00\x00\x09{}", frameOther, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			kind, id, code := parseFrame(tc.typ, []byte(tc.frame))
			if kind != tc.kind || id != tc.id || string(code) != tc.code {
				t.Errorf("parseFrame(%q) = %d, %d, %q; want %d, %d, %q", tc.frame, kind, id, code, tc.kind, tc.id, tc.code)
			}
		})
	}
}

// FuzzParseFrame: replies as the server encodes them come back with their id
// and code, whichever path reads them.
func FuzzParseFrame(f *testing.F) {
	f.Add(uint64(1), `{"hello":"world"}`, "", false)
	f.Add(uint64(123456789), `null`, "timeout", true)
	f.Add(uint64(1), `1`, `a"b\`, true)
	f.Add(uint64(0), `1`, "", true)
	f.Fuzz(func(t *testing.T, id uint64, data, code string, isError bool) {
		if !json.Valid([]byte(data)) {
			t.Skip()
		}
		idText := []byte(strconv.FormatUint(id, 10))
		var frame []byte
		wantKind, wantCode := frameOK, ""
		if isError {
			frame = protocol.AppendError(nil, idText, protocol.Code(code), "message")
			wantKind, wantCode = frameError, code
			if code == "" {
				wantCode = "unknown"
			}
		} else {
			frame = protocol.AppendReply(nil, idText, []byte(data))
		}
		if id == 0 {
			wantKind, wantCode = frameOther, ""
		}
		kind, gotID, gotCode := parseFrame(websocket.TextMessage, frame)
		if kind != wantKind || (kind != frameOther && gotID != id) || string(gotCode) != wantCode {
			t.Errorf("parseFrame(%q) = %d, %d, %q; want %d, %d, %q", frame, kind, gotID, gotCode, wantKind, id, wantCode)
		}
	})
}

// TestHotPathAllocations: building a request and reading the server's
// replies do not allocate.
func TestHotPathAllocations(t *testing.T) {
	tmpl := nativeTemplate(DefaultEvent, []byte(DefaultData))
	buf := make([]byte, 0, tmpl.size()+20)
	reply := protocol.AppendReply(nil, []byte("1234567"), []byte(DefaultData))
	errReply := protocol.AppendError(nil, []byte("1234567"), "timeout", "late")
	id := uint64(1 << 40)
	allocs := testing.AllocsPerRun(1000, func() {
		buf = tmpl.appendRequest(buf[:0], id)
		id++
		if k, _, _ := parseFrame(websocket.TextMessage, reply); k != frameOK {
			t.Fatal("not a reply")
		}
		if k, _, _ := parseFrame(websocket.TextMessage, errReply); k != frameError {
			t.Fatal("not an error")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request, want 0", allocs)
	}
	want := `{"event":"api.test.board","data":{"hello":"world"},"id":` + strconv.FormatUint(id-1, 10) + `}`
	if string(buf) != want || !json.Valid(buf) {
		t.Errorf("request %s, want %s", buf, want)
	}
}

func TestBuckets(t *testing.T) {
	t.Parallel()
	prev := -1
	for _, v := range []int64{0, 1, 255, 256, 257, 511, 512, 1000, 1e6, 1e9, 1e12, histMax} {
		b := bucketOf(v)
		if b < prev || b >= histBuckets || bucketHigh(b) < v || (b > 0 && bucketHigh(b-1) >= v) {
			t.Errorf("value %d: bucket %d [.., %d], previous bucket ends at %d", v, b, bucketHigh(b), bucketHigh(b-1))
		}
		if v >= 2*histSub && float64(bucketHigh(b)-v) > float64(v)/histSub {
			t.Errorf("value %d: bucket %d ends at %d, wider than 1/%d", v, b, bucketHigh(b), histSub)
		}
		prev = b
	}
	if bucketOf(histMax*4) != histBuckets-1 || bucketOf(-5) != 0 {
		t.Error("out-of-range values are not clamped")
	}
}

// TestPercentiles compares the histogram with the exact percentiles of a
// sorted sample.
func TestPercentiles(t *testing.T) {
	t.Parallel()
	var h histogram
	if h.percentile(50) != 0 || h.maximum() != 0 {
		t.Error("empty histogram: want zeros")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	sample := make([]time.Duration, 100000)
	for i := range sample {
		// log-uniform from 1µs to 1s
		sample[i] = time.Duration(1e3 * math.Pow(10, rng.Float64()*6))
		h.record(sample[i])
	}
	slices.Sort(sample)
	for _, p := range []float64{1, 50, 90, 99, 99.9, 100} {
		exact := sample[int(float64(len(sample))*p/100+0.999999)-1]
		got := h.percentile(p)
		if got < exact || float64(got-exact) > float64(exact)/histSub {
			t.Errorf("p%v = %s, exact %s", p, got, exact)
		}
	}
	if h.maximum() != sample[len(sample)-1] || h.percentile(100) != h.maximum() || h.count() != uint64(len(sample)) {
		t.Errorf("max %s, p100 %s, want %s", h.maximum(), h.percentile(100), sample[len(sample)-1])
	}
}
