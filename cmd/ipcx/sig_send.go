package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"
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

// sigTarget is a parsed TARGET: a process, or a process group (-PGID).
type sigTarget struct {
	pid   int
	group bool
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

var groupArg = regexp.MustCompile(`^-[0-9]+$`)

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
		case groupArg.MatchString(a):
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
		return false, usageErrorf("sig send: want a signal and at least one target (see: %s --help)", c.CommandPath())
	}
	opts.signal, opts.targets = pos[0], pos[1:]
	opts.setAfter = c.Flags().Changed("after")
	return false, nil
}

func sigSendRun(opts *sigSendOptions) error {
	var s sig.Signal // 0: only check that the targets exist and may be signalled (kill -0)
	var err error
	if opts.signal != "0" {
		if s, err = parseSignal(opts.signal); err != nil {
			return err
		}
	} else if opts.value != "" || opts.then != "" {
		return usageErrorf("sig send: signal 0 sends nothing: --value and --then need a signal")
	}
	var then sig.Signal
	switch {
	case opts.then != "" && !opts.setAfter:
		return usageErrorf("sig send: --then needs --after DUR: how long to give the targets")
	case opts.then == "" && opts.setAfter:
		return usageErrorf("sig send: --after needs --then SIG: what to send after it")
	case opts.after < 0:
		return usageErrorf("sig send: --after must not be negative")
	case opts.hasTimeout() && !opts.wait:
		return usageErrorf("sig send: --timeout bounds --wait: give --wait too")
	}
	if err := opts.checkTimeout(); err != nil {
		return err
	}
	if opts.then != "" {
		if then, err = parseSignal(opts.then); err != nil {
			return err
		}
	}
	var value int32
	queue := opts.value != ""
	if queue {
		v, err := strconv.ParseInt(opts.value, 0, 64)
		if err != nil || v < math.MinInt32 || v > math.MaxInt32 {
			return usageErrorf("sig send: invalid --value %q: want an int (%d to %d)", opts.value, math.MinInt32, math.MaxInt32)
		}
		value = int32(v)
	}
	var targets []sigTarget
	for _, a := range opts.targets {
		// kill(2) gives -1 and 0 special meanings that sig send never takes: -1 is every process
		// the caller may signal, 0 (and -0) the caller's own process group.
		switch a {
		case "-1":
			return usageHint("name the processes or a process group of 2 or more", "sig send: refusing target -1: kill(-1) would signal every process you may signal (process group 1 cannot be addressed)")
		case "0", "-0":
			return usageHint("name the processes or a process group of 2 or more", "sig send: refusing target %s: kill(0) would signal ipcx's own process group", a)
		}
		t := sigTarget{group: strings.HasPrefix(a, "-")}
		if t.pid, err = parsePid("sig send", strings.TrimPrefix(a, "-")); err != nil {
			return usageHint("a target is a pid, or -PGID for a process group", "sig send: invalid target %q", a)
		}
		if t.group && (queue || then != 0 || opts.wait) {
			return usageErrorf("sig send: process group %s: --value, --then and --wait need single processes", a)
		}
		targets = append(targets, t)
	}

	var first error
	note := func(err error) {
		if err == nil {
			return
		}
		if first == nil {
			first = err
		}
		if ce, ok := err.(*cmdError); ok {
			printError(opts.io.ErrOut, ce)
		}
	}
	var held []*sig.Process
	defer func() {
		for _, p := range held {
			p.Close()
		}
	}()
	for _, t := range targets {
		if t.group {
			if err := sig.SignalGroup(t.pid, s); err != nil {
				note(processFail("send", -t.pid, err))
			}
			continue
		}
		p, err := sig.OpenProcess(t.pid)
		if err == nil {
			if queue {
				err = p.Queue(s, value)
			} else {
				err = p.Signal(s)
			}
			if err != nil {
				p.Close()
			}
		}
		if err != nil {
			note(processFail("send", t.pid, err))
			continue
		}
		held = append(held, p)
	}

	if then != 0 {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range held {
			wg.Add(1)
			go func() {
				defer wg.Done()
				exited, err := p.Wait(opts.after)
				if err == nil && !exited {
					var sent bool
					if sent, err = thenResult(p.Signal(then)); sent {
						mu.Lock()
						fmt.Fprintf(opts.io.ErrOut, "ipcx: sig send: process %d still ran %v after %v: sent %v\n", p.Pid, opts.after, s, then)
						mu.Unlock()
					}
				}
				if err != nil {
					mu.Lock()
					note(processFail("send", p.Pid, err))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}

	if opts.wait {
		deadline := time.Now().Add(opts.timeout)
		for _, p := range held {
			d := opts.waitLimit()
			if d > 0 {
				if d = time.Until(deadline); d < 0 {
					d = 0
				}
			}
			exited, err := p.Wait(d)
			if err != nil {
				note(processFail("send", p.Pid, err))
			} else if !exited {
				note(&cmdError{code: exitTimeout, msg: fmt.Sprintf("sig send: process %d still runs %s", p.Pid, opts.allowed("after"))})
				break
			}
		}
	}
	if first != nil {
		if ce, ok := first.(*cmdError); ok {
			return &silentExit{code: ce.code}
		}
		return first
	}
	return nil
}

// thenResult reads the result of sending the --then signal: whether it was sent, and the error
// to report. The target may exit between the end of the wait and the send: ESRCH then means it
// is gone, which is what --then was for; that is no failure.
func thenResult(err error) (sent bool, fail error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ESRCH):
		return false, nil
	}
	return false, err
}
