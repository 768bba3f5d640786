package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type sigSendOptions struct {
	io      *iostreams.IOStreams
	signal  string
	targets []string
	value   string // --value, "" when not given
	then    string
	after   time.Duration
	wait    bool
	timeoutFlag
	setAfter bool
}

func newSigSendCmd(io *iostreams.IOStreams, runF func(*sigSendOptions) error) *cobra.Command {
	opts := &sigSendOptions{io: io}
	c := &cobra.Command{
		Use:   "send SIG TARGET...",
		Short: "Send a signal to processes or process groups, with a value, a follow-up, a wait",
		Long: `Send SIG to each TARGET: a pid, or -PGID for every process of a process group (kill(2)). A pid
is held by a pidfd (pidfd_open(2)) from the start, so that --then and --wait never reach another
process that got the same pid after the target exited. The id of a thread names its whole
process, as for kill(1).

--value N sends with sigqueue(3) semantics (si_code SI_QUEUE): the receiver's siginfo carries N
(try: ipcx sig trap). Real-time signals (RTMIN..RTMAX) queue, each with its value; standard
signals coalesce while one is pending.

--then SIG2 --after DUR sends SIG2 to each target that still runs DUR after SIG, like util-linux
kill --timeout; a note on stderr says so. --wait then waits until every target has exited
(--timeout DUR bounds the wait). Process groups take neither: they are not held by a pidfd.

SIG 0 sends nothing: like kill -0 it checks that each TARGET exists and may be signalled (exit 0;
3 when one is missing, 1 when permission is denied).

` + exitStatusHelp + `

A missing process exits 3, a process of another user (permission denied) 1; with several targets
the others are still signalled, and the exit status is that of the first failure.`,
		Example: `  $ ipcx sig send HUP 1234
  $ ipcx sig send 0 1234 && echo running
  $ ipcx sig send USR1 1234 5678 -4321
  $ ipcx sig send RTMIN+2 1234 --value 42
  $ ipcx sig send TERM 1234 --then KILL --after 5s --wait`,
		DisableFlagParsing: true, // -PGID is a target, not a flag: sigSendParse reads the flags
		RunE: func(c *cobra.Command, args []string) error {
			help, err := sigSendParse(c, opts, args)
			if help || err != nil {
				if help {
					return c.Help()
				}
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return sigSendRun(opts)
		},
	}
	c.Flags().StringVar(&opts.value, "value", "", "send with this sigqueue value (an int)")
	c.Flags().StringVar(&opts.then, "then", "", "signal to send when a target still runs after --after")
	c.Flags().DurationVar(&opts.after, "after", 0, "how long --then waits (like 5s)")
	c.Flags().BoolVar(&opts.wait, "wait", false, "wait until every target has exited")
	opts.registerTimeout(c, "with --wait: wait at most this long, exit 124 after; 0 does not wait (exit 124 unless every target has exited)")
	return c
}

// groupArg is a process group target (-PGID), compiled on first use: a package-level regexp is
// compiled by every ipcx command at start.
var groupArg = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-[0-9]+$`) })

// sigSendParse parses the flags itself, so that -1234 is a process group and not an unknown flag.
// It reports whether help was asked for.
func sigSendParse(c *cobra.Command, opts *sigSendOptions, args []string) (bool, error) {
	const mark = "\x00"
	var rest []string
	takesValue := false
	for i, a := range args {
		switch {
		case a == "--":
			rest = append(rest, args[i:]...)
		case takesValue:
			takesValue = false
		case groupArg().MatchString(a):
			a = mark + a
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			if f := c.Flags().Lookup(a[2:]); f != nil && f.NoOptDefVal == "" {
				takesValue = true
			}
		}
		if a == "--" {
			break
		}
		rest = append(rest, a)
	}
	if err := c.Flags().Parse(rest); err != nil {
		if err == pflag.ErrHelp {
			return true, nil
		}
		return false, c.FlagErrorFunc()(c, err)
	}
	if help, _ := c.Flags().GetBool("help"); help {
		return true, nil
	}
	pos := c.Flags().Args()
	for i := range pos {
		pos[i] = strings.TrimPrefix(pos[i], mark)
	}
	if len(pos) < 2 {
		return false, failure.Usagef("sig send: want a signal and at least one target (see: %s --help)", c.CommandPath())
	}
	opts.signal, opts.targets = pos[0], pos[1:]
	opts.setAfter = c.Flags().Changed("after")
	return false, nil
}

func sigSendRun(opts *sigSendOptions) error {
	var req sig.SendOptions // Signal 0: only check that the targets exist and may be signalled (kill -0)
	var err error
	if opts.signal != "0" {
		if req.Signal, err = parseSignal(opts.signal); err != nil {
			return err
		}
	} else if opts.value != "" || opts.then != "" {
		return failure.Usagef("sig send: signal 0 sends nothing: --value and --then need a signal")
	}
	switch {
	case opts.then != "" && !opts.setAfter:
		return failure.Usagef("sig send: --then needs --after DUR: how long to give the targets")
	case opts.then == "" && opts.setAfter:
		return failure.Usagef("sig send: --after needs --then SIG: what to send after it")
	case opts.after < 0:
		return failure.Usagef("sig send: --after must not be negative")
	case opts.hasTimeout() && !opts.wait:
		return failure.Usagef("sig send: --timeout bounds --wait: give --wait too")
	}
	if err := opts.checkTimeout(); err != nil {
		return err
	}
	if opts.then != "" {
		if req.Then, err = parseSignal(opts.then); err != nil {
			return err
		}
	}
	req.After, req.Wait, req.Timeout = opts.after, opts.wait, opts.waitLimit()
	if req.Queue = opts.value != ""; req.Queue {
		if req.Value, err = sig.ParseValue(opts.value); err != nil {
			return failure.Usagef("sig send: invalid --value %q: want an int (%d to %d)", opts.value, math.MinInt32, math.MaxInt32)
		}
	}
	var targets []sig.Target
	for _, a := range opts.targets {
		t, err := sig.ParseTarget(a)
		switch {
		case errors.Is(err, sig.ErrEveryProcess):
			return failure.UsageHint("name the processes or a process group of 2 or more", "sig send: refusing target -1: kill(-1) would signal every process you may signal (process group 1 cannot be addressed)")
		case errors.Is(err, sig.ErrOwnGroup):
			return failure.UsageHint("name the processes or a process group of 2 or more", "sig send: refusing target %s: kill(0) would signal ipcx's own process group", a)
		case errors.Is(err, sig.ErrPidRange):
			return failure.UsageHint("a target is a pid, or -PGID for a process group", "sig send: invalid target %q: %v", a, err)
		case err != nil:
			return failure.UsageHint("a target is a pid, or -PGID for a process group", "sig send: invalid target %q", a)
		case t.Group && (req.Queue || req.Then != 0 || req.Wait):
			return failure.Usagef("sig send: process group %s: --value, --then and --wait need single processes", a)
		}
		targets = append(targets, t)
	}

	first := 0 // the exit status of the first failure
	sig.Send(targets, req, func(ev sig.SendEvent) {
		if ev.ThenSent {
			fmt.Fprintf(opts.io.ErrOut, "ipcx: sig send: process %d still ran %v after %v: sent %v\n", ev.Target.Pid, opts.after, req.Signal, req.Then)
			return
		}
		pid := ev.Target.Pid
		if ev.Target.Group {
			pid = -pid
		}
		var e error
		var still *sig.StillRunsError
		if errors.As(ev.Err, &still) {
			e = failure.Object{Noun: "sig", Name: "sig send"}.Explain(opts.timeoutFlag.wait("", still.Error(), "after", ev.Err))
		} else {
			e = processObject("send", pid).Explain(ev.Err)
		}
		if first == 0 {
			first = failure.Code(e)
		}
		failure.Print(opts.io.ErrOut, e)
	})
	if first != 0 {
		return &failure.Silent{Code: first}
	}
	return nil
}
