package main

import (
	"strings"
	"testing"
)

func TestWriteTable(t *testing.T) {
	t.Parallel()
	results := []Result{
		{Series: "go", Module: "tiny", NsPerOp: 1200},
		{Series: "reeval", Module: "lodash", NsPerOp: 9_812_000, ModuleBytes: 551_043},
		{Series: "preload", Module: "lodash", NsPerOp: 4230, ModuleBytes: 551_043},
		{Series: "wasm", Module: "tiny", NsPerOp: 15_500, ModuleBytes: 67},
		{Series: "preload", Module: "tiny", NsPerOp: 2950, ModuleBytes: 67},
		{Series: "reeval", Module: "tiny", NsPerOp: 6120, ModuleBytes: 67},
		{Series: "freshvm", Module: "huge", NsPerOp: 123_456_789, ModuleBytes: 3 << 20},
		{Series: "preload", Module: "medium", NsPerOp: 3610, ModuleBytes: 102_400},
		{Series: "reeval", Module: "medium", NsPerOp: 812_345, ModuleBytes: 102_400},
		{Series: "go", Module: "nomodule", NsPerOp: 900},
	}
	want := `| module | size | preload (µs/call) | reeval (µs/call) | freshvm (µs/call) | wasm (µs/call) | go (µs/call) | reeval/preload |
|---|---:|---:|---:|---:|---:|---:|---:|
| tiny | 67 B | 2.95 | 6.12 | – | 15.5 | 1.20 | 2.07× |
| medium | 100 KB | 3.61 | 812 | – | – | – | 225× |
| lodash | 538 KB | 4.23 | 9812 | – | – | – | 2320× |
| huge | 3 MB | – | – | 123457 | – | – | – |
| nomodule | – | – | – | – | – | 0.90 | – |
`
	var b strings.Builder
	if err := writeTable(&b, arrange(results)); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{
		{0, "–"},
		{67, "67 B"},
		{1023, "1023 B"},
		{1024, "1 KB"},
		{2150, "2.1 KB"},
		{10_188, "9.9 KB"},
		{10_189, "10 KB"},
		{102_400, "100 KB"},
		{1 << 20, "1 MB"},
		{1.5 * (1 << 20), "1.5 MB"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.in); got != tt.want {
			t.Errorf("formatBytes(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
