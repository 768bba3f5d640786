//go:build linux

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Config is what `ipcx bench` asks for.
type Config struct {
	Mechanisms []string      // names from Mechanisms(); empty: all
	Sizes      []int         // message sizes in bytes
	Count      int           // round trips per latency run, messages per throughput run
	Duration   time.Duration // instead of Count: how long each timed run lasts
	Warmup     int           // round trips (and streamed messages) before each timed run
	CPUs       []int         // --cpus: [both] or [measuring end, echoing end]; empty: not pinned
	Throughput bool          // make the throughput runs
	Version    string
	// Progress, when set, is told what runs now: "pipe 64 B latency (1/30)".
	Progress func(string)
}

const (
	// DefaultCount is the round trips (and streamed messages) of a run without --count.
	DefaultCount = 10000
	// DefaultWarmup is the round trips before each timed run.
	DefaultWarmup = 1000
	// maxSamples bounds a --duration latency run (8 bytes a round trip).
	maxSamples = 20_000_000
	// maxStream bounds a --duration throughput run.
	maxStream = 1 << 40
)

// envChild carries the echoing end's spec: its presence makes `ipcx bench --child` that end.
const envChild = "IPCX_BENCH_CHILD"

// UnknownMechanismError names a mechanism ipcx bench does not have.
type UnknownMechanismError struct{ Name string }

func (e *UnknownMechanismError) Error() string {
	return fmt.Sprintf("unknown mechanism %q (mechanisms: %s)", e.Name, strings.Join(Mechanisms(), ", "))
}

// CPUError is a --cpus CPU this process may not run on.
type CPUError struct {
	CPU     int
	Allowed string
}

func (e *CPUError) Error() string {
	return fmt.Sprintf("CPU %d is not one this process may run on (allowed: %s)", e.CPU, e.Allowed)
}

// Check validates what Run would refuse: unknown mechanisms, CPUs not allowed.
func (c *Config) Check() error {
	for _, n := range c.Mechanisms {
		if mechanismByName(n) == nil {
			return &UnknownMechanismError{Name: n}
		}
	}
	set, err := allowedCPUs()
	if err != nil {
		return err
	}
	for _, cpu := range c.CPUs {
		if !set.IsSet(cpu) {
			var allowed []string
			for i := 0; i < cpuSetBits; i++ {
				if set.IsSet(i) {
					allowed = append(allowed, fmt.Sprint(i))
				}
			}
			return &CPUError{CPU: cpu, Allowed: strings.Join(allowed, ",")}
		}
	}
	return nil
}

// PeerError is the echoing process ending before its run did.
type PeerError struct {
	Mechanism string
	Pid       int
	Status    string // "exit status 1", "signal: killed"
	Stderr    string // what it said
}

func (e *PeerError) Error() string {
	s := fmt.Sprintf("the echoing process (pid %d) ended: %s", e.Pid, e.Status)
	if e.Stderr != "" {
		s += ": " + e.Stderr
	}
	return s
}

// RunError is a failed run of one mechanism.
type RunError struct {
	Mechanism string
	Size      int
	Err       error
}

func (e *RunError) Error() string { return fmt.Sprintf("%s, %d bytes: %v", e.Mechanism, e.Size, e.Err) }
func (e *RunError) Unwrap() error { return e.Err }

type runner struct {
	c     Config
	cpu   int // the measuring end's CPU (c.CPUs[0]), -1 when not pinned
	ctx   context.Context
	exe   string
	mu    sync.Mutex
	child *exec.Cmd // the echoing process now running
	step  int
	steps int
	// lastCPU is the CPU the echoing process reported at the end of its last run.
	lastCPU int
	// ownCPU is the CPU the measuring loop's thread ran on at the end of its last run.
	ownCPU int
}

// Run measures every mechanism at every size and returns the report. Ctrl-C (ctx cancelled)
// stops it: the echoing process is killed, every object removed, and ctx.Err() returned. The
// measuring goroutine is locked to its thread (pinned when c.CPUs says) for the whole run, and
// the garbage collector is off.
func Run(ctx context.Context, c Config) (*Report, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	if len(c.Mechanisms) == 0 {
		c.Mechanisms = Mechanisms()
	}
	if c.Count == 0 && c.Duration == 0 {
		c.Count = DefaultCount
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the ipcx binary to start the echoing process: %w", err)
	}
	r := &runner{c: c, ctx: ctx, exe: exe, cpu: -1}
	if len(c.CPUs) > 0 {
		r.cpu = c.CPUs[0]
	}
	rep := &Report{Tool: "ipcx bench", Version: c.Version, Started: time.Now().UTC(), Machine: machine(), Options: Options{
		Mechanisms: c.Mechanisms, Sizes: c.Sizes, Count: c.Count, Duration: c.Duration.Seconds(),
		Warmup: c.Warmup, CPUs: c.CPUs, Throughput: c.Throughput,
	}}
	if rep.Options.CPUs == nil {
		rep.Options.CPUs = []int{}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if len(c.CPUs) > 0 {
		old, err := allowedCPUs()
		if err != nil {
			return nil, err
		}
		if err := pin(c.CPUs[0]); err != nil {
			return nil, fmt.Errorf("pin to CPU %d: %w", c.CPUs[0], err)
		}
		defer unix.SchedSetaffinity(0, &old)
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1))

	// Ctrl-C: kill the echoing process; its end going away wakes the measuring loop.
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			r.mu.Lock()
			if r.child != nil && r.child.Process != nil {
				r.child.Process.Kill()
			}
			r.mu.Unlock()
		case <-stopped:
		}
	}()

	type job struct {
		m    *mechanism
		size int
	}
	var jobs []job
	for _, n := range c.Mechanisms {
		m := mechanismByName(n)
		for i, s := range c.Sizes {
			if m.kind != carriesData && i > 0 {
				break // one run: the size does not apply
			}
			jobs = append(jobs, job{m, s})
		}
	}
	r.steps = len(jobs)
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.step++
		res, err := r.one(j.m, j.size)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &RunError{Mechanism: j.m.name, Size: j.size, Err: err}
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

func (r *runner) progress(m *mechanism, size int, what string) {
	if r.c.Progress == nil {
		return
	}
	s := m.name
	if m.kind == carriesData {
		s += " " + SizeString(size)
	}
	r.c.Progress(fmt.Sprintf("%s %s (%d/%d)", s, what, r.step, r.steps))
}

// SizeString writes a size as --size takes it: 64 B, 4K, 1M.
func SizeString(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// sizeFor is the size a mechanism measures for --size and the note that says why it differs.
func sizeFor(m *mechanism, size int) (int, string) {
	switch m.kind {
	case carriesNone:
		return 0, "a semaphore carries no data: --size does not apply (size 0)"
	case carriesValue:
		return 8, "carries one 8-byte value: --size does not apply (size 8)"
	}
	if m.limit != nil {
		if lim, why := m.limit(); lim > 0 && size > lim {
			return lim, fmt.Sprintf("%d bytes is more than %s allows: measured at %d bytes", size, why, lim)
		}
	}
	return size, ""
}

// one runs a mechanism at a size: the echoing process is started, then the latency runs (warm-up,
// timed) and the throughput runs (warm-up, timed), then the process is told to exit.
func (r *runner) one(m *mechanism, asked int) (res Result, err error) {
	size, note := sizeFor(m, asked)
	res = Result{Mechanism: m.name, Size: size, Note: note, Placement: Placement{Pinned: len(r.c.CPUs) > 0}}
	r.progress(m, size, "starting")
	sp := spec{Mech: m.name, Size: size, CPU: -1, ParentPid: os.Getpid(), ParentTid: unix.Gettid()}
	switch len(r.c.CPUs) {
	case 1:
		sp.CPU = r.c.CPUs[0]
	case 2:
		sp.CPU = r.c.CPUs[1]
	}
	g := new(gone)
	h, err := m.start(&sp, g)
	if err != nil {
		return res, err
	}
	defer h.cleanup()
	if n, ok := h.(interface{ note() string }); ok && n.note() != "" {
		if res.Note != "" {
			res.Note += "; "
		}
		res.Note += n.note()
	}

	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return res, fmt.Errorf("socketpair: %w", err)
	}
	c := &ctl{fd: pair[0]}
	defer unix.Close(pair[0])
	childCtl := os.NewFile(uintptr(pair[1]), "ctl")
	js, _ := json.Marshal(sp)
	cmd := exec.Command(r.exe, "bench", "--child")
	cmd.Args[0] = "ipcx"
	cmd.Env = append(os.Environ(), envChild+"="+string(js))
	cmd.ExtraFiles = append([]*os.File{childCtl}, h.files()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: unix.SIGKILL}
	r.mu.Lock()
	if err := r.ctx.Err(); err != nil {
		r.mu.Unlock()
		childCtl.Close()
		return res, err
	}
	err = cmd.Start()
	if err == nil {
		r.child = cmd
	}
	r.mu.Unlock()
	childCtl.Close()
	for _, f := range h.files() {
		f.Close()
	}
	if err != nil {
		return res, fmt.Errorf("start the echoing process: %w", err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() {
		waitErr = cmd.Wait()
		g.Store(true)
		h.abort()
		unix.Shutdown(pair[0], unix.SHUT_RDWR)
		close(exited)
	}()
	finished := false
	defer func() {
		if !finished {
			cmd.Process.Kill()
		}
		<-exited
		r.mu.Lock()
		r.child = nil
		r.mu.Unlock()
	}()
	// fail says why a run ended early: Ctrl-C, the echoing process's end, or err itself.
	fail := func(err error) error {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		if errors.Is(err, errPeerGone) || errors.Is(err, errCtlClosed) || g.Load() {
			select {
			case <-exited:
			case <-time.After(2 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
			if r.ctx.Err() != nil {
				return r.ctx.Err()
			}
			pe := &PeerError{Mechanism: m.name, Pid: cmd.Process.Pid, Status: "exit status 0", Stderr: strings.ReplaceAll(strings.TrimSpace(stderr.String()), "\n", "; ")}
			if waitErr != nil {
				pe.Status = waitErr.Error()
			}
			return pe
		}
		return err
	}

	ready, err := c.get()
	if err != nil {
		return res, fail(err)
	}
	e, err := h.connect(ready[1])
	if err != nil {
		return res, fail(err)
	}
	f := newFrame(size)
	data := m.kind == carriesData

	// Latency.
	r.progress(m, size, "latency")
	n := int64(r.c.Count)
	warm := int64(r.c.Warmup)
	if r.c.Duration > 0 {
		warm = max(warm, 100)
	}
	if warm > 0 {
		samples := make([]int64, warm)
		t0 := time.Now()
		if err := r.ping(m, c, e, f, data, samples); err != nil {
			return res, fail(err)
		}
		if r.c.Duration > 0 {
			per := max(time.Since(t0)/time.Duration(warm), 1)
			n = min(max(int64(r.c.Duration/per), 1), maxSamples)
		}
	}
	samples := make([]int64, n)
	for i := range samples {
		samples[i] = 1 // fault the pages in before the clock runs
	}
	runtime.GC()
	if err := r.ping(m, c, e, f, data, samples); err != nil {
		return res, fail(err)
	}
	res.Placement.CPUs = []int{r.ownCPU, r.lastCPU}
	res.Latency = Summarize(samples)

	// Throughput.
	if m.stream && r.c.Throughput {
		r.progress(m, size, "throughput")
		n := int64(r.c.Count)
		if warm >= 2 {
			got, d, err := r.stream(m, c, e, f, m.lossy, warm, 1)
			if err != nil {
				return res, fail(err)
			}
			if r.c.Duration > 0 && got >= 2 {
				per := max(d/time.Duration(got-1), 1)
				n = min(max(int64(r.c.Duration/per), 2), maxStream)
			}
		}
		n = max(n, 2)
		runtime.GC()
		got, d, err := r.stream(m, c, e, f, m.lossy, n, 2)
		if err != nil {
			return res, fail(err)
		}
		if got < 2 || d <= 0 {
			return res, fmt.Errorf("%d of %d messages arrived: too few to time", got, n)
		}
		secs := d.Seconds()
		rate := float64(got-1) / secs
		res.Throughput = &Throughput{Messages: got, Bytes: got * int64(size), Seconds: secs, MsgsPerSec: rate, BytesPerSec: rate * float64(size)}
		if m.lossy {
			if res.Note != "" {
				res.Note += "; "
			}
			res.Note += fmt.Sprintf("throughput: %d of %d datagrams arrived (%.2f%% lost); the rate counts those that arrived", got, n, 100*float64(n-got)/float64(n))
		}
	}
	if err := c.put(opQuit, 0, 0, 0); err != nil {
		return res, fail(err)
	}
	<-exited
	finished = true
	if waitErr != nil {
		return res, fail(errPeerGone)
	}
	return res, nil
}

// ping makes len(samples) round trips with the echoing process and records the CPU it ran on.
func (r *runner) ping(m *mechanism, c *ctl, e end, f []byte, data bool, samples []int64) error {
	if err := c.put(opEcho, int64(len(samples)), 0, 0); err != nil {
		return err
	}
	// The clock starts once the echoing end waits for the first message: before, the first round
	// trip also timed its garbage collection and its loop thread's start (0.4-0.9 ms: every run's
	// maximum).
	if w, err := c.get(); err != nil {
		return err
	} else if w[0] != opLooping {
		return fmt.Errorf("the echoing process answered %d to an echo request", w[0])
	}
	cpu, err := m.loop(r.cpu, func() error { return pingLoop(e, f, data, samples) })
	if err != nil {
		return err
	}
	r.ownCPU = cpu
	w, err := c.get()
	if err != nil {
		return err
	}
	r.lastCPU = int(w[2])
	return nil
}

// stream sends n messages (stream id) and returns how many arrived and the receiver's time from
// the first to the last.
func (r *runner) stream(m *mechanism, c *ctl, e end, f []byte, lossy bool, n, id int64) (int64, time.Duration, error) {
	if err := c.put(opSink, n, id, 0); err != nil {
		return 0, 0, err
	}
	if _, err := m.loop(r.cpu, func() error { return streamLoop(e, f, n) }); err != nil {
		return 0, 0, err
	}
	if lossy {
		d := e.(*fdDgram)
		marker := f[:cap(f)]
		for {
			stamp(marker[hdr:], uint64(id))
			if err := d.sendEnd(marker); err != nil && !errors.Is(err, unix.ENOBUFS) {
				return 0, 0, err
			}
			if c.readable(10) {
				break
			}
		}
	}
	w, err := c.get()
	if err != nil {
		return 0, 0, err
	}
	r.lastCPU = int(w[3])
	return w[1], time.Duration(w[2]), nil
}
