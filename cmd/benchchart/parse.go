package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// benchPrefix starts the name of every result this command charts.
const benchPrefix = "BenchmarkCall/"

// goSeries is the Go-handler baseline: drawn as a horizontal reference line,
// and the only series allowed to omit module-bytes (it runs no module).
const goSeries = "go"

// A Result is one benchmark, BenchmarkCall/<Series>/<Module>, with the
// median of its runs (one run per line; -count=N prints N lines).
type Result struct {
	Series      string  // eval mode: preload, reeval, freshvm, go, or any other name
	Module      string  // test module, e.g. tiny, medium, lodash
	NsPerOp     float64 // median ns/op
	ModuleBytes float64 // median module-bytes; 0 if not reported (only the go series may omit it)
	Runs        int     // lines the medians are taken over
}

// parse reads `go test -bench` output and returns one Result per
// BenchmarkCall/<series>/<module> benchmark, in order of first appearance.
//
// A result line is `Benchmark<name> <iterations> (<value> <unit>)...`, the
// format the testing package prints (and golang.org/x/perf/benchfmt reads).
// Every other line (goos:, pkg:, PASS, ok, log output, the bare names that
// -v prints) and the results of other benchmarks are skipped. A
// BenchmarkCall result line that cannot be charted is an error, a *LineError
// naming the line and the benchmark: silently dropping it would draw a
// chart with a hole in it.
//
// The -<procs> suffix (GOMAXPROCS, absent when it is 1) is removed from the
// name, so a module name must not itself end in -<digits>.
func parse(r io.Reader) ([]Result, error) {
	type runs struct {
		procs      string
		ns, bytes  []float64
		firstBench string
	}
	var order []string // series/module keys in order of first appearance
	byKey := map[string]*runs{}

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue // not a result line: a name followed by log output
		}
		bench := fields[0]
		if !strings.HasPrefix(bench, benchPrefix) {
			continue
		}
		lineErr := func(err error) error { return &LineError{Line: n, Bench: bench, Err: err} }

		name, procs := splitProcs(bench)
		series, module, ok := strings.Cut(strings.TrimPrefix(name, benchPrefix), "/")
		if !ok || series == "" || module == "" || strings.Contains(module, "/") {
			return nil, lineErr(errBadName)
		}

		metrics := fields[2:]
		if len(metrics)%2 != 0 {
			return nil, lineErr(errOddMetrics)
		}
		var ns, bytes float64
		var haveNs, haveBytes bool
		for i := 0; i < len(metrics); i += 2 {
			v, err := strconv.ParseFloat(metrics[i], 64)
			if err != nil {
				return nil, lineErr(fmt.Errorf("%w: %q", errBadValue, metrics[i]))
			}
			switch metrics[i+1] {
			case "ns/op":
				ns, haveNs = v, true
			case "module-bytes":
				bytes, haveBytes = v, true
			}
		}
		switch {
		case !haveNs:
			return nil, lineErr(errNoNsPerOp)
		case !positive(ns):
			return nil, lineErr(fmt.Errorf("%w: ns/op is %v", errNotPositive, ns))
		case !haveBytes && series != goSeries:
			return nil, lineErr(errNoModuleBytes)
		case haveBytes && !positive(bytes) && series != goSeries:
			return nil, lineErr(fmt.Errorf("%w: module-bytes is %v", errNotPositive, bytes))
		}

		key := series + "/" + module
		rs := byKey[key]
		if rs == nil {
			rs = &runs{procs: procs, firstBench: bench}
			byKey[key] = rs
			order = append(order, key)
		} else if rs.procs != procs {
			return nil, lineErr(fmt.Errorf("%w (also %s)", errMixedProcs, rs.firstBench))
		}
		rs.ns = append(rs.ns, ns)
		if haveBytes && positive(bytes) {
			rs.bytes = append(rs.bytes, bytes)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, errNoResults
	}

	results := make([]Result, 0, len(order))
	for _, key := range order {
		rs := byKey[key]
		series, module, _ := strings.Cut(key, "/")
		results = append(results, Result{
			Series:      series,
			Module:      module,
			NsPerOp:     median(rs.ns),
			ModuleBytes: median(rs.bytes),
			Runs:        len(rs.ns),
		})
	}
	return results, nil
}

// splitProcs splits the -<procs> suffix that the testing package appends
// to a benchmark's name when GOMAXPROCS is not 1.
func splitProcs(bench string) (name, procs string) {
	i := strings.LastIndexByte(bench, '-')
	if i < 0 || i == len(bench)-1 {
		return bench, ""
	}
	for _, c := range bench[i+1:] {
		if c < '0' || c > '9' {
			return bench, ""
		}
	}
	return bench[:i], bench[i+1:]
}

// median returns the median of vs, or 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return s[m-1] + (s[m]-s[m-1])/2 // not (a+b)/2, which overflows near MaxFloat64
}

func positive(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
