package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  []Result
	}{
		{
			name:  "one line",
			input: "BenchmarkCall/preload/tiny-2   200000   2950 ns/op   67 module-bytes   1234 B/op   56 allocs/op\n",
			want:  []Result{{Series: "preload", Module: "tiny", NsPerOp: 2950, ModuleBytes: 67, Runs: 1}},
		},
		{
			name:  "metrics in any order, unknown metrics skipped",
			input: "BenchmarkCall/reeval/medium-2\t2000\t102400 module-bytes\t3.5 MB/s\t812345 ns/op\t7 widgets/op\n",
			want:  []Result{{Series: "reeval", Module: "medium", NsPerOp: 812345, ModuleBytes: 102400, Runs: 1}},
		},
		{
			name: "median of an odd count",
			input: "BenchmarkCall/preload/tiny-2 1 3100 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 2900 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 9000 ns/op 67 module-bytes\n",
			want: []Result{{Series: "preload", Module: "tiny", NsPerOp: 3100, ModuleBytes: 67, Runs: 3}},
		},
		{
			name: "median of an even count is the mean of the middle two",
			input: "BenchmarkCall/preload/tiny-2 1 3000 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 1000 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 2000 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 9000 ns/op 67 module-bytes\n",
			want: []Result{{Series: "preload", Module: "tiny", NsPerOp: 2500, ModuleBytes: 67, Runs: 4}},
		},
		{
			name: "other lines and other benchmarks skipped",
			input: "goos: linux\ngoarch: amd64\npkg: github.com/eventhost/eventhost/runtime/engine\ncpu: Xeon\n" +
				"BenchmarkReloadHeap-2   100   10234567 ns/op   1.79 heap-MiB-start\n" +
				"BenchmarkCallSetup-2   5000   240000 ns/op\n" +
				"BenchmarkCall\nBenchmarkCall/preload\nBenchmarkCall/preload/tiny\n" +
				"    engine_test.go:240: log output\n" +
				"BenchmarkCall/preload/tiny-2 logged this\n" +
				"BenchmarkCall/preload/tiny-2   200000   2950 ns/op   67 module-bytes\n" +
				"--- FAIL: BenchmarkCall/reeval/tiny-2\n" +
				"PASS\nok  \tgithub.com/eventhost/eventhost/runtime/engine\t48.2s\n",
			want: []Result{{Series: "preload", Module: "tiny", NsPerOp: 2950, ModuleBytes: 67, Runs: 1}},
		},
		{
			name: "the go baseline needs no module-bytes",
			input: "BenchmarkCall/go/tiny-2 1 1210 ns/op 312 B/op\n" +
				"BenchmarkCall/go/tiny-2 1 1190 ns/op 312 B/op\n",
			want: []Result{{Series: "go", Module: "tiny", NsPerOp: 1200, Runs: 2}},
		},
		{
			name:  "GOMAXPROCS=1 prints no suffix; a hyphen inside a name stays",
			input: "BenchmarkCall/preload/big-lib 1 5000 ns/op 9000 module-bytes\nBenchmarkCall/reeval/big-lib-8 1 9000 ns/op 9000 module-bytes\n",
			want: []Result{
				{Series: "preload", Module: "big-lib", NsPerOp: 5000, ModuleBytes: 9000, Runs: 1},
				{Series: "reeval", Module: "big-lib", NsPerOp: 9000, ModuleBytes: 9000, Runs: 1},
			},
		},
		{
			name: "unknown series kept, in order of first appearance",
			input: "BenchmarkCall/wasm/tiny-2 1 800 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 2950 ns/op 67 module-bytes\n" +
				"BenchmarkCall/wasm/tiny-2 1 900 ns/op 67 module-bytes\n",
			want: []Result{
				{Series: "wasm", Module: "tiny", NsPerOp: 850, ModuleBytes: 67, Runs: 2},
				{Series: "preload", Module: "tiny", NsPerOp: 2950, ModuleBytes: 67, Runs: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parse(strings.NewReader(tt.input))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		input    string
		want     error
		line     int    // 0: no *LineError expected
		bench    string // the benchmark the message must name
		contains string // more text the message must hold
	}{
		{
			name: "missing module-bytes",
			input: "goos: linux\n" +
				"BenchmarkCall/preload/medium-2 1 3500 ns/op 102400 module-bytes\n" +
				"BenchmarkCall/reeval/medium-2   2000   812345 ns/op   99999 B/op   2000 allocs/op\n",
			want:     errNoModuleBytes,
			line:     3,
			bench:    "BenchmarkCall/reeval/medium-2",
			contains: `b.ReportMetric(float64(size), "module-bytes")`,
		},
		{
			name:  "missing ns/op",
			input: "BenchmarkCall/preload/tiny-2 1 67 module-bytes\n",
			want:  errNoNsPerOp, line: 1, bench: "BenchmarkCall/preload/tiny-2",
		},
		{
			name:  "a value without a unit",
			input: "BenchmarkCall/preload/tiny-2 1 2950 ns/op 67\n",
			want:  errOddMetrics, line: 1, bench: "BenchmarkCall/preload/tiny-2",
		},
		{
			name:  "a value that is not a number",
			input: "BenchmarkCall/preload/tiny-2 1 fast ns/op 67 module-bytes\n",
			want:  errBadValue, line: 1, bench: "BenchmarkCall/preload/tiny-2", contains: `"fast"`,
		},
		{
			name:  "no module level",
			input: "BenchmarkCall/preload-2 1 2950 ns/op\n",
			want:  errBadName, line: 1, bench: "BenchmarkCall/preload-2",
		},
		{
			name:  "a level too many",
			input: "BenchmarkCall/preload/tiny/json-2 1 2950 ns/op 67 module-bytes\n",
			want:  errBadName, line: 1, bench: "BenchmarkCall/preload/tiny/json-2",
		},
		{
			name:  "zero time cannot go on a log axis",
			input: "BenchmarkCall/preload/tiny-2 1 0 ns/op 67 module-bytes\n",
			want:  errNotPositive, line: 1, bench: "BenchmarkCall/preload/tiny-2", contains: "ns/op is 0",
		},
		{
			name:  "zero size cannot go on a log axis",
			input: "BenchmarkCall/preload/empty-2 1 2000 ns/op 0 module-bytes\n",
			want:  errNotPositive, line: 1, bench: "BenchmarkCall/preload/empty-2", contains: "module-bytes is 0",
		},
		{
			name: "several -cpu values",
			input: "BenchmarkCall/preload/tiny 1 2950 ns/op 67 module-bytes\n" +
				"BenchmarkCall/preload/tiny-2 1 2950 ns/op 67 module-bytes\n",
			want: errMixedProcs, line: 2, bench: "BenchmarkCall/preload/tiny-2", contains: "also BenchmarkCall/preload/tiny)",
		},
		{
			name:  "no results",
			input: "goos: linux\nBenchmarkOther-2 1 5 ns/op\nPASS\n",
			want:  errNoResults,
		},
		{
			name:  "empty input",
			input: "",
			want:  errNoResults,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := parse(strings.NewReader(tt.input))
			if !errors.Is(err, tt.want) {
				t.Fatalf("parse = %+v, %v; want %v", res, err, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.bench) || !strings.Contains(msg, tt.contains) {
				t.Errorf("message %q does not name %q or hold %q", msg, tt.bench, tt.contains)
			}
			var le *LineError
			switch {
			case tt.line == 0 && errors.As(err, &le):
				t.Errorf("got a *LineError %v; want none", le)
			case tt.line != 0 && !errors.As(err, &le):
				t.Errorf("got %T; want a *LineError", err)
			case tt.line != 0 && (le.Line != tt.line || le.Bench != tt.bench):
				t.Errorf("LineError at line %d for %s; want line %d for %s", le.Line, le.Bench, tt.line, tt.bench)
			}
		})
	}
}

func TestSplitProcs(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, name, procs string }{
		{"BenchmarkCall/preload/tiny-2", "BenchmarkCall/preload/tiny", "2"},
		{"BenchmarkCall/preload/tiny-16", "BenchmarkCall/preload/tiny", "16"},
		{"BenchmarkCall/preload/tiny", "BenchmarkCall/preload/tiny", ""},
		{"BenchmarkCall/preload/big-lib", "BenchmarkCall/preload/big-lib", ""},
		{"BenchmarkCall/preload/tiny-", "BenchmarkCall/preload/tiny-", ""},
	}
	for _, tt := range tests {
		name, procs := splitProcs(tt.in)
		if name != tt.name || procs != tt.procs {
			t.Errorf("splitProcs(%q) = %q, %q; want %q, %q", tt.in, name, procs, tt.name, tt.procs)
		}
	}
}

// FuzzParse checks that parse never panics, that what it accepts is
// chartable, and that printing its results as benchmark lines and parsing
// them again gives the same results.
func FuzzParse(f *testing.F) {
	fixture, err := os.ReadFile("testdata/bench.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(fixture))
	f.Add("BenchmarkCall/preload/tiny-2 1 2950 ns/op 67 module-bytes\n")
	f.Add("BenchmarkCall/go/tiny 1 1e3 ns/op\nBenchmarkCall/x/y-3 5 NaN ns/op 1 module-bytes\n")
	f.Add("BenchmarkCall/a/b-1 1 +Inf ns/op 1 module-bytes\nBenchmarkCall//-2 1 1 ns/op\n")
	f.Fuzz(func(t *testing.T, input string) {
		results, err := parse(strings.NewReader(input))
		if err != nil {
			return
		}
		var again strings.Builder
		for _, r := range results {
			if r.Series == "" || r.Module == "" || strings.ContainsAny(r.Series+r.Module, "/ \t\n") {
				t.Fatalf("bad name in %+v", r)
			}
			if !positive(r.NsPerOp) || r.Runs < 1 || math.IsNaN(r.ModuleBytes) ||
				(r.Series != goSeries && !positive(r.ModuleBytes)) {
				t.Fatalf("unchartable %+v", r)
			}
			fmt.Fprintf(&again, "BenchmarkCall/%s/%s-2 1 %s ns/op", r.Series, r.Module, strconv.FormatFloat(r.NsPerOp, 'g', -1, 64))
			if r.ModuleBytes > 0 {
				fmt.Fprintf(&again, " %s module-bytes", strconv.FormatFloat(r.ModuleBytes, 'g', -1, 64))
			}
			again.WriteString("\n")
		}
		round, err := parse(strings.NewReader(again.String()))
		if err != nil {
			t.Fatalf("reparse %q: %v", again.String(), err)
		}
		for i := range results {
			results[i].Runs = 1
		}
		if !reflect.DeepEqual(round, results) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", round, results)
		}
	})
}
