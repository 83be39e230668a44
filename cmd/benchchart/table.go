package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// knownSeries is the order of the series this command expects; any other
// series follows them in name order, and the go baseline comes last.
var knownSeries = []string{"preload", "reeval", "freshvm"}

// A dataset is the parsed results arranged for the table and the chart.
type dataset struct {
	series  []string        // column order: knownSeries present, others by name, go last
	modules []module        // row order: by size, modules without a size last
	cells   map[cell]Result // by series and module
}

type module struct {
	name  string
	bytes float64 // 0 if only the go series ran it
}

type cell struct{ series, module string }

// arrange orders results by series and by module size. A module's size is
// the median of the sizes its series report (they run the same bundle, so
// the sizes should agree).
func arrange(results []Result) dataset {
	d := dataset{cells: map[cell]Result{}}
	sizes := map[string][]float64{}
	var others []string
	hasGo := false
	seenSeries := map[string]bool{}
	var moduleNames []string
	for _, r := range results {
		d.cells[cell{r.Series, r.Module}] = r
		if _, ok := sizes[r.Module]; !ok {
			sizes[r.Module] = nil
			moduleNames = append(moduleNames, r.Module)
		}
		if r.ModuleBytes > 0 {
			sizes[r.Module] = append(sizes[r.Module], r.ModuleBytes)
		}
		if seenSeries[r.Series] {
			continue
		}
		seenSeries[r.Series] = true
		switch {
		case r.Series == goSeries:
			hasGo = true
		case !slices.Contains(knownSeries, r.Series):
			others = append(others, r.Series)
		}
	}
	for _, s := range knownSeries {
		if seenSeries[s] {
			d.series = append(d.series, s)
		}
	}
	slices.Sort(others)
	d.series = append(d.series, others...)
	if hasGo {
		d.series = append(d.series, goSeries)
	}

	for _, name := range moduleNames {
		d.modules = append(d.modules, module{name: name, bytes: median(sizes[name])})
	}
	slices.SortStableFunc(d.modules, func(a, b module) int {
		switch {
		case a.bytes == 0 && b.bytes == 0:
			return cmp.Compare(a.name, b.name)
		case a.bytes == 0:
			return 1
		case b.bytes == 0:
			return -1
		}
		return cmp.Or(cmp.Compare(a.bytes, b.bytes), cmp.Compare(a.name, b.name))
	})
	return d
}

// writeTable writes the dataset as a markdown table: one row per module,
// one column per series in µs per call, and the reeval/preload ratio.
func writeTable(w io.Writer, d dataset) error {
	var b strings.Builder
	b.WriteString("| module | size |")
	for _, s := range d.series {
		fmt.Fprintf(&b, " %s (µs/call) |", s)
	}
	b.WriteString(" reeval/preload |\n|---|---:|")
	for range d.series {
		b.WriteString("---:|")
	}
	b.WriteString("---:|\n")

	for _, m := range d.modules {
		fmt.Fprintf(&b, "| %s | %s |", m.name, formatBytes(m.bytes))
		for _, s := range d.series {
			r, ok := d.cells[cell{s, m.name}]
			if !ok {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %s |", formatMicros(r.NsPerOp/1e3))
		}
		pre, okPre := d.cells[cell{"preload", m.name}]
		re, okRe := d.cells[cell{"reeval", m.name}]
		if okPre && okRe {
			fmt.Fprintf(&b, " %s |\n", formatRatio(re.NsPerOp/pre.NsPerOp))
		} else {
			b.WriteString(" – |\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatBytes shows a size the way the docs do: 67 B, 2.5 KB, 100 KB, 1.2 MB
// (1 KB = 1024 bytes, as on the chart's axis).
func formatBytes(n float64) string {
	switch {
	case n <= 0:
		return "–"
	case n < 1024:
		return fmt.Sprintf("%.0f B", n)
	case n < 1024*1024:
		return trimZero(n/1024) + " KB"
	default:
		return trimZero(n/(1024*1024)) + " MB"
	}
}

// trimZero formats v with one decimal below 10 and none above.
func trimZero(v float64) string {
	if v < 9.95 {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	}
	return fmt.Sprintf("%.0f", v)
}

// formatMicros shows a time in µs with three significant figures, or
// whole µs from 1000 up.
func formatMicros(us float64) string {
	switch {
	case us < 10:
		return fmt.Sprintf("%.2f", us)
	case us < 100:
		return fmt.Sprintf("%.1f", us)
	default:
		return fmt.Sprintf("%.0f", us)
	}
}

// formatRatio shows a ratio with three significant figures below 100.
func formatRatio(r float64) string {
	switch {
	case r < 10:
		return fmt.Sprintf("%.2f×", r)
	case r < 100:
		return fmt.Sprintf("%.1f×", r)
	default:
		return fmt.Sprintf("%.0f×", r)
	}
}
