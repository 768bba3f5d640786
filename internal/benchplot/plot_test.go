package benchplot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"github.com/ipcx/ipcx/internal/bench"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleReport is a report built by hand the way `ipcx bench` fills one: every mechanism at every
// size, a latency distribution drawn from a log-normal around base (growing with size) and a
// throughput that falls with latency.
func sampleReport(mechs []string, sizes []int, cpus []int) *bench.Report {
	rng := rand.New(rand.NewPCG(15, 15))
	r := &bench.Report{
		Tool: "ipcx bench", Version: "test",
		Started: time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC),
		Machine: bench.Machine{Kernel: "6.12.0-test", Arch: "x86_64", CPUModel: "Test CPU @ 3.0GHz", CPUs: 2, GoVersion: "go1.26"},
		Options: bench.Options{Mechanisms: mechs, Sizes: sizes, Count: 2000, Warmup: 100, CPUs: cpus, Throughput: true},
	}
	for mi, m := range mechs {
		for si, size := range sizes {
			// As Run makes them: the semaphores carry nothing, signal and eventfd one 8-byte
			// value: one latency run each, whatever the sizes, and no throughput run.
			fixed := -1
			switch m {
			case "sysv-sem", "posix-sem":
				fixed = 0
			case "signal", "eventfd":
				fixed = 8
			}
			if fixed >= 0 {
				if si > 0 {
					break
				}
				size = fixed
			}
			base := 1500.0 * (1 + float64(mi)/2) * (1 + float64(size)/16384)
			ns := make([]float64, 2000)
			for i := range ns {
				ns[i] = base * math.Exp(0.25*rng.NormFloat64())
				if rng.IntN(500) == 0 {
					ns[i] *= 20 // a preemption now and then
				}
			}
			slices.Sort(ns)
			q := func(p float64) float64 { return ns[int(math.Ceil(p*float64(len(ns))))-1] }
			l := &bench.Latency{Count: len(ns), MinNs: ns[0], P50Ns: q(0.5), P90Ns: q(0.9), P99Ns: q(0.99), P999Ns: q(0.999), MaxNs: ns[len(ns)-1]}
			for i, v := range ns {
				l.MeanNs += v / float64(len(ns))
				if i+1 == len(ns) || ns[i+1] != v {
					l.CDF = append(l.CDF, bench.CDFStep{Ns: v, Fraction: float64(i+1) / float64(len(ns))})
				}
			}
			msgs := 2e9 / base
			res := bench.Result{
				Mechanism: m, Size: size, Latency: l,
				Placement:  bench.Placement{Pinned: cpus != nil, CPUs: []int{0, 1}},
				Throughput: &bench.Throughput{Messages: int64(msgs), Bytes: int64(msgs) * int64(size), Seconds: 1, MsgsPerSec: msgs, BytesPerSec: msgs * float64(size)},
			}
			if fixed >= 0 {
				res.Throughput = nil
			}
			r.Results = append(r.Results, res)
		}
	}
	return r
}

var allMechs = []string{"pipe", "fifo", "unix", "unix-dgram", "unix-seqpacket", "tcp", "udp", "tcp6",
	"sysv-mq", "posix-mq", "sysv-sem", "posix-sem", "shm", "signal", "eventfd"}

func TestPlotPNG(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mechs []string
		sizes []int
	}{
		{"all-one-size", allMechs, []int{64}},
		{"three-sizes", []string{"pipe", "unix", "shm", "tcp"}, []int{64, 4096, 65536}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bench.png")
			if err := Plot(sampleReport(tc.mechs, tc.sizes, []int{0, 1}), path); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("%s is no PNG: %v", path, err)
			}
			b := img.Bounds()
			if b.Dx() < 600 || b.Dy() < 400 {
				t.Errorf("picture of %dx%d pixels: too small for a report", b.Dx(), b.Dy())
			}
			colours := map[uint32]int{}
			for y := b.Min.Y; y < b.Max.Y; y += 2 {
				for x := b.Min.X; x < b.Max.X; x += 2 {
					r, g, bl, _ := img.At(x, y).RGBA()
					colours[r>>8<<16|g>>8<<8|bl>>8]++
				}
			}
			if len(colours) < 10 {
				t.Errorf("picture has %d colours: blank", len(colours))
			}
			// Every family's colour is drawn (a curve and a bar each).
			for _, fam := range families {
				if !slices.ContainsFunc(tc.mechs, func(m string) bool { return slices.Contains(fam.members, m) }) {
					continue
				}
				r, g, bl, _ := fam.color.RGBA()
				if colours[r>>8<<16|g>>8<<8|bl>>8] == 0 {
					t.Errorf("no pixel of %v's colour", fam.members)
				}
			}
			if testing.Verbose() {
				data, _ := os.ReadFile(path)
				os.WriteFile(filepath.Join(os.TempDir(), "ipcx-plot-"+tc.name+".png"), data, 0o644)
			}
		})
	}
}

// svgText is every text of an SVG document, parsed with encoding/xml.
func svgText(t *testing.T, data []byte) (root string, texts []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	return root, texts
}

func TestPlotSVG(t *testing.T) {
	sizes := []int{64, 4096}
	path := filepath.Join(t.TempDir(), "bench.SVG")
	r := sampleReport(allMechs, sizes, []int{0, 1})
	for i := range r.Results {
		if r.Results[i].Mechanism == "shm" { // 100x the others: a log throughput axis
			r.Results[i].Throughput.BytesPerSec *= 100
		}
	}
	if err := Plot(r, path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, texts := svgText(t, data)
	if root != "svg" {
		t.Fatalf("root element <%s>, want <svg>", root)
	}
	all := strings.Join(texts, "\n")
	for _, m := range allMechs {
		// In the legend ("signal (8 B)") and on each throughput panel's axis.
		if !slices.ContainsFunc(texts, func(s string) bool { return s == m || strings.HasPrefix(s, m+" (") }) {
			t.Errorf("mechanism %s is not named in the picture", m)
		}
	}
	for _, unwanted := range []string{"0 B messages", "8 B messages"} {
		if strings.Contains(all, unwanted) {
			t.Errorf("a panel %q for the mechanisms whose size does not apply", unwanted)
		}
	}
	for _, want := range []string{
		"sysv-sem (no data)", "posix-sem (no data)", "signal (8 B)", "eventfd (8 B)",
		"Test CPU @ 3.0GHz", "2 CPUs", "Linux 6.12.0-test x86_64", "measuring end on CPU 0, echoing end on CPU 1",
		"64 B messages", "4 KiB messages", "99.9%", "max", "1 µs", "k msg/s", "bytes/s (log scale)", "100 MB/s", "1 GB/s",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the picture's texts lack %q:\n%s", want, all)
		}
	}
	if testing.Verbose() {
		os.WriteFile(filepath.Join(os.TempDir(), "ipcx-plot.svg"), data, 0o644)
	}
}

func TestPlotPlacement(t *testing.T) {
	r := sampleReport([]string{"pipe", "unix"}, []int{64}, nil)
	r.Results[0].Placement.CPUs = []int{1, 1}
	for _, tc := range []struct {
		cpus []int
		want string
	}{
		{[]int{0}, "both ends pinned to CPU 0"},
		{[]int{2, 3}, "measuring end on CPU 2, echoing end on CPU 3"},
		{nil, "not pinned (the scheduler's choice): the ends ended on one CPU in 1 of 2 runs, on two in 1"},
	} {
		r.Options.CPUs = tc.cpus
		if got := placementText(r); !strings.Contains(got, tc.want) {
			t.Errorf("cpus %v: %q, want %q in it", tc.cpus, got, tc.want)
		}
	}
}

func TestPlotErrors(t *testing.T) {
	dir := t.TempDir()
	r := sampleReport([]string{"pipe"}, []int{64}, nil)
	for _, name := range []string{"out.pdf", "out", "out.svg.txt"} {
		err := Plot(r, filepath.Join(dir, name))
		var fe *bench.PlotFormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), ".svg or .png") {
			t.Errorf("%s: %v, want a PlotFormatError naming .svg and .png", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s: the refused file exists (%v)", name, err)
		}
	}
	empty := &bench.Report{Results: []bench.Result{{Mechanism: "pipe", Size: 64}}}
	if err := Plot(empty, filepath.Join(dir, "empty.svg")); !errors.Is(err, bench.ErrNothingToPlot) {
		t.Errorf("a report without figures: %v, want ErrNothingToPlot", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "empty.svg")); !os.IsNotExist(err) {
		t.Errorf("a failed picture left a file (%v)", err)
	}
}

// TestPlotPartial draws reports missing parts: latency only, throughput only, percentiles without a
// CDF, a mechanism missing at one size, one CPU on the throughput axis (a linear one).
func TestPlotPartial(t *testing.T) {
	base := func() *bench.Report { return sampleReport([]string{"pipe", "shm", "tcp"}, []int{64, 4096}, []int{0}) }
	cases := map[string]func(r *bench.Report){
		"latency-only": func(r *bench.Report) {
			for i := range r.Results {
				r.Results[i].Throughput = nil
			}
		},
		"throughput-only": func(r *bench.Report) {
			for i := range r.Results {
				r.Results[i].Latency = nil
			}
		},
		"percentiles-only": func(r *bench.Report) {
			for i := range r.Results {
				r.Results[i].Latency.CDF = nil
			}
		},
		"missing-one": func(r *bench.Report) { r.Results = r.Results[1:] },
		"linear-throughput": func(r *bench.Report) {
			for i := range r.Results {
				r.Results[i].Throughput.BytesPerSec = 1e8 * float64(1+i%2)
			}
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			r := base()
			change(r)
			var buf bytes.Buffer
			if err := WritePlot(&buf, r, "png"); err != nil {
				t.Fatal(err)
			}
			img, _, err := image.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() < 300 {
				t.Errorf("%d pixels wide", img.Bounds().Dx())
			}
		})
	}
}

func TestLinearTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 3571, "0 1000 2000 3000"},
		{0, 121, "0 20 40 60 80 100 120"},
		{0, 0.9, "0 0.2 0.4 0.6 0.8"},
		{0, 50, "0 10 20 30 40 50"},
	} {
		var labels []string
		for _, tk := range (linearTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("ticks of %g..%g: %s, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}
