package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// largeModule returns a deterministic module of about size bytes: many
// small functions and tables, and an exported get that returns version.
func largeModule(size, version int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "const VERSION = %d;\n", version)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "const table%d = [%d, %d, %d, %d, %d, %d, %d, %d];\n", i, i, i*3, i*7, i+11, i^5, i%13, i*i%97, i+1)
		fmt.Fprintf(&b, "function helper%d(x) { return table%d[x %% table%d.length] + %d; }\n", i, i, i, i)
	}
	b.WriteString("export function get() { return VERSION + helper0(1) - helper0(1); }\n")
	return b.String()
}

// BenchmarkReloadLatency measures, per iteration, the time from a file write
// to the first reply from the new code on an open connection: debounce,
// build, swap and the call itself. Run with -benchtime=Nx; it reports the
// median and p90 in ms.
func BenchmarkReloadLatency(b *testing.B) {
	sizes := []struct {
		name string
		make func(version int) string
	}{
		{"tiny", func(v int) string { return fmt.Sprintf("export function get() { return %d }\n", v) }},
		{"200KB", func(v int) string { return largeModule(200_000, v) }},
	}
	for _, size := range sizes {
		for _, mode := range modes {
			b.Run(size.name+"/"+mode, func(b *testing.B) {
				dir := writeScripts(b, map[string]string{"api/v.js": size.make(0)})
				srv := startServer(b, "-scripts", dir, "-mode", mode)
				c := dial(b, srv.url)
				c.ok("api.v.get", "", "0")
				file := filepath.Join(dir, "api/v.js")
				var took []time.Duration
				version := 0
				for b.Loop() {
					version++
					content := size.make(version)
					start := time.Now()
					write(b, file, content)
					c.until("api.v.get", "", returns(fmt.Sprint(version)))
					took = append(took, time.Since(start))
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-median")
				b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "ms-p90")
			})
		}
	}
}
