// Command benchchart turns the output of the engine's BenchmarkCall into a
// chart of per-call cost against module size, one line per eval mode, and
// prints the same numbers as a markdown table, for docs/benchmarks.md.
//
// Usage:
//
//	go test -run XXX -bench BenchmarkCall ./runtime/engine | go run ./cmd/benchchart [-in FILE] [-out FILE]
//
// It reads `go test -bench` output (from -in, or stdin) and charts the
// results named BenchmarkCall/<series>/<module>: each needs ns/op and a
// module-bytes metric (the module's bundled size); with -count=N the median
// of the N runs is used. Every other line is skipped. Series preload, reeval
// and freshvm are drawn as lines with points, any other series likewise,
// and series go (a Go handler, which needs no module-bytes) as a horizontal
// reference line labelled "Go handler", at the median over its modules if
// it ran several. Module sizes are shown in KB of 1024 bytes.
//
// The chart goes to -out (default docs/call-cost.svg; .svg or .png by
// extension). The table goes to stdout: one row per module, one column per
// series in µs per call, and the reeval/preload ratio.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DefaultOut is where the chart goes without -out: the file that
// docs/benchmarks.md shows.
const DefaultOut = "docs/call-cost.svg"

// errUsage marks a command-line error that the flag package has already
// reported, with the usage, on stderr.
var errUsage = errors.New("usage")

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "benchchart:", err)
		os.Exit(1)
	}
}

// run is the whole command: flags, input, chart, table. The chart is
// written before the table so that a failed chart leaves stdout empty.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchchart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "read benchmark output from `FILE` (default: stdin)")
	out := fs.String("out", DefaultOut, "write the chart to `FILE`, .svg or .png")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go test -run XXX -bench BenchmarkCall ./runtime/engine | benchchart [-in FILE] [-out FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%v: %s\n", errUnexpectedArgs, strings.Join(fs.Args(), " "))
		fs.Usage()
		return fmt.Errorf("%w: %v", errUsage, errUnexpectedArgs)
	}
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".svg", ".png":
	default:
		return fmt.Errorf("%w, not %q", errOutputFormat, *out)
	}

	src, name := stdin, "stdin"
	if *in != "" && *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		src, name = f, *in
	}
	results, err := parse(src)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	d := arrange(results)

	p, err := chart(d)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	data, err := render(p, *out)
	if err != nil {
		return fmt.Errorf("render %s: %w", *out, err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	if err := writeTable(stdout, d); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "benchchart: wrote %s: %d series, %d modules\n", *out, len(d.series), len(d.modules))
	return nil
}
