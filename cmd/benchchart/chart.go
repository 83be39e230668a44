package main

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

const (
	chartTitle  = "Per-call cost against module size"
	xLabel      = "module size, bundled (KB)"
	yLabel      = "time per call (µs)"
	goLabel     = "Go handler"
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 10 * vg.Centimeter
	pngDPI      = 150 // 945×591 pixels: sharp on a docs page
)

// sans is the chart's typeface. The default, Liberation Serif, reads poorly
// at tick-label sizes.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// A figure is the plot with its axis labels and its legend, which it
// draws itself:
//
//   - The legend goes to the right of the plot, where it cannot cover a
//     point whatever the numbers (plot.Legend draws inside the data area).
//   - plot reserves room for an axis label around the arithmetic midpoint of
//     the axis range, which on a log axis is near its far end: a wide blank
//     margin at the right and at the top. So the axes have no label text and
//     the labels are drawn here, centred on the data area.
type figure struct {
	plot           *plot.Plot
	xLabel, yLabel text.Style
	legend         plot.Legend
}

const (
	// legendGap is the space left of the legend (where the x axis's last
	// tick label overhangs the data area) and twice it is the space right
	// of it: a viewer without Liberation Sans or a metric-compatible font
	// (Arial, Helvetica) sets the SVG's text wider.
	legendGap = 3 * vg.Millimeter
	// labelGap is the space between an axis label and the tick labels.
	labelGap = 1 * vg.Millimeter
)

// Draw draws the figure onto c.
func (f *figure) Draw(c draw.Canvas) {
	// plot fills only its own part; an SVG is otherwise transparent, and
	// black text on a dark page is unreadable.
	c.SetColor(f.plot.BackgroundColor)
	c.Fill(c.Rectangle.Path())

	w := f.legend.Rectangle(c).Size().X + 3*legendGap
	pc := draw.Crop(c, 0, -w, 0, 0)

	xh := f.xLabel.Height(xLabel) + labelGap
	yw := f.yLabel.Height(yLabel) + labelGap
	inner := draw.Crop(pc, yw, 0, xh, 0)
	f.plot.Draw(inner)
	da := f.plot.DataCanvas(inner)

	// As plot's own axes place them (axis.go, horizontalAxis.draw and
	// verticalAxis.draw), but centred on the data area.
	pc.FillText(f.xLabel, vg.Point{X: da.Center().X, Y: pc.Min.Y + f.xLabel.FontExtents().Descent}, xLabel)
	ys := f.yLabel
	ys.Rotation += math.Pi / 2
	pc.FillText(ys, vg.Point{X: pc.Min.X + f.yLabel.Height(yLabel) - f.yLabel.FontExtents().Descent, Y: da.Center().Y}, yLabel)

	// The legend's top level with the data area's.
	lc := c
	lc.Min.X = c.Max.X - w + legendGap
	lc.Max.X = c.Max.X - 2*legendGap
	lc.Max.Y = da.Max.Y
	f.legend.Draw(lc)
}

// chart draws one line with points per series against module size, both
// axes log scale, with the go series as a horizontal reference line.
func chart(d dataset) (*figure, error) {
	p := plot.New()
	p.Title.Text = chartTitle
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = vg.Points(6)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Scale = plot.LogScale{}
		ax.Tick.Marker = decadeTicks{}
		ax.Tick.Label.Font = font.From(sans, 9)
	}
	f := &figure{plot: p, xLabel: p.X.Label.TextStyle, yLabel: p.Y.Label.TextStyle}
	f.xLabel.Font = font.From(sans, 11)
	f.yLabel.Font = font.From(sans, 11)
	f.legend = plot.NewLegend()
	legend := &f.legend
	legend.TextStyle.Font = font.From(sans, 10)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(24)
	legend.Padding = vg.Points(4)

	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 225}
	grid.Horizontal.Color = color.Gray{Y: 225}
	p.Add(grid)

	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	top := map[string]float64{} // highest point drawn per module, for its label
	for _, s := range d.series {
		if s == goSeries {
			continue
		}
		var xys plotter.XYs
		for _, m := range d.modules {
			r, ok := d.cells[cell{s, m.name}]
			if !ok || m.bytes <= 0 {
				continue
			}
			x, y := m.bytes/1024, r.NsPerOp/1e3
			xys = append(xys, plotter.XY{X: x, Y: y})
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
			top[m.name] = math.Max(top[m.name], y)
		}
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("series %s: %w", s, err)
		}
		i := styleIndex(s, d.series)
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(3)
		p.Add(line, points)
		legend.Add(s, line, points)
	}
	if len(top) == 0 {
		return nil, errNothingToPlot
	}

	var goNs []float64
	for _, m := range d.modules {
		if r, ok := d.cells[cell{goSeries, m.name}]; ok {
			goNs = append(goNs, r.NsPerOp)
		}
	}
	goY := median(goNs) / 1e3
	if goY > 0 {
		ymin, ymax = math.Min(ymin, goY), math.Max(ymax, goY)
	}

	x0, x1 := decadeBounds(xmin, xmax)
	y0, y1 := decadeBounds(ymin, ymax)

	if goY > 0 {
		ref, err := plotter.NewLine(plotter.XYs{{X: x0, Y: goY}, {X: x1, Y: goY}})
		if err != nil {
			return nil, fmt.Errorf("go baseline: %w", err)
		}
		ref.Color = color.Gray{Y: 90}
		ref.Width = vg.Points(1.2)
		ref.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(ref)
		legend.Add(goLabel, ref)
	}

	// Name each module above its highest point, so a reader can tell
	// which x is which bundle.
	var names plotter.XYLabels
	for _, m := range d.modules {
		if y, ok := top[m.name]; ok {
			names.XYs = append(names.XYs, plotter.XY{X: m.bytes / 1024, Y: y})
			names.Labels = append(names.Labels, m.name)
		}
	}
	labels, err := plotter.NewLabels(names)
	if err != nil {
		return nil, fmt.Errorf("module labels: %w", err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font = font.From(sans, 8)
		labels.TextStyle[i].Color = color.Gray{Y: 70}
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YBottom
	}
	labels.Offset = vg.Point{Y: vg.Points(5)}
	p.Add(labels)
	// Add fitted the axes to the data; widen them to whole decades.
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = y0, y1
	return f, nil
}

// styleIndex gives each known series the same colour and marker on every
// chart, whichever others are present; other series take the next ones.
func styleIndex(s string, series []string) int {
	if i := slices.Index(knownSeries, s); i >= 0 {
		return i
	}
	i := len(knownSeries)
	for _, o := range series {
		if o == s {
			break
		}
		if !slices.Contains(knownSeries, o) {
			i++
		}
	}
	return i
}

// decadeBounds widens [lo, hi] to whole powers of ten.
func decadeBounds(lo, hi float64) (float64, float64) {
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))
	if hi <= lo {
		hi = lo * 10
	}
	return lo, hi
}

// decadeTicks is plot.LogTicks (a labelled tick at each power of ten, minor
// ticks between), which on an axis of two decades or fewer also labels the
// 2s and 5s: otherwise a chart of close numbers has two or three labels.
type decadeTicks struct{}

func (decadeTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	if max/min > 100*(1+1e-9) {
		return ticks
	}
	for i, t := range ticks {
		mantissa := t.Value / math.Pow(10, math.Floor(math.Log10(t.Value)))
		if t.IsMinor() && (math.Abs(mantissa-2) < 1e-9 || math.Abs(mantissa-5) < 1e-9) {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'g', -1, 64)
		}
	}
	return ticks
}

// render draws f in the format that path's extension names.
func render(f *figure, path string) ([]byte, error) {
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		c := vgsvg.New(chartWidth, chartHeight)
		f.Draw(draw.New(c))
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, err
		}
		// The SVG names the font without a fallback; Arial and Helvetica
		// have the same metrics, so text keeps its place without Liberation.
		return bytes.ReplaceAll(buf.Bytes(),
			[]byte("font-family:Liberation Sans;"),
			[]byte("font-family:Liberation Sans,Arial,Helvetica,sans-serif;")), nil
	case ".png":
		c := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(pngDPI))
		f.Draw(draw.New(c))
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, errOutputFormat
}
