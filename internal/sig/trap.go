//go:build linux

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
	"sync/atomic"
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
	Why      string // why the sender (or its uid) is unknown
	Sends    int    // via trace: how many sends this one notification stands for (standard signals coalesce); the sender is the last one's
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
// and the Go runtime's own), RTMIN (34: it kills a Go program even when notified, golang/go#39343)
// PROF (the runtime's profiler swallows it) and URG (the runtime preempts goroutines with it).
func CheckTrappable(s Signal) error {
	switch s {
	case 9, 19:
		return &CannotTrapError{s, "the kernel never lets it be caught, blocked or ignored"}
	case 32, 33:
		return &CannotTrapError{s, "glibc and the Go runtime use it for their threads"}
	case RTMIN:
		return &CannotTrapError{s, "it kills a Go program even when caught (golang/go#39343); use RTMIN+1 or above"}
	case 27:
		return &CannotTrapError{s, "the Go runtime keeps it for its profiler and never passes it on"}
	case 23:
		// Its preemption signals are tgkill()s to single threads, which a trace filtered on
		// ipcx's pid does not show: nothing tells a sent URG from the runtime's own reliably.
		return &CannotTrapError{s, "the Go runtime sends it to its own threads to preempt goroutines, and those cannot be told apart from a URG sent to ipcx"}
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
	inflight atomic.Int32 // notifications readNotify took from ch and has not emitted yet
	once     sync.Once
	wg       sync.WaitGroup
	// mu orders the lines: a notified signal is emitted after the signals already pending on
	// the signalfd when it came (they came first), each under mu.
	mu sync.Mutex
	// flushed are the signals received but not handed to Next when Close came, in order: Next
	// returns them before ErrTrapClosed. finished is closed once they are all there.
	flushed  []Received
	finished chan struct{}
	// twg and traceStop end the trace reader after the others: the signal in hand when Close
	// came is matched with the events the kernel recorded until then.
	twg       sync.WaitGroup
	traceStop chan struct{}
	// sfdIn takes the signals readSignalfd reads to readNotify when both run with a trace, which
	// orders them after the notified signals sent before them.
	sfdIn chan Received
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
	t := &Trap{out: make(chan Received, 64), req: make(chan struct{}, 1), errc: make(chan error, 2), done: make(chan struct{}),
		finished: make(chan struct{}), traceStop: make(chan struct{})}
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
		} else if tr, err := OpenTrace(TraceOptions{Target: os.Getpid(), Self: true, Signals: n}); err != nil {
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
	if t.sfd != nil && t.trace != nil {
		t.sfdIn = make(chan Received)
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
// ErrTimeout when the time passes. Timeout 0 does not wait: Next returns a signal already pending
// (or already received), else ErrTimeout at once.
func (t *Trap) Next(timeout time.Duration) (Received, error) {
	select {
	case <-t.done:
		return t.rest()
	default:
	}
	if timeout == 0 {
		select {
		case r := <-t.out:
			return r, nil
		default:
		}
		if !t.pending() {
			select {
			case r := <-t.out: // passed on while pending looked
				return r, nil
			default:
				return Received{}, ErrTimeout
			}
		}
		// It is there: the readers hand it over at once (a notified signal being matched with
		// its trace event, within the matcher's bound).
		timeout = pendingGrace
	}
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
		return t.rest()
	}
}

// rest returns, once the trap is closed, the next of the signals received before Close, and then
// ErrTrapClosed.
func (t *Trap) rest() (Received, error) {
	<-t.finished
	select {
	case r := <-t.out:
		return r, nil
	default:
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.flushed) == 0 {
		return Received{}, ErrTrapClosed
	}
	r := t.flushed[0]
	t.flushed = t.flushed[1:]
	return r, nil
}

// pendingGrace bounds how long Next(0) waits for a signal it found pending to be handed over.
const pendingGrace = 2 * time.Second

// pending says whether a signal is ready to be read: pending for the signalfd, or notified by
// os/signal and not yet passed on by readNotify.
func (t *Trap) pending() bool {
	if len(t.ch) > 0 || t.inflight.Load() > 0 {
		return true
	}
	if t.sfd == nil {
		return false
	}
	readable, ok := pollIn(t.sfd)
	return ok && readable
}

// Close stops receiving. The signals received until then (notified, or pending on the signalfd)
// are not lost: Next returns them, in order, before ErrTrapClosed, without waiting for senders the
// trace has not shown yet. A Next waiting in another goroutine returns the first of them, or
// ErrTrapClosed.
func (t *Trap) Close() error {
	var err error
	t.once.Do(func() {
		close(t.done)
		if t.ch != nil {
			signal.Stop(t.ch)
		}
		if t.sfd != nil {
			// Wakes a readSignalfd waiting in Read; the descriptor stays open for the flush.
			t.sfd.SetReadDeadline(time.Now())
		}
		t.wg.Wait()
		close(t.traceStop)
		if t.trace != nil {
			err = t.trace.Close()
		}
		t.twg.Wait()
		// The readers are gone: what they did not hand over is in flushed; the notifications
		// still queued and the signals pending on the signalfd come after.
		t.mu.Lock()
		if t.ch != nil {
			for {
				select {
				case osig := <-t.ch:
					t.flushed = append(t.flushed, Received{Signal: Signal(osig.(syscall.Signal)), Sender: SenderUnknown, Uid: -1,
						Why: t.closedWhy()})
					continue
				default:
				}
				break
			}
		}
		if t.sfd != nil {
			t.flushed = append(t.flushed, t.readPending(-1)...)
			t.sfd.Close()
		}
		t.mu.Unlock()
		close(t.finished)
	})
	return err
}

// closedWhy is why a notified signal flushed at Close has no sender.
func (t *Trap) closedWhy() string {
	if t.why != "" {
		return t.why
	}
	return "the trap was closed before a kernel trace event matched the signal"
}

// emit hands r to Next, or to flushed when the trap is closing.
func (t *Trap) emit(r Received) bool {
	select {
	case t.out <- r:
		return true
	case <-t.done:
		t.flushed = append(t.flushed, r) // under mu, or after the readers' wg.Done
		return false
	}
}

// readPending reads up to max signals (all, when max < 0) pending on the signalfd, without
// waiting. Call it under mu.
func (t *Trap) readPending(max int) []Received {
	if t.sfd == nil {
		return nil
	}
	rc, err := t.sfd.SyscallConn()
	if err != nil {
		return nil
	}
	const size = int(unsafe.Sizeof(unix.SignalfdSiginfo{}))
	var out []Received
	rc.Control(func(fd uintptr) {
		buf := make([]byte, size)
		for max < 0 || len(out) < max {
			n, err := unix.Read(int(fd), buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n < size {
				return
			}
			out = append(out, fromSignalfd((*unix.SignalfdSiginfo)(unsafe.Pointer(&buf[0]))))
		}
	})
	return out
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
		ok := true
		for off := 0; ok && off+size <= n; off += size {
			r := fromSignalfd((*unix.SignalfdSiginfo)(unsafe.Pointer(&buf[off])))
			if t.sfdIn != nil {
				select {
				case t.sfdIn <- r:
					continue
				case <-t.done:
					t.mu.Lock()
					t.flushed = append(t.flushed, r)
					t.mu.Unlock()
					return
				}
			}
			t.mu.Lock()
			ok = t.emit(r)
			t.mu.Unlock()
		}
		if !ok {
			return
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
		t.twg.Add(1)
		go func() {
			defer t.twg.Done()
			// Until Close has let readNotify catch up (traceStop), not just until done.
			for {
				e, err := t.trace.Next()
				if err != nil {
					return
				}
				select {
				case events <- e:
				case <-t.traceStop:
					return
				}
			}
		}()
	}
	var caughtUp func() bool
	if t.trace != nil {
		caughtUp = func() bool { return t.trace.CaughtUp() && len(events) == 0 }
	}
	m := &matcher{events: events, next: t.ch, done: t.done, caughtUp: caughtUp, stashed: &t.inflight}
	for {
		var osig os.Signal
		if len(m.stash) > 0 {
			osig, m.stash = m.stash[0], m.stash[1:] // counted in inflight when stashed
		} else {
			select {
			case osig = <-t.ch:
				t.inflight.Add(1)
			case r := <-t.sfdIn:
				t.mu.Lock()
				ok := t.orderedEmit(m, r)
				t.mu.Unlock()
				if !ok {
					return
				}
				continue
			case <-t.done:
				return
			}
		}
		t.mu.Lock()
		ok := t.handleNotified(m, osig)
		t.mu.Unlock()
		if !ok {
			return
		}
	}
}

// handleNotified emits a notification of os/signal, with its sender from the trace when there is one,
// after the signals already pending on the signalfd (they came first). Call it under mu, with the
// notification counted in inflight. It reports false once the trap is closing.
func (t *Trap) handleNotified(m *matcher, osig os.Signal) bool {
	defer t.inflight.Add(-1)
	now := monotonic()
	s := Signal(osig.(syscall.Signal))
	r := Received{Signal: s, Sender: SenderUnknown, Uid: -1, Why: t.why}
	ok := true
	if m.events == nil {
		// Without a trace to order by (see orderedEmit), the signals already pending on the
		// signalfd are taken to have come first.
		for _, p := range t.readPending(-1) {
			ok = ok && t.emit(p)
		}
	}
	if m.events != nil && ok {
		// More notifications already waiting: this one stands for one delivery only. The
		// sender's event is waited for only while the trace has events still to read.
		e, n, found := m.match(s, now, len(m.stash) > 0 || len(t.ch) > 0, 500*time.Millisecond)
		if found {
			r.Sender, r.Code, r.Comm, r.Via, r.Why, r.Sends = SenderProcess, e.Code, e.Comm, "trace", "", n
			r.Pid, r.Uid = e.SenderPid, e.SenderUid
			if r.Uid < 0 {
				r.Why = fmt.Sprintf("the sender %d had exited before its uid could be read", e.SenderPid)
			}
			if e.Code == SIKernel {
				r.Sender, r.Pid, r.Why = SenderKernel, 0, ""
			} else if t.trace.Nested() {
				// The trace's pid is the initial pid namespace's, not one of this one.
				r.Sender, r.Pid, r.Uid, r.Via = SenderUnknown, 0, -1, "trace"
				who := "a process"
				if e.Comm != "" {
					who = e.Comm
				}
				r.Why = fmt.Sprintf("sent by %s, whose pid the kernel's trace gives in the initial pid namespace, not this one", who)
			}
		} else {
			r.Why = "no kernel trace event matched the signal"
		}
	}
	if ok {
		ok = t.emit(r)
	} else {
		t.flushed = append(t.flushed, r)
	}
	if !ok {
		// Notifications taken from ch while waiting are not lost when closing.
		for _, o := range m.stash {
			t.flushed = append(t.flushed, Received{Signal: Signal(o.(syscall.Signal)), Sender: SenderUnknown, Uid: -1, Why: t.closedWhy()})
		}
		t.inflight.Add(-int32(len(m.stash)))
		m.stash = nil
	}
	return ok
}

// orderedEmit emits r, a signal read from the signalfd, after the notifications of signals sent
// before it: those taken already (stash), and those the trace shows sent (queued) but whose
// notification the runtime has not passed on yet (100ms at most). Call it under mu.
func (t *Trap) orderedEmit(m *matcher, r Received) bool {
	at := monotonic()
	deadline := time.Now().Add(100 * time.Millisecond)
	for time.Now().Before(deadline) {
		if len(m.stash) > 0 {
			osig := m.stash[0]
			m.stash = m.stash[1:]
			if !t.handleNotified(m, osig) {
				t.flushed = append(t.flushed, r)
				return false
			}
			continue
		}
		for caught := time.Now().Add(20 * time.Millisecond); !m.caughtUp() && time.Now().Before(caught); {
			m.drain(time.Millisecond)
		}
		m.drain(0)
		if !m.dueBefore(at) {
			break
		}
		select {
		case osig := <-t.ch:
			t.inflight.Add(1)
			if !t.handleNotified(m, osig) {
				t.flushed = append(t.flushed, r)
				return false
			}
		case e := <-m.events:
			m.pending = append(m.pending, e)
		case <-time.After(time.Until(deadline)):
		case <-t.done:
		}
	}
	return t.emit(r)
}

// inInitPidNS reports whether this process is in the initial pid namespace, whose pids the
// kernel's trace shows.
func inInitPidNS() bool {
	var st unix.Stat_t
	return unix.Stat("/proc/self/ns/pid", &st) == nil && st.Ino == initPidNS
}

// monotonic returns CLOCK_MONOTONIC in seconds, the trace instance's clock.
func monotonic() float64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

// matcher pairs os/signal notifications with the signal_generate events of the trace.
//
// The kernel coalesces sends of a standard signal while one is pending (events "already-pending"),
// and the runtime coalesces deliveries of one signal into one notification when it has not passed
// on the first yet. So a notification received at time now stands for every send of its signal
// that happened before now and that no earlier notification took: all are taken (else they would
// be pinned on later signals), and the last one that made the signal pending ("queued") is reported
// as the sender. When several deliveries were taken, a notification of one of them may still come
// (it was on its way): it is reported with the same sender, for a short while (credit).
type matcher struct {
	events  chan TraceEvent
	pending []TraceEvent
	credit  map[Signal]credit

	// The wait for an event ends once the trace has caught up with the kernel (caughtUp: there
	// is none coming), or at Close (done). Notifications that come meanwhile are taken from next
	// into stash, for the caller to handle next, so that the match takes one delivery only.
	next     <-chan os.Signal
	stash    []os.Signal
	stashed  *atomic.Int32 // counts the stash (as notifications in flight)
	caughtUp func() bool
	done     <-chan struct{}
}

type credit struct {
	n    int        // deliveries taken beyond the one reported
	e    TraceEvent // the sender reported
	time float64    // when
}

// match returns the sender of a notification of s received at now, how many sends it stands for,
// and whether one was found. With one set, it takes the sends of a single delivery (the oldest).
// It waits at most wait for a first event.
func (m *matcher) match(s Signal, now float64, one bool, wait time.Duration) (TraceEvent, int, bool) {
	var last, lastAny TraceEvent
	var n, queued int
	stopped := false // one: the next delivery's sends begin
	take := func() {
		kept := m.pending[:0]
		for _, e := range m.pending {
			mine := e.Event == "generate" && e.Signal == s && e.Time <= now
			if mine && one && e.Result == TraceDelivered && queued > 0 {
				stopped = true
			}
			if mine && !stopped {
				n++
				lastAny = e
				if e.Result == TraceDelivered {
					last = e
					queued++
				}
				continue
			}
			kept = append(kept, e)
		}
		m.pending = kept
	}
	m.drain(0)
	take()
	if n == 0 {
		if c, ok := m.credit[s]; ok && c.n > 0 && now-c.time < 0.2 {
			c.n--
			m.credit[s] = c
			return c.e, 0, true
		}
		timer := time.NewTimer(wait)
		tick := time.NewTicker(2 * time.Millisecond)
	wait:
		for n == 0 {
			select {
			case e := <-m.events:
				m.pending = append(m.pending, e)
				take()
			case o := <-m.next:
				// The next signal: it is handled after this one, with one delivery each.
				if m.stashed != nil {
					m.stashed.Add(1)
				}
				m.stash = append(m.stash, o)
				one = true
			case <-tick.C:
				// Nothing more is coming once the trace has caught up with the kernel: the
				// sender's event, recorded before the signal came, would have been read.
				if m.caughtUp != nil && m.caughtUp() {
					m.drain(0)
					take()
					break wait
				}
			case <-m.done:
				// Closing: the events the kernel recorded until now still count.
				for caught := time.Now().Add(20 * time.Millisecond); m.caughtUp != nil && !m.caughtUp() && time.Now().Before(caught); {
					m.drain(time.Millisecond)
				}
				m.drain(0)
				take()
				break wait
			case <-timer.C:
				break wait
			}
		}
		timer.Stop()
		tick.Stop()
	}
	if !one {
		// The trace reader may lag a little behind the notification: let it read the last
		// sends before now (until it has caught up, 20ms at most), so that they are not left
		// for the next notification.
		for deadline := time.Now().Add(20 * time.Millisecond); ; {
			m.drain(0)
			take()
			if m.caughtUp == nil || m.caughtUp() || !time.Now().Before(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if len(m.pending) > 256 {
		m.pending = m.pending[len(m.pending)-256:]
	}
	if n == 0 {
		return TraceEvent{}, 0, false
	}
	if last.Event == "" {
		last = lastAny
	}
	if queued > 1 {
		if m.credit == nil {
			m.credit = map[Signal]credit{}
		}
		m.credit[s] = credit{n: queued - 1, e: last, time: now}
	} else {
		delete(m.credit, s)
	}
	return last, n, true
}

// dueBefore reports whether a send before at made a signal pending whose notification has not
// been matched yet: it is on its way.
func (m *matcher) dueBefore(at float64) bool {
	for _, e := range m.pending {
		if e.Event == "generate" && e.Result == TraceDelivered && e.Time <= at {
			return true
		}
	}
	return false
}

// drain moves the events read so far (and during d) to pending.
func (m *matcher) drain(d time.Duration) {
	var tc <-chan time.Time
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		tc = timer.C
	}
	for {
		select {
		case e := <-m.events:
			m.pending = append(m.pending, e)
		case <-tc:
			return
		default:
			if tc == nil {
				return
			}
			select {
			case e := <-m.events:
				m.pending = append(m.pending, e)
			case <-tc:
				return
			}
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
	if tgid == 0 {
		// A task being reaped has lost its pid links: its status says Tgid 0 (and Pid 0). The
		// thread id is then the best name known (the process id of a single-threaded sender).
		tgid = tid
	}
	return tgid, uid, nil
}
