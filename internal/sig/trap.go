package sig

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sender kinds of a Received signal.
const (
	SenderProcess = "process" // Pid and Uid are the sender's
	SenderKernel  = "kernel"  // raised by the kernel (a fault, a terminal, a timer, I/O)
	SenderUnknown = "unknown" // os/signal told the number only, and no trace event matched
)

// Received is one signal a Trap received.
type Received struct {
	Signal   Signal
	Code     int32  // si_code; see CodeName
	Sender   string // SenderProcess, SenderKernel or SenderUnknown
	Pid      int    // sender's pid (SenderProcess)
	Uid      int    // sender's real uid, -1 when unknown
	Comm     string // sender's command, when it came from a trace event
	Value    int32  // the sigqueue value (HasValue)
	HasValue bool   // Code is queue, timer or mesgq: Value is meaningful
	Via      string // "signalfd" (full siginfo) or "trace" (os/signal plus a signal_generate event)
	Why      string // why the sender is unknown
}

// CodeName names r.Code; see CodeName.
func (r Received) CodeName() string {
	if r.Sender == SenderUnknown {
		return "unknown"
	}
	return CodeName(r.Signal, r.Code)
}

// CannotTrapError reports a signal that cannot be trapped, and why.
type CannotTrapError struct {
	Signal Signal
	Reason string
}

func (e *CannotTrapError) Error() string {
	return fmt.Sprintf("cannot trap %v: %s", e.Signal, e.Reason)
}

// CheckTrappable refuses KILL and STOP (the kernel never lets them be caught), 32 and 33 (glibc's
// and the Go runtime's own) and RTMIN (34: it kills a Go program even when notified, golang/go#39343).
func CheckTrappable(s Signal) error {
	switch s {
	case 9, 19:
		return &CannotTrapError{s, "the kernel never lets it be caught, blocked or ignored"}
	case 32, 33:
		return &CannotTrapError{s, "glibc and the Go runtime use it for their threads"}
	case RTMIN:
		return &CannotTrapError{s, "it kills a Go program even when caught (golang/go#39343); use RTMIN+1 or above"}
	}
	if !s.Valid() {
		return &CannotTrapError{s, "not a signal"}
	}
	return nil
}

// ErrTimeout is returned by Trap.Next when its timeout passes.
var ErrTimeout = errors.New("timed out waiting for a signal")

// ErrTrapClosed is returned by Trap.Next once Close was called.
var ErrTrapClosed = errors.New("trap closed")

// Trap receives a set of signals. Blockable ones come from a signalfd with full siginfo (Prepare
// must have run); the others through os/signal, with the sender taken from a trace instance when
// OpenTrap could make one.
type Trap struct {
	sfd      *os.File
	notified Set
	ch       chan os.Signal
	trace    *Trace
	why      string // why senders of notified signals are unknown
	out      chan Received
	req      chan struct{} // Next asks readSignalfd for one more signal
	errc     chan error
	done     chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
}

// OpenTrap starts receiving set. Signals sent from the moment Prepare blocked them (or from the
// return of OpenTrap, for the ones os/signal handles) are kept until Next reads them.
func OpenTrap(set Set) (*Trap, error) {
	for _, s := range set.Signals() {
		if err := CheckTrappable(s); err != nil {
			return nil, err
		}
	}
	if set == 0 {
		return nil, errors.New("no signal to trap")
	}
	t := &Trap{out: make(chan Received, 64), req: make(chan struct{}, 1), errc: make(chan error, 2), done: make(chan struct{})}
	if b := Blockable(set); b != 0 {
		if !reexeced || reexecSet&b != b {
			return nil, fmt.Errorf("signals %v are not blocked: Prepare must run first", b)
		}
		ss := sigset(b)
		fd, err := unix.Signalfd(-1, &ss, unix.SFD_NONBLOCK|unix.SFD_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("signalfd(%v): %w", b, err)
		}
		t.sfd = os.NewFile(uintptr(fd), "signalfd")
	}
	if n := set &^ Blockable(set); n != 0 {
		t.notified = n
		if os.Geteuid() != 0 {
			t.why = "the Go runtime cannot keep them blocked, and finding them in the kernel's trace needs root"
		} else if tr, err := OpenTrace(TraceOptions{Target: os.Getpid(), Signals: n}); err != nil {
			t.why = fmt.Sprintf("the Go runtime cannot keep them blocked, and the kernel's trace is unavailable: %v", err)
		} else {
			t.trace = tr
		}
		t.ch = make(chan os.Signal, 64)
		var osigs []os.Signal
		for _, s := range n.Signals() {
			osigs = append(osigs, syscall.Signal(s))
		}
		signal.Notify(t.ch, osigs...)
	}
	if t.sfd != nil {
		t.wg.Add(1)
		go t.readSignalfd()
	}
	if t.ch != nil {
		t.wg.Add(1)
		go t.readNotify()
	}
	return t, nil
}

// Unknown returns the signals whose senders this trap cannot tell, and why; 0 and "" when it
// knows every sender.
func (t *Trap) Unknown() (Set, string) {
	if t.why == "" {
		return 0, ""
	}
	return t.notified, t.why
}

// TraceDir returns the trace instance that finds senders of the signals os/signal handles, or "".
func (t *Trap) TraceDir() string {
	if t.trace == nil {
		return ""
	}
	return t.trace.Dir()
}

// Next returns the next signal, waiting at most timeout (for ever when timeout < 0). It returns
// ErrTimeout when the time passes.
func (t *Trap) Next(timeout time.Duration) (Received, error) {
	var tc <-chan time.Time
	if timeout >= 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		tc = timer.C
	}
	select {
	case r := <-t.out:
		return r, nil
	default:
	}
	select {
	case t.req <- struct{}{}:
	default: // a request is outstanding already
	}
	select {
	case r := <-t.out:
		return r, nil
	case err := <-t.errc:
		return Received{}, err
	case <-tc:
		return Received{}, ErrTimeout
	case <-t.done:
		return Received{}, ErrTrapClosed
	}
}

// Close stops receiving; signals still pending stay pending (and blocked). A Next waiting in another
// goroutine returns ErrTrapClosed.
func (t *Trap) Close() error {
	var err error
	t.once.Do(func() {
		close(t.done)
		if t.ch != nil {
			signal.Stop(t.ch)
		}
		if t.sfd != nil {
			t.sfd.Close()
		}
		if t.trace != nil {
			err = t.trace.Close()
		}
		t.wg.Wait()
	})
	return err
}

func (t *Trap) emit(r Received) bool {
	select {
	case t.out <- r:
		return true
	case <-t.done:
		return false
	}
}

func (t *Trap) fail(err error) {
	select {
	case t.errc <- err:
	case <-t.done:
	}
}

// readSignalfd reads one signal per request of Next: the others stay pending in the kernel, where
// sig status shows them and standard signals coalesce as they would for any process.
func (t *Trap) readSignalfd() {
	defer t.wg.Done()
	const size = int(unsafe.Sizeof(unix.SignalfdSiginfo{}))
	buf := make([]byte, size)
	for {
		select {
		case <-t.req:
		case <-t.done:
			return
		}
		n, err := t.sfd.Read(buf)
		if err != nil {
			select {
			case <-t.done:
			default:
				t.fail(fmt.Errorf("read signalfd: %w", err))
			}
			return
		}
		for off := 0; off+size <= n; off += size {
			si := (*unix.SignalfdSiginfo)(unsafe.Pointer(&buf[off]))
			if !t.emit(fromSignalfd(si)) {
				return
			}
		}
	}
}

func fromSignalfd(si *unix.SignalfdSiginfo) Received {
	s := Signal(si.Signo)
	r := Received{Signal: s, Code: si.Code, Via: "signalfd", Uid: -1}
	if sendsPid(s, si.Code) {
		r.Sender, r.Pid, r.Uid = SenderProcess, int(si.Pid), int(si.Uid)
	} else {
		r.Sender = SenderKernel
	}
	switch si.Code {
	case SIQueue, SITimer, SIMesgq:
		r.Value, r.HasValue = si.Int, true
	}
	return r
}

func (t *Trap) readNotify() {
	defer t.wg.Done()
	var events chan TraceEvent
	if t.trace != nil {
		events = make(chan TraceEvent, 256)
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			for {
				e, err := t.trace.Next()
				if err != nil {
					return
				}
				select {
				case events <- e:
				case <-t.done:
					return
				}
			}
		}()
	}
	var pending []TraceEvent
	for {
		var osig os.Signal
		select {
		case osig = <-t.ch:
		case <-t.done:
			return
		}
		s := Signal(osig.(syscall.Signal))
		r := Received{Signal: s, Sender: SenderUnknown, Uid: -1, Why: t.why}
		if events != nil {
			var e TraceEvent
			var ok bool
			e, ok, pending = matchEvent(s, pending, events, 500*time.Millisecond)
			if ok {
				r.Sender, r.Code, r.Comm, r.Via, r.Why = SenderProcess, e.Code, e.Comm, "trace", ""
				r.Pid, r.Uid = e.Pid, -1
				if tgid, uid, err := ProcessOf(e.Pid); err == nil {
					r.Pid, r.Uid = tgid, uid
				}
				if e.Code == SIKernel {
					r.Sender, r.Pid = SenderKernel, 0
				}
			} else {
				r.Why = "no kernel trace event matched the signal"
			}
		}
		if !t.emit(r) {
			return
		}
	}
}

// matchEvent takes the oldest queued signal_generate event for s from pending, or from events
// within wait.
func matchEvent(s Signal, pending []TraceEvent, events chan TraceEvent, wait time.Duration) (TraceEvent, bool, []TraceEvent) {
	take := func() (TraceEvent, bool) {
		for i, e := range pending {
			if e.Event == "generate" && e.Signal == s && e.Result == TraceDelivered {
				pending = append(pending[:i], pending[i+1:]...)
				return e, true
			}
		}
		return TraceEvent{}, false
	}
	for {
		select {
		case e := <-events:
			pending = append(pending, e)
			continue
		default:
		}
		break
	}
	if e, ok := take(); ok {
		return e, true, pending
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e := <-events:
			pending = append(pending, e)
			if e, ok := take(); ok {
				return e, true, pending
			}
		case <-timer.C:
			if len(pending) > 256 {
				pending = pending[len(pending)-256:]
			}
			return TraceEvent{}, false, pending
		}
	}
}

// ProcessOf returns the process (thread group) id and real uid of task tid, from /proc/TID/status.
func ProcessOf(tid int) (tgid, uid int, err error) {
	f, err := os.Open("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	tgid, uid = -1, -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "Tgid":
			tgid, _ = strconv.Atoi(fields[0])
		case "Uid":
			uid, _ = strconv.Atoi(fields[0])
		}
	}
	if tgid < 0 || uid < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status: no Tgid or Uid", tid)
	}
	return tgid, uid, nil
}
