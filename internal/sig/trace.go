//go:build linux

package sig

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TraceEvent is one line of a trace instance's trace_pipe: a signal:signal_generate event (a signal
// was sent: Pid and Comm are the sender, Target* the receiver) or a signal:signal_deliver event
// (a signal reached its handler or default action: Pid and Comm are the receiver).
type TraceEvent struct {
	Event      string  // "generate" or "deliver"
	Time       float64 // seconds on CLOCK_MONOTONIC (the instance's trace clock); see WallTime
	CPU        int
	Pid        int    // the task that was running: the sender for generate, the receiver for deliver
	Comm       string // its command; "" when the trace and /proc no longer know it
	Signal     Signal
	Errno      int
	Code       int32
	TargetPid  int    // generate only
	SenderPid  int    // generate only: the sender's process (thread group) id; Pid when unknown
	SenderUid  int    // generate only: the sender's real uid, read from /proc as the event was read; -1 when the sender had gone
	TargetComm string // generate only
	Group      bool   // generate only: sent to the whole process, not one thread
	Result     int    // generate only: see ResultName
	Handler    uint64 // deliver only: sa_handler (0 default, 1 ignore)
	Flags      uint64 // deliver only: sa_flags
}

// Results of signal_generate (include/trace/events/signal.h).
const (
	TraceDelivered      = 0
	TraceIgnored        = 1
	TraceAlreadyPending = 2
	TraceOverflowFail   = 3
	TraceLoseInfo       = 4
)

// ResultName names a signal_generate result: queued (made pending on the target), ignored (the
// target ignores it: dropped), already-pending (a standard signal already pending: coalesced),
// overflow (no room to queue a real-time signal), lose-info (queued without its siginfo).
func ResultName(r int) string {
	switch r {
	case TraceDelivered:
		return "queued"
	case TraceIgnored:
		return "ignored"
	case TraceAlreadyPending:
		return "already-pending"
	case TraceOverflowFail:
		return "overflow"
	case TraceLoseInfo:
		return "lose-info"
	}
	return fmt.Sprintf("result(%d)", r)
}

// The patterns of a trace line and of its two events' fields, compiled on first use: a command
// that reads no trace does not pay for them (three regexps were most of the package's start-up).
var (
	traceLine = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s*(.*)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+\S+\s+([\d.]+):\s+(signal_generate|signal_deliver):\s+(.*)$`)
	})
	genFields = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^sig=(\d+) errno=(-?\d+) code=(-?\d+) comm=(.*) pid=(-?\d+) grp=(\d+) res=(\d+)$`)
	})
	delFields = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^sig=(\d+) errno=(-?\d+) code=(-?\d+) sa_handler=([0-9a-f]+) sa_flags=([0-9a-f]+)$`)
	})
)

// ErrNotTraceEvent is returned by ParseTraceLine for a line that is not a signal event.
var ErrNotTraceEvent = errors.New("not a signal trace event")

// ParseTraceLine parses a trace_pipe line of a signal_generate or signal_deliver event.
func ParseTraceLine(line string) (TraceEvent, error) {
	m := traceLine().FindStringSubmatch(line)
	if m == nil {
		return TraceEvent{}, fmt.Errorf("%w: %q", ErrNotTraceEvent, line)
	}
	var e TraceEvent
	e.Comm = strings.TrimSpace(m[1])
	e.Pid, _ = strconv.Atoi(m[2])
	e.CPU, _ = strconv.Atoi(m[3])
	e.Time, _ = strconv.ParseFloat(m[4], 64)
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m[5] == "signal_generate" {
		f := genFields().FindStringSubmatch(m[6])
		if f == nil {
			return TraceEvent{}, fmt.Errorf("%w: %q", ErrNotTraceEvent, line)
		}
		e.Event = "generate"
		e.Signal, e.Errno, e.Code = Signal(atoi(f[1])), atoi(f[2]), int32(atoi(f[3]))
		e.TargetComm, e.TargetPid = f[4], atoi(f[5])
		e.Group, e.Result = f[6] != "0", atoi(f[7])
	} else {
		f := delFields().FindStringSubmatch(m[6])
		if f == nil {
			return TraceEvent{}, fmt.Errorf("%w: %q", ErrNotTraceEvent, line)
		}
		e.Event = "deliver"
		e.Signal, e.Errno, e.Code = Signal(atoi(f[1])), atoi(f[2]), int32(atoi(f[3]))
		e.Handler, _ = strconv.ParseUint(f[4], 16, 64)
		e.Flags, _ = strconv.ParseUint(f[5], 16, 64)
	}
	return e, nil
}

// TraceOptions choose what a trace reports; zero fields match everything.
type TraceOptions struct {
	Target int // only signals sent to (and delivered in) this pid
	// Self says Target is the calling process: in a pid namespace other than the initial one,
	// where the trace's pids are not the process's own, its pid there is found first (a probe
	// signal to itself), and senders' pids are left unknown (SenderUid -1, Nested).
	Self    bool
	Sender  int  // only signals sent by this process, any of its threads (deliver events are then left out)
	Signals Set  // only these signals
	Deliver bool // also report signal_deliver events
}

// ErrNoTracefs is wrapped when tracefs is neither mounted nor mountable.
var ErrNoTracefs = errors.New("tracefs is not available")

// Trace is a private tracefs instance reporting signal events.
type Trace struct {
	root    string // the tracefs mount
	dir     string // instances/NAME
	mounted bool   // this Trace mounted root and unmounts it on Close
	pipe    *os.File
	r       *bufio.Reader
	sender  int
	nested  bool        // in a pid namespace other than the initial one: the trace's pids are not ours
	idle    atomic.Bool // Next waits for the kernel with nothing buffered
}

const tracingDir = "/sys/kernel/tracing"

// OpenTrace creates a private instance under instances/ of tracefs, enables the signal events with
// the kernel-side filters of opt, and opens its trace_pipe. The instance is named for the calling
// process (see instanceName); instances left by ipcx processes that were killed are removed first
// (RemoveStaleInstances). tracefs is mounted on /sys/kernel/tracing
// when no tracefs is found there or on /sys/kernel/debug/tracing. It needs root (CAP_SYS_ADMIN for
// the mount, write access to tracefs).
func OpenTrace(opt TraceOptions) (*Trace, error) {
	t := &Trace{}
	for _, dir := range []string{tracingDir, "/sys/kernel/debug/tracing"} {
		var st unix.Statfs_t
		if unix.Statfs(dir, &st) == nil && st.Type == unix.TRACEFS_MAGIC {
			t.root = dir
			break
		}
	}
	if t.root == "" {
		if err := unix.Mount("nodev", tracingDir, "tracefs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			return nil, fmt.Errorf("%w: mount tracefs on %s: %w", ErrNoTracefs, tracingDir, err)
		}
		t.root, t.mounted = tracingDir, true
	}
	// Instances left by killed ipcx processes first: nothing else would ever remove them.
	RemoveStaleInstances(t.root)
	self, start, err := selfIdent()
	if err != nil {
		t.unmount()
		return nil, fmt.Errorf("%w: %w", ErrNoTracefs, err)
	}
	for i := 0; ; i++ {
		t.dir = filepath.Join(t.root, "instances", instanceName(self, start, i))
		err := os.Mkdir(t.dir, 0o700)
		if err == nil {
			break
		}
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		t.unmount()
		return nil, fmt.Errorf("%w: %w", ErrNoTracefs, err)
	}
	if err := t.setup(opt); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

func (t *Trace) setup(opt TraceOptions) error {
	if opt.Self && !inInitPidNS() {
		pid, err := t.probePid()
		if err != nil {
			return err
		}
		opt.Target, t.nested = pid, true
	}
	var sigs []string
	for _, s := range opt.Signals.Signals() {
		sigs = append(sigs, fmt.Sprintf("sig == %d", s))
	}
	gen := []string{}
	del := []string{}
	if len(sigs) > 0 {
		gen = append(gen, "("+strings.Join(sigs, " || ")+")")
		del = append(del, "("+strings.Join(sigs, " || ")+")")
	}
	if opt.Target > 0 {
		gen = append(gen, fmt.Sprintf("pid == %d", opt.Target))
		del = append(del, fmt.Sprintf("common_pid == %d", opt.Target))
	}
	t.sender = opt.Sender // matched in Next: the event's pid is the sending thread
	// poll(2) on trace_pipe says readable as soon as one event is there (by default only once
	// the buffer is half full), which CaughtUp relies on. Missing before Linux 5.1: ignored.
	os.WriteFile(filepath.Join(t.dir, "buffer_percent"), []byte("0\n"), 0)
	// Event times on CLOCK_MONOTONIC, which WallTime can convert (the default clock is per CPU).
	if err := writeTrace(filepath.Join(t.dir, "trace_clock"), "mono"); err != nil {
		return err
	}
	events := map[string][]string{"signal_generate": gen}
	if opt.Deliver && opt.Sender <= 0 {
		events["signal_deliver"] = del
	}
	for ev, filter := range events {
		dir := filepath.Join(t.dir, "events", "signal", ev)
		if len(filter) > 0 {
			if err := writeTrace(filepath.Join(dir, "filter"), strings.Join(filter, " && ")); err != nil {
				return err
			}
		}
		if err := writeTrace(filepath.Join(dir, "enable"), "1"); err != nil {
			return err
		}
	}
	pipe, err := os.Open(filepath.Join(t.dir, "trace_pipe"))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoTracefs, err)
	}
	t.pipe, t.r = pipe, bufio.NewReader(pipe)
	return nil
}

// CaughtUp reports whether every event the kernel has recorded so far has been returned by Next:
// Next waits for more, and the instance's buffer is empty. A signal whose event has not been
// returned by then has none coming (its send happened before its delivery, and so did its event).
func (t *Trace) CaughtUp() bool {
	if !t.idle.Load() || t.pipe == nil {
		return false
	}
	readable, ok := pollIn(t.pipe)
	return ok && !readable && t.idle.Load()
}

// pollIn polls f once without waiting: whether it has something to read, and ok false when it
// could not be polled.
func pollIn(f *os.File) (readable, ok bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, false
	}
	rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			n, err := unix.Poll(fds, 0)
			if err == unix.EINTR {
				continue
			}
			ok = err == nil
			readable = ok && n > 0 && fds[0].Revents&unix.POLLIN != 0
			return
		}
	})
	return readable, ok
}

// Nested reports whether the trace runs in a pid namespace other than the initial one (see
// TraceOptions.Self): its events' pids are the initial namespace's.
func (t *Trace) Nested() bool { return t.nested }

// probePid returns the calling process's pid as the trace names it: the target pid of a
// signal_generate event of a SIGURG it sends itself with a unique si_errno (rt_sigqueueinfo(2);
// the Go runtime takes a URG for a preemption request and ignores it otherwise).
func (t *Trace) probePid() (int, error) {
	gen := filepath.Join(t.dir, "events", "signal", "signal_generate")
	// A random si_errno: other processes in other pid namespaces may be probing at the same time.
	nonce := rand.Int32() | 1
	comm, _ := os.ReadFile("/proc/self/comm")
	if err := writeTrace(filepath.Join(gen, "filter"), fmt.Sprintf("sig == %d && errno == %d", unix.SIGURG, nonce)); err != nil {
		return 0, err
	}
	if err := writeTrace(filepath.Join(gen, "enable"), "1"); err != nil {
		return 0, err
	}
	defer writeTrace(filepath.Join(gen, "enable"), "0")
	fd, err := unix.Open(filepath.Join(t.dir, "trace_pipe"), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNoTracefs, err)
	}
	defer unix.Close(fd)
	info := unix.Siginfo{Signo: int32(unix.SIGURG), Errno: nonce, Code: SIQueue}
	if _, _, e := unix.Syscall(unix.SYS_RT_SIGQUEUEINFO, uintptr(os.Getpid()), uintptr(unix.SIGURG), uintptr(unsafe.Pointer(&info))); e != 0 {
		return 0, fmt.Errorf("rt_sigqueueinfo(self, URG): %w", e)
	}
	var text []byte
	buf := make([]byte, 4096)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		n, err := unix.Read(fd, buf)
		if n > 0 {
			text = append(text, buf[:n]...)
			for _, line := range strings.Split(string(text), "\n") {
				if e, err := ParseTraceLine(line); err == nil && e.Event == "generate" && e.Errno == int(nonce) &&
					e.TargetComm == strings.TrimSpace(string(comm)) {
					return e.TargetPid, nil
				}
			}
			continue
		}
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			return 0, fmt.Errorf("%w: read trace_pipe: %w", ErrNoTracefs, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, fmt.Errorf("%w: no trace event of a signal to itself: its pid in the trace is unknown", ErrNoTracefs)
}

func writeTrace(path, s string) error {
	if err := os.WriteFile(path, []byte(s+"\n"), 0); err != nil {
		return fmt.Errorf("%w: write %q to %s: %w", ErrNoTracefs, s, path, err)
	}
	return nil
}

// Dir returns the instance directory.
func (t *Trace) Dir() string { return t.dir }

// Next returns the next event, waiting for one. After Close it returns os.ErrClosed.
func (t *Trace) Next() (TraceEvent, error) {
	for {
		t.idle.Store(t.r.Buffered() == 0)
		line, err := t.r.ReadString('\n')
		t.idle.Store(false)
		if err != nil {
			return TraceEvent{}, err
		}
		e, err := ParseTraceLine(strings.TrimRight(line, "\n"))
		if err != nil {
			continue
		}
		if e.Comm == "<...>" && t.nested {
			e.Comm = "" // /proc here numbers processes otherwise than the trace does
		} else if e.Comm == "<...>" {
			// The trace names tasks from a cache that misses short-lived ones: ask /proc while
			// the task may still be there.
			e.Comm = ""
			if b, err := os.ReadFile("/proc/" + strconv.Itoa(e.Pid) + "/comm"); err == nil {
				e.Comm = strings.TrimSuffix(string(b), "\n")
			}
		}
		if e.Event == "generate" {
			// Now, while a short-lived sender (kill(1)) may still be there to ask.
			e.SenderPid, e.SenderUid = e.Pid, -1
			if t.nested {
				// /proc here numbers processes otherwise than the trace does.
			} else if tgid, uid, err := ProcessOf(e.Pid); err == nil {
				e.SenderPid, e.SenderUid = tgid, uid
			}
		}
		if t.sender > 0 && e.SenderPid != t.sender {
			continue
		}
		return e, nil
	}
}

// Close stops the trace and removes its instance (and the tracefs mount when OpenTrace made it).
// It makes a waiting Next return.
func (t *Trace) Close() error {
	if t.pipe != nil {
		t.pipe.Close()
	}
	err := unix.Rmdir(t.dir)
	if err != nil {
		err = fmt.Errorf("remove trace instance %s: %w", t.dir, err)
	}
	t.unmount()
	return err
}

func (t *Trace) unmount() {
	if t.mounted {
		// EBUSY when another user of tracefs came meanwhile: leave the mount to them.
		unix.Unmount(t.root, 0)
		t.mounted = false
	}
}

// WallTime converts e.Time to the wall clock.
func (e TraceEvent) WallTime() time.Time {
	var ts unix.Timespec
	now := time.Now()
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return now
	}
	mono := float64(ts.Sec) + float64(ts.Nsec)/1e9
	return now.Add(-time.Duration((mono - e.Time) * float64(time.Second)))
}

// Outcome says what became of a signal_generate event: the ResultName, except that a queued signal
// the target blocks at this moment (read from /proc/PID/status) is "blocked": it stays pending until
// the target unblocks it or reads it (sigwaitinfo, signalfd). Call it as soon as the event is read.
func Outcome(e TraceEvent) string {
	if e.Event != "generate" {
		return "delivered"
	}
	if e.Result == TraceDelivered {
		if st, err := ReadStatus(e.TargetPid); err == nil && st.Blocked.Has(e.Signal) {
			return "blocked"
		}
	}
	return ResultName(e.Result)
}
