package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

type sigTrapOptions struct {
	io      *iostreams.IOStreams
	verb    string // "trap" or "wait"
	signals []string
	count   int
	timeoutFlag
	exec    string
	json    bool
	pidfile string
}

// sigEvent is a received signal as trap and wait report it. Pid, uid and value are null when
// unknown or meaningless (a kernel sender has no pid; only queue, timer and mesgq carry a value).
type sigEvent struct {
	Signal string `json:"signal"`
	Number int    `json:"number"`
	Sender string `json:"sender"` // process, kernel or unknown
	Pid    *int   `json:"pid"`
	Uid    *int   `json:"uid"`
	Comm   string `json:"comm,omitempty"`
	Code   string `json:"code"`
	SiCode *int32 `json:"siCode"`
	Value  *int32 `json:"value"`
	Via    string `json:"via,omitempty"`   // signalfd or trace
	Why    string `json:"why,omitempty"`   // why the sender (or its uid) is unknown
	Sends  int    `json:"sends,omitempty"` // via trace, when more than 1: the sends one line stands for (coalesced; the sender is the last one's)
}

func newSigTrapCmd(io *iostreams.IOStreams, runF func(*sigTrapOptions) error) *cobra.Command {
	opts := &sigTrapOptions{io: io, verb: "trap"}
	c := &cobra.Command{
		Use:   "trap SIG...",
		Short: "Receive signals and show who sent them: pid, uid, si_code, value",
		Long: `Receive the signals named and print a line for each: its name and number, the sender's pid and
uid, the si_code (user: kill; queue: sigqueue; tkill; kernel; timer; mesgq; ...) and the sigqueue
value. "ready pid=PID" goes to stderr (and to --pidfile FILE, removed on exit) once the signals
are being caught; signals sent from then on are never lost, and none kills ipcx.

With --exec CMD, CMD runs through /bin/sh for each signal, with IPCX_SIGNAL (the name),
IPCX_SIGNAL_NUMBER, IPCX_SENDER_PID, IPCX_SENDER_UID, IPCX_CODE and IPCX_VALUE (empty when
unknown) in its environment and no signal blocked; ipcx waits for it before the next signal.

HOW: ipcx blocks the signals and re-executes itself (same pid) so that every thread keeps them
blocked, then reads them with their siginfo from a signalfd(2). The Go runtime never lets HUP, INT,
TERM, QUIT, ABRT, SYS, ILL, TRAP, BUS, FPE, SEGV, STKFLT and CHLD stay blocked: those are still
trapped, and as root the sender comes from the kernel's signal:signal_generate trace events (a
private tracefs instance, removed on exit); otherwise the line says sender=unknown. KILL and STOP
cannot be caught; 32, 33 and RTMIN (34) kill a Go program and are refused. So are PROF, which the
Go runtime's profiler keeps for itself, and URG, which the runtime sends its own threads to
preempt goroutines (a sent one cannot be told from those). CHLD is refused with --exec: each
command's own exit would show as a CHLD.

Standard signals (1-31) coalesce: while one is pending the kernel drops another of the same number,
so a burst may show as one line. Real-time signals (RTMIN+1..RTMAX) queue, in order, each with its
value.

` + exitStatusHelp,
		Example: `  $ ipcx sig trap USR1 USR2
  $ ipcx sig trap RTMIN+1 --count 10 --json
  $ ipcx sig trap HUP --exec 'echo reload requested by $IPCX_SENDER_PID'
  $ ipcx sig trap WINCH --pidfile /tmp/trap.pid --timeout 1m`,
		Args: minArgs(1, "at least one signal"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.signals = args
			if runF != nil {
				return runF(opts)
			}
			return sigTrapRun(opts)
		},
	}
	c.Flags().IntVar(&opts.count, "count", 0, "exit after this many signals (0: never)")
	opts.registerTimeout(c, "exit 124 when no signal came for this long; 0 takes the signals already pending, then exits 124")
	c.Flags().StringVar(&opts.exec, "exec", "", "run this shell command for each signal")
	c.Flags().BoolVar(&opts.json, "json", false, "print one JSON object per signal")
	c.Flags().StringVar(&opts.pidfile, "pidfile", "", "write ipcx's pid to this file once ready")
	return c
}

func newSigWaitCmd(io *iostreams.IOStreams, runF func(*sigTrapOptions) error) *cobra.Command {
	opts := &sigTrapOptions{io: io, verb: "wait", count: 1}
	c := &cobra.Command{
		Use:   "wait SIG...",
		Short: "Wait for one of the signals, print its name and exit 0",
		Long: `Wait until one of the signals named arrives, print its name (with --json: the sender too, as
sig trap reports it) and exit 0; exit 124 when --timeout passes first. --timeout 0 does not
wait: it takes a signal already pending (sent while it was blocked), else exits 124 at once.
"ready pid=PID" goes to stderr (and to --pidfile FILE) once the signals are caught: a signal sent
any time after that is not lost, and none kills ipcx. For shell scripts that wait for a peer:

  ipcx sig wait USR1 --timeout 30s && echo peer ready

See ipcx sig trap for how the sender is found and which signals cannot be waited for.

` + exitStatusHelp,
		Example: `  $ ipcx sig wait USR1 --timeout 30s
  $ ipcx sig wait USR1 USR2 --json --pidfile /tmp/waiter.pid`,
		Args: minArgs(1, "at least one signal"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.signals = args
			if runF != nil {
				return runF(opts)
			}
			return sigTrapRun(opts)
		},
	}
	opts.registerTimeout(c, "wait at most this long: exit 124 after; 0 takes a signal already pending, else exits 124 at once")
	c.Flags().BoolVar(&opts.json, "json", false, "print the signal and its sender as JSON")
	c.Flags().StringVar(&opts.pidfile, "pidfile", "", "write ipcx's pid to this file once ready")
	return c
}

func sigTrapRun(opts *sigTrapOptions) error {
	set, err := parseSignals(opts.signals)
	if err != nil {
		return err
	}
	for _, s := range set.Signals() {
		var ce *sig.CannotTrapError
		if err := sig.CheckTrappable(s); errors.As(err, &ce) {
			return usageErrorf("sig %s: cannot %s %v: %s", opts.verb, opts.verb, s, ce.Reason)
		}
	}
	if set.Has(17) && opts.exec != "" {
		return usageErrorf("sig %s: cannot %s CHLD with --exec: each command ipcx runs sends it CHLD when it ends", opts.verb, opts.verb)
	}
	if opts.count < 0 {
		return usageErrorf("sig %s: --count must not be negative", opts.verb)
	}
	if err := opts.checkTimeout(); err != nil {
		return err
	}
	// Block the signals for good: this re-executes ipcx (same pid, same arguments) the first time.
	if err := sig.Prepare(set); err != nil {
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("sig %s: %v", opts.verb, err)}
	}
	trap, err := sig.OpenTrap(set)
	if err != nil {
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("sig %s: %v", opts.verb, err)}
	}
	defer trap.Close()
	if n, why := trap.Unknown(); n != 0 {
		fmt.Fprintf(opts.io.ErrOut, "ipcx: sig %s: note: senders of %v will show as unknown: %s\n", opts.verb, n, why)
	}
	// Those of INT, TERM and HUP that are not trapped end ipcx cleanly: pidfile and trace instance
	// (and the tracefs mount it made) removed, exit 128+N. This comes before the pidfile says
	// ipcx is ready: started in the background by a script, ipcx has INT and QUIT ignored until
	// it asks for them, and an INT sent in between was lost (ipcx then waited on).
	var interrupted <-chan struct{}
	if ctx, stop := untrappedInterrupts(set); ctx != nil {
		defer stop()
		interrupted = ctx.Done()
		go func() { <-ctx.Done(); trap.Close() }()
	}
	if opts.pidfile != "" {
		if err := writePidfile(opts.pidfile); err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("sig %s: cannot write --pidfile %s: %v", opts.verb, opts.pidfile, unwrapErrno(err))}
		}
		defer os.Remove(opts.pidfile)
	}
	out, closeOut := pipeSafeOut(opts.io.Out)
	defer closeOut()
	fmt.Fprintf(opts.io.ErrOut, "ready pid=%d\n", os.Getpid())

	for n := 0; opts.count == 0 || n < opts.count; n++ {
		r, err := trap.Next(opts.waitLimit())
		select {
		case <-interrupted:
			return &silentExit{code: exitSignalBase + int(interruptSignal())}
		default:
		}
		if errors.Is(err, sig.ErrTimeout) {
			none := opts.allowed("within")
			if opts.zero() {
				none = "pending " + none
			}
			msg := fmt.Sprintf("sig %s: no signal %s", opts.verb, none)
			if n > 0 {
				msg = fmt.Sprintf("sig %s: %d signal(s), then none %s", opts.verb, n, none)
			}
			return &cmdError{code: exitTimeout, msg: msg}
		}
		if err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("sig %s: %v", opts.verb, err)}
		}
		ev := toEvent(r)
		switch {
		case opts.json:
			err = render.JSONLine(out, ev)
		case opts.verb == "wait":
			_, err = fmt.Fprintln(out, ev.Signal)
		default:
			_, err = fmt.Fprintln(out, ev.line())
		}
		if err != nil {
			return writeFail("sig "+opts.verb, err)
		}
		if opts.exec != "" {
			runTrapCommand(opts, ev)
		}
	}
	return nil
}

func toEvent(r sig.Received) sigEvent {
	ev := sigEvent{Signal: r.Signal.String(), Number: int(r.Signal), Sender: r.Sender, Comm: r.Comm,
		Code: r.CodeName(), Via: r.Via, Why: r.Why}
	if r.Sender == sig.SenderProcess {
		pid := r.Pid
		ev.Pid = &pid
		if r.Uid >= 0 {
			uid := r.Uid
			ev.Uid = &uid
		}
	}
	if r.Sender != sig.SenderUnknown {
		code := r.Code
		ev.SiCode = &code
	}
	if r.Sends > 1 {
		ev.Sends = r.Sends
	}
	if r.HasValue {
		v := r.Value
		ev.Value = &v
	}
	return ev
}

// line is the text form: "USR1 10 pid=1234 uid=1000 code=queue value=42".
func (ev sigEvent) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d", ev.Signal, ev.Number)
	switch ev.Sender {
	case sig.SenderProcess:
		fmt.Fprintf(&b, " pid=%d uid=%s", *ev.Pid, optIntp(ev.Uid))
		if ev.Comm != "" {
			fmt.Fprintf(&b, " comm=%s", ev.Comm)
		}
	default:
		fmt.Fprintf(&b, " sender=%s", ev.Sender)
	}
	if ev.Sender != sig.SenderUnknown {
		fmt.Fprintf(&b, " code=%s", ev.Code)
	}
	if ev.Value != nil {
		fmt.Fprintf(&b, " value=%d", *ev.Value)
	}
	return b.String()
}

func optIntp(p *int) string {
	if p == nil {
		return "unknown"
	}
	return strconv.Itoa(*p)
}

// runTrapCommand runs --exec for one signal, with no signal blocked, and waits for it.
func runTrapCommand(opts *sigTrapOptions, ev sigEvent) {
	str := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	value := ""
	if ev.Value != nil {
		value = strconv.Itoa(int(*ev.Value))
	}
	env := []string{"IPCX_SIGNAL=" + ev.Signal, "IPCX_SIGNAL_NUMBER=" + strconv.Itoa(ev.Number),
		"IPCX_SENDER_PID=" + str(ev.Pid), "IPCX_SENDER_UID=" + str(ev.Uid), "IPCX_CODE=" + ev.Code, "IPCX_VALUE=" + value}
	if err := runShell(opts.io, opts.exec, env, true); err != nil {
		fmt.Fprintf(opts.io.ErrOut, "ipcx: sig %s: --exec for %s: %v\n", opts.verb, ev.Signal, err)
	}
}

// writePidfile writes the pid to a temporary file renamed into place, so a reader never sees it
// half written.
func writePidfile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ipcx-pid-*")
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(tmp, "%d\n", os.Getpid()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// untrappedInterrupts returns a context cancelled by those of HUP, INT, QUIT and TERM that set
// does not trap (the signal is remembered for interruptSignal), or nil when set traps all four. A
// trapped one must not be notified here too: it is reported, and ipcx goes on.
func untrappedInterrupts(set sig.Set) (context.Context, context.CancelFunc) {
	var sigs []os.Signal
	for _, s := range interruptSignals {
		if !set.Has(sig.Signal(s.(syscall.Signal))) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return nil, nil
	}
	return signalContext(context.Background(), sigs...)
}

// pipeSafeOut returns w, or when w is the process's standard output a duplicate of it: the Go
// runtime kills a program whose write to fd 1 fails with EPIPE (unless SIGPIPE is notified, which
// would steal a trapped PIPE from the signalfd), while a write to the duplicate just fails with
// EPIPE, so ipcx can remove its pidfile and trace instance and exit 141 (writeFail).
func pipeSafeOut(w io.Writer) (io.Writer, func()) {
	f, ok := w.(*os.File)
	if !ok || f != os.Stdout {
		return w, func() {}
	}
	dup, err := iostreams.Dup(f)
	if err != nil {
		return w, func() {}
	}
	return dup, func() { dup.Close() }
}

// writeFail is the error of a failed write to the output: a closed pipe (| head -1) ends ipcx
// quietly with 128+SIGPIPE, as the signal would have, but after its cleanup.
func writeFail(what string, err error) error {
	if errors.Is(err, syscall.EPIPE) {
		return &silentExit{code: exitSignalBase + int(unix.SIGPIPE)}
	}
	return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: write: %v", what, err)}
}
