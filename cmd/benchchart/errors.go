package main

import (
	"errors"
	"fmt"
)

// Reasons a BenchmarkCall result line is rejected. They are wrapped in a
// *LineError that says where; branch on them with errors.Is.
var (
	errBadName        = errors.New("name is not BenchmarkCall/<series>/<module>")
	errOddMetrics     = errors.New("metrics are not <value> <unit> pairs")
	errBadValue       = errors.New("metric value is not a number")
	errNoNsPerOp      = errors.New("no ns/op metric")
	errNoModuleBytes  = errors.New(`no module-bytes metric (the benchmark must call b.ReportMetric(float64(size), "module-bytes"))`)
	errNotPositive    = errors.New("metric must be a positive number for a log-scale axis")
	errMixedProcs     = errors.New("the same benchmark ran with several GOMAXPROCS values (-cpu); run with one")
	errNoResults      = errors.New("no BenchmarkCall/<series>/<module> results in the input")
	errNothingToPlot  = errors.New("no series with module sizes to plot (only the go baseline)")
	errOutputFormat   = errors.New("-out must end in .svg or .png")
	errUnexpectedArgs = errors.New("unexpected arguments")
)

// A LineError is a BenchmarkCall result line that cannot be charted.
type LineError struct {
	Line  int    // 1-based line number in the input
	Bench string // the benchmark's full name as printed, e.g. BenchmarkCall/reeval/medium-2
	Err   error  // one of the err... sentinels above
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Bench, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }
