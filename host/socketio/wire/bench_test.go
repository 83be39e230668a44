package wire

import (
	"encoding/json"
	"testing"
)

var (
	benchEvent     = []byte(`2/chat,12["api.hello.greeting",{"name":"Ada","tags":["a","b"],"n":42}]`)
	benchEventMain = []byte(`212["api.hello.greeting",{"name":"Ada","tags":["a","b"],"n":42}]`)
	benchData      = []byte(`{"name":"Ada","tags":["a","b"],"n":42}`)
	benchArray     = []byte(`["api.hello.greeting",{"name":"Ada"},1,[2]]`)
	benchRest      = []byte(`[1,2]`)
)

// TestAllocations pins the allocation counts the benchmarks report.
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what allocates")
	}
	buf := make([]byte, 0, 256)
	var els [][]byte
	cases := []struct {
		name string
		want float64
		f    func()
	}{
		{"Decode main namespace", 0, func() { _, _ = Decode(benchEventMain) }},
		{"Decode custom namespace", 1, func() { _, _ = Decode(benchEvent) }},
		{"AppendElements", 0, func() { els, _ = AppendElements(els[:0], benchArray) }},
		{"AppendEvent", 0, func() { buf, _ = AppendEvent(buf[:0], "/chat", "api.hello", -1, Args{First: benchData}) }},
		{"AppendAck", 0, func() { buf, _ = AppendAck(buf[:0], "/", 12, Args{First: benchData, Rest: benchRest}) }},
		{"AppendAck binary first", 1, func() { buf, _ = AppendAck(buf[:0], "/", 12, Args{First: benchData, FirstBinary: true}) }},
		{"AppendPacket", 0, func() { buf = AppendPacket(buf[:0], EnginePacket{Type: Message, Data: benchData}) }},
	}
	els = make([][]byte, 0, 8)
	for _, c := range cases {
		if n := testing.AllocsPerRun(100, c.f); n != c.want {
			t.Errorf("%s: %v allocations, want %v", c.name, n, c.want)
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEventMain)))
	for b.Loop() {
		if _, err := Decode(benchEventMain); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEventSplit is what the server does per event: decode, split
// the arguments and take the name (one allocation, the name string).
func BenchmarkDecodeEventSplit(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEventMain)))
	els := make([][]byte, 0, 8)
	for b.Loop() {
		p, err := Decode(benchEventMain)
		if err != nil {
			b.Fatal(err)
		}
		if els, err = AppendElements(els[:0], p.Data); err != nil {
			b.Fatal(err)
		}
		if _, err := UnquoteString(els[0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = append(buf[:0], byte(Message))
		buf, _ = AppendEvent(buf, "/", "api.hello.greeting", -1, Args{First: benchData})
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendAck(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = append(buf[:0], byte(Message))
		buf, _ = AppendAck(buf, "/chat", 12, Args{First: benchData})
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendEventBinaryFirst(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = append(buf[:0], byte(Message))
		buf, _ = AppendEvent(buf, "/", "upload", 3, Args{First: benchData, FirstBinary: true})
	}
}

func BenchmarkValidJSON(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEventMain) - 3))
	for b.Loop() {
		if !validJSON(benchEventMain[3:]) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkValidJSONReference(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEventMain) - 3))
	for b.Loop() {
		if !json.Valid(benchEventMain[3:]) {
			b.Fatal("invalid")
		}
	}
}
