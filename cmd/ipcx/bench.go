package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/bench"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type benchOptions struct {
	io         *iostreams.IOStreams
	mechs      []string
	count      int
	duration   time.Duration
	size       string
	warmup     int
	cpus       string
	json       bool
	plot       string
	throughput bool
	progress   bool
	child      bool
	flagSet    func(string) bool
}

func newBenchCmd(io *iostreams.IOStreams, runF func(*benchOptions) error) *cobra.Command {
	opts := &benchOptions{io: io}
	c := &cobra.Command{
		Use:   "bench [MECHANISM...]",
		Short: "Measure the latency and throughput of every IPC mechanism on this machine",
		Long: `Measure IPC mechanisms between two processes: ipcx and a copy of itself it starts (as C's fork
would), each on a locked thread making raw system calls, with no allocation and no garbage
collection while the clock runs. With no MECHANISM, all of them, in this order:

` + bench.MechanismHelp() + `
Latency: after --warmup round trips, --count round trips of a --size message (there and back),
each timed; the table shows the median (p50), the 99th percentile and the maximum, --json adds
min, mean, p90, p99.9 and the whole distribution (CDF). Throughput: a one-way stream of --count
messages, each checked on arrival, timed by the receiver from the first arrival to the last
(messages/s and MB/s, 1 MB = 10^6 bytes). udp may drop datagrams: its stream counts what
arrived and says how many were lost. Semaphores carry no data (size 0) and signal and eventfd one
8-byte value, so --size does not apply to them and they have no throughput run; a size a queue
cannot carry (msgmax, msgsize_max) is measured at the limit, with a note.

--duration D makes each timed run last about D instead of --count (the warm-up sets the pace).
--cpus 0,1 pins the measuring end to CPU 0 and the echoing end to CPU 1; --cpus 0 puts both on
CPU 0; without it the scheduler decides, and the CPUS column says where each end was at the end
of its run. The header line names the placement, the kernel, the CPU model and the core count:
they decide the numbers.

On a terminal, stderr shows what runs now (mechanism, size, step of all); --progress prints the
same as one line a step wherever stderr goes.

Every object a run makes has a name unique to the run and is removed when the run ends, on
Ctrl-C (exit 130), on SIGTERM, and when the echoing process is killed (exit 1); the echoing
process dies with ipcx.

` + exitStatusHelp,
		Example: `  $ ipcx bench
  $ ipcx bench pipe unix tcp --size 64,4K,64K --cpus 0,1
  $ ipcx bench shm --duration 2s --json > shm.json
  $ ipcx bench --cpus 0 --plot ipc.svg`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.mechs = args
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if opts.child {
				if !bench.IsChild() {
					return failure.Usagef("bench: --child is ipcx bench's own (see: ipcx bench --help)")
				}
				return &failure.Silent{Code: bench.Child()}
			}
			if runF != nil {
				return runF(opts)
			}
			return benchRun(opts)
		},
	}
	c.Flags().IntVar(&opts.count, "count", bench.DefaultCount, "round trips per latency run and messages per throughput run")
	c.Flags().DurationVar(&opts.duration, "duration", 0, "make each timed run last about this long instead of --count")
	c.Flags().StringVar(&opts.size, "size", "64", "message sizes, comma-separated (64,4K,64K)")
	c.Flags().IntVar(&opts.warmup, "warmup", bench.DefaultWarmup, "round trips (and streamed messages) before each timed run")
	c.Flags().StringVar(&opts.cpus, "cpus", "", "pin the ends: CPU,CPU (measuring, echoing) or one CPU for both")
	c.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	c.Flags().StringVar(&opts.plot, "plot", "", "also draw the report into FILE.svg or FILE.png")
	c.Flags().BoolVar(&opts.throughput, "throughput", true, "make the throughput runs (--throughput=false: latency only)")
	c.Flags().BoolVar(&opts.progress, "progress", false, "print each step on stderr, one line each, also when stderr is not a terminal")
	c.Flags().BoolVar(&opts.child, "child", false, "")
	c.Flags().MarkHidden("child")
	return c
}

func benchConfig(opts *benchOptions) (bench.Config, error) {
	cfg := bench.Config{Mechanisms: opts.mechs, Count: opts.count, Warmup: opts.warmup, Throughput: opts.throughput, Version: versionWord()}
	if opts.flagSet("count") && opts.flagSet("duration") {
		return cfg, failure.Usagef("bench: --count and --duration exclude each other (see: ipcx bench --help)")
	}
	if opts.flagSet("duration") {
		if opts.duration <= 0 {
			return cfg, failure.Usagef("bench: --duration must be more than 0 (see: ipcx bench --help)")
		}
		cfg.Count, cfg.Duration = 0, opts.duration
	} else if opts.count < 2 {
		return cfg, failure.Usagef("bench: --count must be at least 2 (see: ipcx bench --help)")
	}
	if opts.warmup < 0 {
		return cfg, failure.Usagef("bench: --warmup must be 0 or more (see: ipcx bench --help)")
	}
	sizes, err := bench.ParseSizes(opts.size)
	if err != nil {
		return cfg, failure.Usagef("bench: --size %q: %v (see: ipcx bench --help)", opts.size, err)
	}
	cfg.Sizes = sizes
	if opts.cpus != "" {
		cpus, err := bench.ParseCPUs(opts.cpus)
		if err != nil {
			return cfg, failure.Usagef("bench: --cpus %q: %v (see: ipcx bench --help)", opts.cpus, err)
		}
		cfg.CPUs = cpus
	}
	if opts.plot != "" {
		if bench.CheckPlotPath(opts.plot) != nil {
			return cfg, failure.Usagef("bench: --plot %q: name a .svg or .png file (see: ipcx bench --help)", opts.plot)
		}
		if _, err := bench.FindPlotCommand(); err != nil { // before a run that would be drawn by nothing
			return cfg, failure.Newf(failure.Failure, "bench: --plot %s: %v", opts.plot, err)
		}
	}
	if err := cfg.Check(); err != nil {
		var ue *bench.UnknownMechanismError
		var ce *bench.CPUError
		if errors.As(err, &ue) || errors.As(err, &ce) {
			return cfg, failure.Usagef("bench: %v (see: ipcx bench --help)", err)
		}
		return cfg, failure.Newf(failure.Failure, "bench: %v", err)
	}
	return cfg, nil
}

func benchRun(opts *benchOptions) error {
	cfg, err := benchConfig(opts)
	if err != nil {
		return err
	}
	if f, ok := opts.io.ErrOut.(*os.File); ok && iostreams.IsTerminal(f) {
		cfg.Progress = func(s string) { fmt.Fprintf(opts.io.ErrOut, "\r\x1b[Kipcx bench: %s", s) }
		defer fmt.Fprint(opts.io.ErrOut, "\r\x1b[K")
	} else if opts.progress {
		cfg.Progress = func(s string) { fmt.Fprintf(opts.io.ErrOut, "ipcx bench: %s\n", s) }
	}
	ctx, stop := interruptContext(context.Background())
	defer stop()
	report, err := bench.Run(ctx, cfg)
	if err != nil {
		obj := failure.Object{Noun: "bench", What: "run"}
		var re *bench.RunError
		if errors.As(err, &re) {
			obj.Name = "bench " + re.Mechanism
			err = re.Err
		}
		return obj.Explain(err)
	}
	if opts.plot != "" {
		if err := bench.Plot(report, opts.plot); err != nil {
			return failure.Newf(failure.Failure, "bench: --plot %s: %v", opts.plot, err)
		}
	}
	if opts.json {
		return render.JSON(opts.io.Out, report)
	}
	fmt.Fprintln(opts.io.Out, benchHeader(report))
	if err := render.Table(opts.io.Out, opts.io.OutTTY, benchColumns, report.Results); err != nil {
		return err
	}
	for _, r := range report.Results {
		if r.Note != "" {
			fmt.Fprintf(opts.io.Out, "note: %s %s: %s\n", r.Mechanism, benchSize(r), r.Note)
		}
	}
	return nil
}

// benchHeader is the line above the table: placement, kernel, CPU model, core count.
func benchHeader(r *bench.Report) string {
	place := "not pinned (the scheduler's choice; CPUS says where each end ran)"
	switch len(r.Options.CPUs) {
	case 1:
		place = fmt.Sprintf("both ends pinned to CPU %d", r.Options.CPUs[0])
	case 2:
		place = fmt.Sprintf("pinned to CPUs %d (measuring) and %d (echoing)", r.Options.CPUs[0], r.Options.CPUs[1])
	}
	runs := fmt.Sprintf("%d round trips", r.Options.Count)
	if r.Options.Duration > 0 {
		runs = fmt.Sprintf("%gs runs", r.Options.Duration)
	}
	return fmt.Sprintf("%s; kernel %s %s; %s, %d CPUs; %s after %d warm-up", place, r.Machine.Kernel, r.Machine.Arch, r.Machine.CPUModel, r.Machine.CPUs, runs, r.Options.Warmup)
}

func benchSize(r bench.Result) string {
	if r.Size == 0 {
		return "0 B"
	}
	return bench.SizeString(r.Size)
}

// benchNs writes a time in ns as microseconds.
func benchNs(ns float64) string { return fmt.Sprintf("%.2fµs", ns/1000) }

var benchColumns = []render.Column[bench.Result]{
	{Header: "MECHANISM", Value: func(r bench.Result) string { return r.Mechanism }},
	{Header: "SIZE", Value: benchSize},
	{Header: "P50", Value: func(r bench.Result) string { return benchLat(r, func(l *bench.Latency) float64 { return l.P50Ns }) }},
	{Header: "P99", Value: func(r bench.Result) string { return benchLat(r, func(l *bench.Latency) float64 { return l.P99Ns }) }},
	{Header: "MAX", Value: func(r bench.Result) string { return benchLat(r, func(l *bench.Latency) float64 { return l.MaxNs }) }},
	{Header: "MSGS/S", Value: func(r bench.Result) string {
		if r.Throughput == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f", r.Throughput.MsgsPerSec)
	}},
	{Header: "MB/S", Value: func(r bench.Result) string {
		if r.Throughput == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f", r.Throughput.BytesPerSec/1e6)
	}},
	{Header: "CPUS", Value: func(r bench.Result) string {
		s := make([]string, len(r.Placement.CPUs))
		for i, c := range r.Placement.CPUs {
			s[i] = fmt.Sprint(c)
		}
		return strings.Join(s, ",")
	}},
}

func benchLat(r bench.Result, f func(*bench.Latency) float64) string {
	if r.Latency == nil {
		return "-"
	}
	return benchNs(f(r.Latency))
}
