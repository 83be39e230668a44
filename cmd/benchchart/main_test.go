package main

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixture is benchmark output in the shape BenchmarkCall prints, with
// -count=3, -v noise and other benchmarks' lines.
const fixture = "testdata/bench.txt"

// TestRun renders the fixture to SVG and to PNG, and checks the table
// against testdata/bench.golden.md (go test -run TestRun -update rewrites it).
func TestRun(t *testing.T) {
	t.Parallel()
	for _, ext := range []string{".svg", ".png"} {
		t.Run(ext, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "call-cost"+ext)
			var stdout, stderr bytes.Buffer
			if err := run([]string{"-in", fixture, "-out", out}, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
			}
			checkGolden(t, "testdata/bench.golden.md", stdout.String())

			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) == 0 {
				t.Fatalf("%s is empty", out)
			}
			switch ext {
			case ".svg":
				svg := string(data)
				for _, want := range []string{"<svg", chartTitle, xLabel, yLabel, ">preload<", ">reeval<", ">freshvm<", ">" + goLabel + "<", ">lodash<"} {
					if !strings.Contains(svg, want) {
						t.Errorf("SVG has no %q", want)
					}
				}
			case ".png":
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("decode PNG: %v", err)
				}
				if b := img.Bounds(); b.Dx() != 945 || b.Dy() != 591 {
					t.Errorf("PNG is %v; want 945×591 (16×10 cm at %d dpi)", b.Size(), pngDPI)
				}
			}
		})
	}
}

// TestRunStdin reads the input from stdin, the way the docs pipe it in.
func TestRunStdin(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "chart.svg")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-out", out}, bytes.NewReader(in), &stdout, &stderr); err != nil {
		t.Fatalf("run: %v", err)
	}
	checkGolden(t, "testdata/bench.golden.md", stdout.String())
	if !strings.Contains(stderr.String(), "wrote "+out) {
		t.Errorf("stderr %q does not say where the chart went", stderr.String())
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		stdin    string
		want     error  // nil: any error
		contains string // text the error must hold
	}{
		{name: "unknown output format", args: []string{"-out", "chart.pdf"}, want: errOutputFormat},
		{name: "unknown flag", args: []string{"-colour"}, want: errUsage},
		{name: "positional argument", args: []string{"bench.txt"}, want: errUsage},
		{name: "missing input file", args: []string{"-in", "testdata/nope.txt"}, want: os.ErrNotExist},
		{
			name:     "missing module-bytes names the benchmark",
			stdin:    "BenchmarkCall/preload/tiny-2 1 2950 ns/op 67 module-bytes\nBenchmarkCall/reeval/medium-2 1 812345 ns/op\n",
			want:     errNoModuleBytes,
			contains: "read stdin: line 2: BenchmarkCall/reeval/medium-2: no module-bytes",
		},
		{name: "no results", stdin: "PASS\n", want: errNoResults},
		{name: "only the go baseline", stdin: "BenchmarkCall/go/tiny-2 1 1200 ns/op\n", want: errNothingToPlot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"-out", filepath.Join(dir, "chart.svg")}, tt.args...)
			var stdout, stderr bytes.Buffer
			err := run(args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if err == nil || !errors.Is(err, tt.want) {
				t.Fatalf("run = %v; want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not hold %q", err, tt.contains)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q; want nothing after an error", stdout.String())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("%d files written after an error", len(entries))
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-h"}, strings.NewReader(""), &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v; want flag.ErrHelp", err)
	}
	for _, want := range []string{"usage:", "-in FILE", "-out FILE", DefaultOut} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("usage %q has no %q", stderr.String(), want)
		}
	}
}

// checkGolden compares got with the file at path, or rewrites the file
// with -update.
func checkGolden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run TestRun -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("table differs from %s:\n%s\nwant:\n%s", path, got, want)
	}
}
