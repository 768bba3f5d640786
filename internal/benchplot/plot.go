package benchplot

import (
	"bytes"
	"fmt"
	"github.com/ipcx/ipcx/internal/bench"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plot draws r to the file path, an SVG or a PNG picture by path's extension: a row of latency
// distributions (one panel per message size: the CDF of the round trips of every mechanism, on a
// log time axis and a tail-stretched fraction axis, so that p99 and p99.9 are as readable as the
// median) above a row of throughput bars (one panel per size, bytes/s, log scale when the
// mechanisms are more than 10x apart, each bar labelled with its messages/s), under a title with
// the machine's facts and the placement of the two ends. The picture is drawn in memory first:
// a failure leaves path as it was.
func Plot(r *bench.Report, path string) error {
	if err := bench.CheckPlotPath(path); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WritePlot(&buf, r, strings.ToLower(filepath.Ext(path))[1:]); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// WritePlot writes Plot's picture of r to w in format "svg" or "png".
func WritePlot(w io.Writer, r *bench.Report, format string) error {
	f, err := newFigure(r)
	if err != nil {
		return err
	}
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case "svg":
		c = vgsvg.New(f.width, f.height)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.width, f.height), vgimg.UseDPI(pngDPI))}
	default:
		return &bench.PlotFormatError{Path: "." + format}
	}
	f.draw(draw.New(c))
	_, err = c.WriteTo(w)
	return err
}

// pngDPI makes a PNG sharp enough for a printed report (a 10-inch-wide figure is 1500 pixels).
const pngDPI = 150

// Layout, in points of the picture.
var (
	panelWidth    = vg.Points(300)
	latencyHeight = vg.Points(260)
	barHeight     = vg.Points(13) // one throughput bar and its gap
	barsMargin    = vg.Points(70) // a throughput panel's title and axis
	margin        = vg.Points(10)
	gapX          = vg.Points(14)
	gapY          = vg.Points(16)
)

var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// figure is a report laid out for drawing.
type figure struct {
	r          *bench.Report
	mechs      []string          // in the order they ran
	barMechs   []string          // those with a throughput figure
	label      map[string]string // a mechanism's name in the legend when not its own: "signal (8 B)"
	sizes      []int             // ascending
	latency    bool              // whether any result has a latency figure
	throughput bool              // whether any result has a throughput figure
	lat        map[key]*bench.Latency
	thr        map[key]*bench.Throughput
	legend     plot.Legend
	legendW    vg.Length
	titleLines []string
	titleH     vg.Length
	barsH      vg.Length
	width      vg.Length
	height     vg.Length
}

type key struct {
	mech string
	size int
}

func newFigure(r *bench.Report) (*figure, error) {
	f := &figure{r: r, lat: map[key]*bench.Latency{}, thr: map[key]*bench.Throughput{}, label: map[string]string{}}
	results := map[string][]bench.Result{}
	var order []string
	for _, res := range r.Results {
		if (res.Latency == nil || res.Latency.MaxNs <= 0) && (res.Throughput == nil || res.Throughput.BytesPerSec <= 0) {
			continue
		}
		if results[res.Mechanism] == nil {
			order = append(order, res.Mechanism)
		}
		results[res.Mechanism] = append(results[res.Mechanism], res)
	}
	if len(order) == 0 {
		return nil, bench.ErrNothingToPlot
	}
	// A panel per size asked: a mechanism's results are one per --size in order (measured at a
	// queue's limit when the size was more), or a single one when the size does not apply
	// (semaphores, signal, eventfd: drawn in every panel). Without the sizes asked, the sizes
	// measured.
	asked := r.Options.Sizes
	for _, m := range order {
		rs := results[m]
		for i, res := range rs {
			var panels []int
			switch {
			case len(asked) > 0 && len(rs) == len(asked):
				panels = []int{asked[i]}
			case len(asked) > 1 && len(rs) == 1:
				panels = asked
			default:
				panels = []int{res.Size}
			}
			if len(rs) == 1 && res.Size != panels[0] || len(panels) > 1 {
				f.label[m] = fmt.Sprintf("%s (%s)", m, sizeText(res.Size))
				if res.Size == 0 {
					f.label[m] = m + " (no data)"
				}
			}
			for _, size := range panels {
				k := key{m, size}
				if l := res.Latency; l != nil && l.MaxNs > 0 {
					f.lat[k], f.latency = l, true
				}
				if t := res.Throughput; t != nil && t.BytesPerSec > 0 {
					f.thr[k], f.throughput = t, true
					if !slices.Contains(f.barMechs, m) {
						f.barMechs = append(f.barMechs, m)
					}
				}
				if !slices.Contains(f.sizes, size) {
					f.sizes = append(f.sizes, size)
				}
			}
		}
	}
	f.mechs = order
	slices.Sort(f.sizes)

	f.legend = plot.NewLegend()
	f.legend.TextStyle.Font = font.From(sans, 10)
	f.legend.Top, f.legend.Left = true, true
	f.legend.ThumbnailWidth = vg.Points(28)
	f.legend.Padding = vg.Points(2)
	for _, m := range f.mechs {
		if !slices.ContainsFunc(f.sizes, func(size int) bool { return f.lat[key{m, size}] != nil }) {
			continue
		}
		name := m
		if l, ok := f.label[m]; ok {
			name = l
		}
		f.legend.Add(name, &plotter.Line{LineStyle: lineStyle(m)})
	}
	f.legendW = f.legend.Rectangle(draw.Canvas{}).Size().X + margin

	f.titleLines = f.title()
	f.titleH = vg.Points(18) + vg.Points(13)*vg.Length(len(f.titleLines)-1) + gapY/2
	f.barsH = barsMargin + barHeight*vg.Length(len(f.barMechs))

	cols := vg.Length(len(f.sizes))
	f.width = 2*margin + cols*panelWidth + (cols-1)*gapX
	if f.latency {
		f.width += gapX + f.legendW
	}
	for i, line := range f.titleLines {
		f.width = max(f.width, titleStyle(i).Width(line)+4*margin)
	}
	f.height = 2*margin + f.titleH
	if f.latency {
		f.height += latencyHeight
	}
	if f.throughput {
		f.height += f.barsH
	}
	if f.latency && f.throughput {
		f.height += gapY
	}
	return f, nil
}

// title is the figure's heading: what it shows, the machine, the placement and the run's length.
func (f *figure) title() []string {
	r := f.r
	what := "ipcx bench"
	switch {
	case f.latency && f.throughput:
		what += ": round-trip latency and one-way throughput of IPC mechanisms"
	case f.latency:
		what += ": round-trip latency of IPC mechanisms"
	default:
		what += ": one-way throughput of IPC mechanisms"
	}
	var machine []string
	if m := r.Machine.CPUModel; m != "" {
		machine = append(machine, m)
	}
	if r.Machine.CPUs > 0 {
		machine = append(machine, plural(r.Machine.CPUs, "CPU"))
	}
	if r.Machine.Kernel != "" {
		machine = append(machine, strings.TrimSpace("Linux "+r.Machine.Kernel+" "+r.Machine.Arch))
	}
	if r.Machine.GoVersion != "" {
		machine = append(machine, r.Machine.GoVersion)
	}
	if !r.Started.IsZero() {
		machine = append(machine, r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	}
	run := placementText(r)
	switch o := r.Options; {
	case o.Count > 0:
		run += fmt.Sprintf(" · %s after %d warm-up per run", plural(o.Count, "round trip"), o.Warmup)
	case o.Duration > 0:
		run += fmt.Sprintf(" · %g s per run after %d warm-up round trips", o.Duration, o.Warmup)
	}
	lines := []string{what}
	if len(machine) > 0 {
		lines = append(lines, strings.Join(machine, " · "))
	}
	return append(lines, run)
}

// placementText says where the two ends ran: where --cpus pinned them, or what the scheduler did.
func placementText(r *bench.Report) string {
	switch cpus := r.Options.CPUs; {
	case len(cpus) == 1 || len(cpus) == 2 && cpus[0] == cpus[1]:
		return fmt.Sprintf("placement: both ends pinned to CPU %d (one CPU, taking turns)", cpus[0])
	case len(cpus) >= 2:
		return fmt.Sprintf("placement: pinned, measuring end on CPU %d, echoing end on CPU %d", cpus[0], cpus[1])
	}
	same, apart := 0, 0
	for _, res := range r.Results {
		if c := res.Placement.CPUs; len(c) == 2 {
			if c[0] == c[1] {
				same++
			} else {
				apart++
			}
		}
	}
	s := "placement: not pinned (the scheduler's choice)"
	switch {
	case same+apart == 0:
	case apart == 0:
		s += ": both ends ended on one CPU in every run"
	case same == 0:
		s += ": the ends ended on two CPUs in every run"
	default:
		s += fmt.Sprintf(": the ends ended on one CPU in %d of %d runs, on two in %d", same, same+apart, apart)
	}
	return s
}

func (f *figure) draw(dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	inner := draw.Crop(dc, margin, -margin, margin, -margin)

	y := inner.Max.Y
	for i, line := range f.titleLines {
		dc.FillText(titleStyle(i), vg.Point{X: dc.Center().X, Y: y}, line)
		if i == 0 {
			y -= vg.Points(18)
		} else {
			y -= vg.Points(13)
		}
	}
	top := inner.Max.Y - f.titleH
	panelsRight := inner.Max.X
	if f.latency {
		panelsRight -= f.legendW + gapX
	}
	if f.latency {
		area := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: inner.Min.X, Y: top - latencyHeight},
			Max: vg.Point{X: panelsRight, Y: top},
		}}
		f.drawRow(area, f.latencyPlots())
		legend := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: panelsRight + gapX, Y: top - latencyHeight},
			Max: vg.Point{X: inner.Max.X, Y: top - vg.Points(24)},
		}}
		f.legend.Draw(legend)
		top -= latencyHeight + gapY
	}
	if f.throughput {
		// No legend here: the names are on the axis, and the bars take the whole width.
		area := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: inner.Min.X, Y: top - f.barsH},
			Max: vg.Point{X: inner.Max.X, Y: top},
		}}
		f.drawRow(area, f.throughputPlots())
	}
}

// titleStyle is the style of the title's line i: the first bold.
func titleStyle(i int) text.Style {
	sty := text.Style{Color: color.Black, Font: font.From(sans, 10), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	if i == 0 {
		sty.Font = font.From(sansBold, 13)
	}
	return sty
}

// drawRow draws one plot per size side by side, their axes aligned.
func (f *figure) drawRow(c draw.Canvas, plots []*plot.Plot) {
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: gapX}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, c)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
}

func newPanel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansBold, 11)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 9)
		a.Tick.Length = vg.Points(4)
	}
	return p
}

// latencyPlots are the CDF panels, one per size, sharing one time axis so that sizes compare.
func (f *figure) latencyPlots() []*plot.Plot {
	lo, hi := math.Inf(1), math.Inf(-1)
	most := 0
	for _, l := range f.lat {
		lo = math.Min(lo, firstNs(l))
		hi = math.Max(hi, l.MaxNs)
		most = max(most, l.Count, len(l.CDF))
	}
	lo, hi = decades(lo/1e3, hi/1e3)
	nines := ninesFor(most)
	var plots []*plot.Plot
	for _, size := range f.sizes {
		p := newPanel("round-trip latency, " + sizeText(size) + " messages")
		p.X.Label.Text = "round-trip time (log scale)"
		p.Y.Label.Text = "fraction of round trips ≤ time"
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, timeTicks{}
		p.X.Min, p.X.Max = lo, hi
		p.Y.Scale, p.Y.Tick.Marker = ninesScale{top: nines}, ninesTicks{top: nines}
		p.Y.Min, p.Y.Max = 0, ninesScale{top: nines}.max()
		p.Add(grid())
		for _, m := range f.mechs {
			l := f.lat[key{m, size}]
			if l == nil {
				continue
			}
			line := &plotter.Line{XYs: cdfPoints(l, p.Y.Max, lo, hi), LineStyle: lineStyle(m), StepStyle: plotter.PostStep}
			if len(l.CDF) == 0 {
				line.StepStyle = plotter.NoStep // a few percentiles: drawn as a line through them
			}
			p.Add(line)
		}
		p.X.Min, p.X.Max = lo, hi // Add widened them to the data; keep the decades
		p.Y.Min, p.Y.Max = 0, ninesScale{top: nines}.max()
		plots = append(plots, p)
	}
	return plots
}

// throughputPlots are the bar panels, one per size, a bar per mechanism in the order they ran.
func (f *figure) throughputPlots() []*plot.Plot {
	var plots []*plot.Plot
	names := make([]string, len(f.barMechs))
	for i, m := range f.barMechs {
		names[len(f.barMechs)-1-i] = m
	}
	for _, size := range f.sizes {
		if !slices.ContainsFunc(f.barMechs, func(m string) bool { return f.thr[key{m, size}] != nil }) {
			continue // the mechanisms at this size have no throughput run
		}
		p := newPanel("one-way throughput, " + sizeText(size) + " messages")
		b := &bars{}
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, m := range f.barMechs {
			t := f.thr[key{m, size}]
			if t == nil {
				continue
			}
			b.add(float64(len(f.barMechs)-1-i), t.BytesPerSec, fill(m), rateText(t.MsgsPerSec))
			lo, hi = math.Min(lo, t.BytesPerSec), math.Max(hi, t.BytesPerSec)
		}
		if len(b.vals) > 0 {
			// The bars' labels need room right of the longest bar: it ends at 70% of the axis.
			if hi/lo > 10 {
				p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, rateTicks{}
				p.X.Label.Text = "bytes/s (log scale); each bar labelled with its messages/s"
				lo, _ = decades(lo, hi)
				p.X.Min, p.X.Max = lo, math.Pow(10, math.Log10(lo)+(math.Log10(hi)-math.Log10(lo))/0.7)
			} else {
				for i := range b.vals {
					b.vals[i] /= 1e6
				}
				p.X.Label.Text = "MB/s; each bar labelled with its messages/s"
				p.X.Min, p.X.Max = 0, hi/1e6/0.7
				p.X.Tick.Marker = linearTicks{}
			}
			p.Add(xgrid(), b)
		}
		p.NominalY(names...)
		p.Y.Min, p.Y.Max = -0.6, float64(len(f.barMechs))-0.4
		p.Y.Tick.Label.Font = font.From(sans, 9)
		plots = append(plots, p)
	}
	return plots
}

// firstNs is the shortest round trip of l that the picture shows.
func firstNs(l *bench.Latency) float64 {
	if len(l.CDF) > 0 {
		return l.CDF[0].Ns
	}
	if l.MinNs > 0 {
		return l.MinNs
	}
	return l.P50Ns
}

// cdfPoints are l's distribution in µs, from fraction 0 at the shortest round trip, the fractions
// capped at top (the picture's top edge, where the longest round trip ends). Steps closer than
// resolution to the last one kept, on both axes, are left out (the picture cannot show them: a
// 100,000-step distribution made a 10 MB SVG); the last is always kept.
func cdfPoints(l *bench.Latency, top, lo, hi float64) plotter.XYs {
	var steps []bench.CDFStep
	if len(l.CDF) > 0 {
		steps = l.CDF
	} else {
		for _, s := range []bench.CDFStep{{Ns: l.MinNs, Fraction: 0}, {Ns: l.P50Ns, Fraction: 0.5}, {Ns: l.P90Ns, Fraction: 0.9}, {Ns: l.P99Ns, Fraction: 0.99}, {Ns: l.P999Ns, Fraction: 0.999}, {Ns: l.MaxNs, Fraction: 1}} {
			if s.Ns > 0 && (len(steps) == 0 || s.Ns >= steps[len(steps)-1].Ns) {
				steps = append(steps, s)
			}
		}
	}
	const resolution = 1.0 / 1000
	dx := (math.Log10(hi) - math.Log10(lo)) * resolution
	dy := nines(top) * resolution
	first := steps[0].Ns
	if l.MinNs > 0 && l.MinNs < first {
		first = l.MinNs
	}
	xys := plotter.XYs{{X: first / 1e3, Y: 0}}
	for i, s := range steps {
		if s.Ns <= 0 {
			continue
		}
		pt := plotter.XY{X: s.Ns / 1e3, Y: math.Min(s.Fraction, top)}
		last := xys[len(xys)-1]
		if i < len(steps)-1 && math.Abs(math.Log10(pt.X/last.X)) < dx && math.Abs(nines(pt.Y)-nines(last.Y)) < dy {
			continue
		}
		xys = append(xys, pt)
	}
	return xys
}

// decades widens [lo, hi] to whole powers of ten (for a log axis).
func decades(lo, hi float64) (float64, float64) {
	if !(lo > 0) {
		lo = hi / 10
	}
	l, h := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if h <= l {
		h = l + 1
	}
	return math.Pow(10, l), math.Pow(10, h)
}

// ninesFor is how many nines of the distribution n round trips can show: 99% takes 100 of them,
// 99.9% a thousand (two to five).
func ninesFor(n int) int {
	k := int(math.Floor(math.Log10(float64(max(n, 1)))))
	return min(max(k, 2), 5)
}

// ninesScale is a fraction axis stretched towards 1, the way latency percentiles are drawn: equal
// steps for 0, 90%, 99%, 99.9%... (the distance is -log10(1-fraction)). Its top is half a step
// above top nines, where the fraction 1 (the longest round trip) is drawn.
type ninesScale struct{ top int }

func (s ninesScale) max() float64 { return 1 - math.Pow(10, -float64(s.top)-0.5) }

func nines(v float64) float64 { return -math.Log10(math.Max(1-v, 1e-12)) }

func (s ninesScale) Normalize(lo, hi, v float64) float64 {
	return (nines(v) - nines(lo)) / (nines(hi) - nines(lo))
}

// ninesTicks labels 0, 50%, 90%, 99%... and the top edge "max".
type ninesTicks struct{ top int }

func (t ninesTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0"}, {Value: 0.5, Label: "50%"}}
	for k := 1; k <= t.top; k++ {
		v := 1 - math.Pow(10, -float64(k))
		label := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.*f", k, 100*v), "0"), ".") + "%"
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return append(ticks, plot.Tick{Value: ninesScale(t).max(), Label: "max"})
}

// timeTicks marks a log axis of microseconds at every decade (100 ns, 1 µs, ... 1 s), with unlabelled
// ticks between.
type timeTicks struct{}

func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	return logTicks(lo, hi, func(v float64) string {
		switch {
		case v < 1:
			return fmt.Sprintf("%g ns", v*1e3)
		case v < 1e3:
			return fmt.Sprintf("%g µs", v)
		case v < 1e6:
			return fmt.Sprintf("%g ms", v/1e3)
		}
		return fmt.Sprintf("%g s", v/1e6)
	})
}

// rateTicks marks a log axis of bytes per second at every decade (1 kB/s ... 10 GB/s).
type rateTicks struct{}

func (rateTicks) Ticks(lo, hi float64) []plot.Tick {
	return logTicks(lo, hi, func(v float64) string { return siText(v, "B/s") })
}

// linearTicks marks a linear axis from 0 at a round step (1, 2 or 5 times a power of ten) that
// gives four to eight labels.
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: fmt.Sprintf("%g", lo)}}
	}
	raw := (hi - lo) / 7
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
		if half := v + step/2; half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}

// logTicks marks every decade from lo to hi, with unlabelled ticks between; past six decades only
// every other decade is labelled, so that the labels do not run into each other.
func logTicks(lo, hi float64, label func(float64) string) []plot.Tick {
	var ticks []plot.Tick
	first, last := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	for e := first; e <= last; e++ {
		d := math.Pow(10, e)
		t := plot.Tick{Value: d}
		if last-first <= 6 || int(e-first)%2 == 0 {
			t.Label = label(d)
		}
		ticks = append(ticks, t)
		for i := 2; i < 10; i++ {
			ticks = append(ticks, plot.Tick{Value: d * float64(i)})
		}
	}
	return ticks
}

// bars are horizontal bars from the axis' left edge (0, or the decade below the smallest on a log
// axis) to their values, each with its colour
// and a label right of its end.
type bars struct {
	pos, vals []float64
	colors    []color.Color
	labels    []string
}

func (b *bars) add(pos, val float64, c color.Color, label string) {
	b.pos, b.vals, b.colors, b.labels = append(b.pos, pos), append(b.vals, val), append(b.colors, c), append(b.labels, label)
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	half := barHeight * 0.36
	sty := text.Style{Color: color.Black, Font: font.From(sans, 8), XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: p.TextHandler}
	for i, v := range b.vals {
		x0, x1, y := c.Min.X, trX(v), trY(b.pos[i])
		pts := []vg.Point{{X: x0, Y: y - half}, {X: x1, Y: y - half}, {X: x1, Y: y + half}, {X: x0, Y: y + half}}
		c.FillPolygon(b.colors[i], c.ClipPolygonXY(pts))
		c.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(0.4)}, c.ClipLinesXY(append(pts, pts[0]))...)
		c.FillText(sty, vg.Point{X: x1 + vg.Points(3), Y: y}, b.labels[i])
	}
}

// grid is light grey lines at the major ticks of both axes.
func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 220}
	g.Horizontal.Color = color.Gray{Y: 220}
	return g
}

// xgrid is grid's vertical lines alone.
func xgrid() *plotter.Grid {
	g := grid()
	g.Horizontal.Color = nil
	return g
}

// The colours go by family (pipes, UNIX sockets, IP sockets, queues, semaphores, shared memory,
// signals, eventfd) and the dashes tell a family's members apart, so that a mechanism looks the
// same in every picture.
var families = []struct {
	color   color.Color
	members []string
}{
	{color.RGBA{31, 119, 180, 255}, []string{"pipe", "fifo"}},
	{color.RGBA{255, 127, 14, 255}, []string{"unix", "unix-dgram", "unix-seqpacket"}},
	{color.RGBA{44, 160, 44, 255}, []string{"tcp", "udp", "tcp6"}},
	{color.RGBA{214, 39, 40, 255}, []string{"sysv-mq", "posix-mq"}},
	{color.RGBA{148, 103, 189, 255}, []string{"sysv-sem", "posix-sem"}},
	{color.RGBA{140, 86, 75, 255}, []string{"shm"}},
	{color.RGBA{227, 119, 194, 255}, []string{"signal"}},
	{color.RGBA{23, 190, 207, 255}, []string{"eventfd"}},
}

var others = []color.Color{color.RGBA{127, 127, 127, 255}, color.RGBA{188, 189, 34, 255}, color.Black}

var dashes = [][]vg.Length{nil, {vg.Points(5), vg.Points(2.5)}, {vg.Points(1.5), vg.Points(1.5)}}

// style is the colour and dash pattern of a mechanism.
func style(mech string) (color.Color, []vg.Length) {
	for _, f := range families {
		if i := slices.Index(f.members, mech); i >= 0 {
			return f.color, dashes[i]
		}
	}
	h := 0
	for _, c := range mech {
		h = h*31 + int(c)
	}
	h &= math.MaxInt32
	return others[h%len(others)], dashes[(h/len(others))%len(dashes)]
}

func lineStyle(mech string) draw.LineStyle {
	c, d := style(mech)
	return draw.LineStyle{Color: c, Width: vg.Points(1.6), Dashes: d}
}

// fill is a mechanism's bar colour: its family's, lighter for the second and third members.
func fill(mech string) color.Color {
	c, d := style(mech)
	r, g, b, _ := c.RGBA()
	k := 0.0
	switch {
	case len(d) == 2 && d[0] > d[1]:
		k = 0.35
	case len(d) == 2:
		k = 0.6
	}
	mix := func(v uint32) uint8 { return uint8(float64(v>>8) + (255-float64(v>>8))*k) }
	return color.RGBA{mix(r), mix(g), mix(b), 255}
}

// sizeText is a message size as people write it: 64 B, 4 KiB, 1 MiB, 1000 B.
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// rateText is a message rate with an SI prefix: 812k msg/s.
func rateText(v float64) string {
	num, prefix := si(v)
	return num + prefix + " msg/s"
}

// siText is a value and its unit with an SI prefix: 1.2 GB/s.
func siText(v float64, unit string) string {
	num, prefix := si(v)
	return num + " " + prefix + unit
}

func si(v float64) (num, prefix string) {
	prefixes := []string{"", "k", "M", "G", "T"}
	i := 0
	for v >= 1000 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	num = fmt.Sprintf("%.3g", v)
	if v >= 100 {
		num = fmt.Sprintf("%.0f", v)
	}
	return num, prefixes[i]
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
