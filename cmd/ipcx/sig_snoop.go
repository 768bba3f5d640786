package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
)

type sigSnoopOptions struct {
	io     *iostreams.IOStreams
	target int
	sender int
	sigs   []string
	json   bool
	count  int
	timeoutFlag
}

// snoopEvent is one line of sig snoop. Generate events: a signal was sent (sender, target, result).
// Deliver events: a signal reached the target's handler or default action (pid is the target).
type snoopEvent struct {
	Time       time.Time `json:"time"`
	Event      string    `json:"event"`
	SenderPid  *int      `json:"senderPid"`
	SenderComm string    `json:"senderComm,omitempty"`
	TargetPid  int       `json:"targetPid"`
	TargetComm string    `json:"targetComm"`
	Signal     string    `json:"signal"`
	Number     int       `json:"number"`
	Code       string    `json:"code"`
	SiCode     int32     `json:"siCode"`
	Result     string    `json:"result"`
}

func newSigSnoopCmd(io *iostreams.IOStreams, runF func(*sigSnoopOptions) error) *cobra.Command {
	opts := &sigSnoopOptions{io: io}
	c := &cobra.Command{
		Use:   "snoop",
		Short: "Watch every signal sent on the machine: who sent what to whom (root)",
		Long: `Show signals as they are sent, machine-wide: the sender's pid and command, the target's pid and
command, the signal, its si_code and what became of it, from the kernel's signal:signal_generate
and signal:signal_deliver trace events. "Who keeps killing my process?" answered without eBPF.

RESULT of a sent signal: queued (made pending; a "deliver" line follows when the target takes it),
blocked (pending while the target blocks it), ignored (the target ignores it: dropped),
already-pending (a standard signal already pending: coalesced), overflow (no room to queue a
real-time signal). A signal that is fatal to its target is delivered as KILL: the kernel turns it
into a group kill when it is sent.

ipcx uses a private trace instance (tracefs instances/ipcx-sig-PID-START-PIDNS: its pid, start
time and pid namespace) that it removes on exit, mounting tracefs on /sys/kernel/tracing first
when it is not mounted (and unmounting it after). An instance left by an ipcx killed with SIGKILL
is removed by the next sig snoop or sig trap once its maker is gone.
Needs root. Ctrl-C ends it (exit 130).

` + exitStatusHelp,
		Example: `  $ ipcx sig snoop
  $ ipcx sig snoop --target 1234
  $ ipcx sig snoop --sig TERM --sig KILL --json`,
		Args: exactArgs(0, "no arguments (filters are flags)"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sigSnoopRun(opts)
		},
	}
	c.Flags().IntVar(&opts.target, "target", 0, "only signals sent to this pid")
	c.Flags().IntVar(&opts.sender, "sender", 0, "only signals sent by this pid (hides deliver events)")
	c.Flags().StringSliceVar(&opts.sigs, "sig", nil, "only these signals (repeat or comma-separate)")
	c.Flags().BoolVar(&opts.json, "json", false, "print one JSON object per event")
	c.Flags().IntVar(&opts.count, "count", 0, "exit after this many events (0: never)")
	opts.registerTimeout(c, "exit after this long (exit 0; 124 when --count was not reached); 0 exits at once")
	return c
}

const snoopFormat = "%-15s  %-8s  %-7s  %-15s  %-7s  %-15s  %-8s  %-8s  %s\n"

func sigSnoopRun(opts *sigSnoopOptions) error {
	set, err := parseSignals(opts.sigs)
	if err != nil {
		return err
	}
	if opts.target < 0 || opts.sender < 0 || opts.count < 0 {
		return failure.Usagef("sig snoop: --target, --sender and --count must not be negative")
	}
	if err := opts.checkTimeout(); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return failure.Newf(failure.Failure, "sig snoop: needs root: it reads the kernel's trace events (tracefs)").WithHint("run it with sudo")
	}
	obj := failure.Object{Noun: "sig", Name: "sig snoop"}
	tr, err := sig.OpenTrace(sig.TraceOptions{Target: opts.target, Sender: opts.sender, Signals: set, Deliver: true})
	if err != nil {
		return obj.Explain(err)
	}
	ctx, stop := interruptContext(context.Background())
	defer stop()
	ctx, cancel := opts.context(ctx)
	defer cancel()
	events, stopTrace := tr.Events(ctx)
	defer stopTrace()
	out, closeOut := sig.PipeSafeOutput(opts.io.Out)
	defer closeOut()
	fmt.Fprintf(opts.io.ErrOut, "ready pid=%d trace=%s\n", os.Getpid(), tr.Dir())
	if !opts.json {
		if _, err := fmt.Fprintf(out, snoopFormat, "TIME", "EVENT", "SENDER", "SCOMM", "TARGET", "TCOMM", "SIGNAL", "CODE", "RESULT"); err != nil {
			return writeFail("sig snoop", err)
		}
	}
	for n := 0; opts.count == 0 || n < opts.count; n++ {
		var e sig.TraceEvent
		select {
		case e = <-events:
		case <-ctx.Done():
			switch {
			case errors.Is(ctx.Err(), context.DeadlineExceeded) && opts.count > 0:
				return obj.Explain(opts.wait("", fmt.Sprintf("%d event(s) of %d", n, opts.count), "within", ctx.Err()))
			case errors.Is(ctx.Err(), context.DeadlineExceeded):
				return nil
			}
			return &failure.Silent{Code: failure.SignalBase + int(interruptSignal())}
		}
		ev := toSnoopEvent(e)
		if opts.json {
			err = render.JSONLine(out, ev)
		} else {
			sender, scomm, tcomm := "-", "-", ev.TargetComm
			if ev.SenderPid != nil {
				sender, scomm = fmt.Sprint(*ev.SenderPid), ev.SenderComm
			}
			if scomm == "" {
				scomm = "?"
			}
			if tcomm == "" {
				tcomm = "?"
			}
			_, err = fmt.Fprintf(out, snoopFormat, ev.Time.Local().Format("15:04:05.000000"), ev.Event,
				sender, scomm, fmt.Sprint(ev.TargetPid), tcomm, ev.Signal, ev.Code, ev.Result)
		}
		if err != nil {
			return writeFail("sig snoop", err)
		}
	}
	return nil
}

func toSnoopEvent(e sig.TraceEvent) snoopEvent {
	ev := snoopEvent{Time: e.WallTime().UTC(), Event: e.Event, Signal: e.Signal.String(), Number: int(e.Signal),
		Code: sig.CodeName(e.Signal, e.Code), SiCode: e.Code, Result: sig.Outcome(e)}
	if e.Event == "generate" {
		pid := e.SenderPid
		ev.SenderPid, ev.SenderComm = &pid, e.Comm
		ev.TargetPid, ev.TargetComm = e.TargetPid, e.TargetComm
	} else {
		ev.TargetPid, ev.TargetComm = e.Pid, e.Comm
	}
	return ev
}
