package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
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
private tracefs instance, removed on exit, and by the next start after a SIGKILL); otherwise the
line says sender=unknown. KILL and STOP cannot be caught; 32, 33 and RTMIN (34) kill a Go program
and are refused. So are PROF, which the Go runtime's profiler keeps for itself, and URG, which the
runtime sends its own threads to preempt goroutines (a sent one cannot be told from those). CHLD is refused with --exec: each
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
			return failure.Usagef("sig %s: cannot %s %v: %s", opts.verb, opts.verb, s, ce.Reason)
		}
	}
	if set.Has(sig.SIGCHLD) && opts.exec != "" {
		return failure.Usagef("sig %s: cannot %s CHLD with --exec: each command ipcx runs sends it CHLD when it ends", opts.verb, opts.verb)
	}
	if opts.count < 0 {
		return failure.Usagef("sig %s: --count must not be negative", opts.verb)
	}
	if err := opts.checkTimeout(); err != nil {
		return err
	}
	// Block the signals for good (this re-executes ipcx, same pid and arguments, the first time),
	// catch the untrapped INT, TERM and HUP, then write the pidfile.
	obj := failure.Object{Noun: "sig", Name: "sig " + opts.verb}
	r, err := sig.NewReceiver(set, sig.ReceiverOptions{Pidfile: opts.pidfile})
	if err != nil {
		return obj.Explain(err)
	}
	defer r.Close()
	if n, why := r.Unknown(); n != 0 {
		fmt.Fprintf(opts.io.ErrOut, "ipcx: sig %s: note: senders of %v will show as unknown: %s\n", opts.verb, n, why)
	}
	out, closeOut := sig.PipeSafeOutput(opts.io.Out)
	defer closeOut()
	fmt.Fprintf(opts.io.ErrOut, "ready pid=%d\n", os.Getpid())

	for n := 0; opts.count == 0 || n < opts.count; n++ {
		got, err := r.Next(opts.waitLimit())
		if errors.Is(err, sig.ErrInterrupted) {
			return &failure.Silent{Code: failure.SignalBase + int(interruptSignal())}
		}
		if err != nil {
			// --timeout 0 took what was pending: "no signal pending (--timeout 0 does not wait)".
			none := "no signal"
			if n > 0 {
				none = fmt.Sprintf("%d signal(s), then none", n)
			}
			return obj.Explain(opts.wait(none+" pending", none, "within", err))
		}
		ev := toEvent(got)
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
			runTrapCommand(opts, got)
		}
	}
	return nil
}

// runTrapCommand runs --exec for one signal, with no signal blocked, and waits for it.
func runTrapCommand(opts *sigTrapOptions, r sig.Received) {
	if err := runShell(opts.io, opts.exec, r.ExecEnv(), true); err != nil {
		fmt.Fprintf(opts.io.ErrOut, "ipcx: sig %s: --exec for %s: %v\n", opts.verb, r.Signal, err)
	}
}

// writeFail is the error of a failed write to the output: a closed pipe (| head -1) ends ipcx
// quietly with 128+SIGPIPE, as the signal would have, but after its cleanup.
func writeFail(what string, err error) error {
	if errors.Is(err, posix.ErrClosedPipe) {
		return &failure.Silent{Code: failure.SignalBase + int(sig.SIGPIPE)}
	}
	return failure.Newf(failure.Failure, "%s: write: %v", what, err)
}
