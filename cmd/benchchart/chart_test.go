package main

import (
	"slices"
	"testing"

	"gonum.org/v1/plot"
)

func TestDecadeBounds(t *testing.T) {
	t.Parallel()
	tests := []struct{ lo, hi, wantLo, wantHi float64 }{
		{0.0654, 538, 0.01, 1000},
		{2.95, 9812, 1, 10000},
		{10, 100, 10, 100},
		{10, 10, 10, 100},
		{3, 4, 1, 10},
	}
	for _, tt := range tests {
		lo, hi := decadeBounds(tt.lo, tt.hi)
		if !near(lo, tt.wantLo) || !near(hi, tt.wantHi) {
			t.Errorf("decadeBounds(%v, %v) = %v, %v; want %v, %v", tt.lo, tt.hi, lo, hi, tt.wantLo, tt.wantHi)
		}
	}
}

func TestDecadeTicks(t *testing.T) {
	t.Parallel()
	labels := func(ticks []plot.Tick) (ls []string) {
		for _, tk := range ticks {
			if !tk.IsMinor() {
				ls = append(ls, tk.Label)
			}
		}
		return ls
	}
	tests := []struct {
		name     string
		min, max float64
		want     []string
	}{
		{"five decades, powers of ten only", 0.01, 1000, []string{"0.01", "0.1", "1", "10", "100", "1000"}},
		{"two decades, 2 and 5 as well", 1, 100, []string{"1", "2", "5", "10", "20", "50", "100"}},
	}
	for _, tt := range tests {
		if got := labels(decadeTicks{}.Ticks(tt.min, tt.max)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: labels %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestStyleIndex(t *testing.T) {
	t.Parallel()
	series := []string{"reeval", "alpha", "beta", "go"} // no preload: reeval keeps its colour
	for s, want := range map[string]int{"preload": 0, "reeval": 1, "freshvm": 2, "alpha": 3, "beta": 4} {
		if got := styleIndex(s, series); got != want {
			t.Errorf("styleIndex(%q) = %d; want %d", s, got, want)
		}
	}
}

func near(a, b float64) bool { return a/b > 1-1e-12 && a/b < 1+1e-12 }
