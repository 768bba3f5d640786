package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
)

// sigVerbs are sig's subcommands (newRootCmdFor builds one alone).
var sigVerbs = []verb{
	{"list", func(io *iostreams.IOStreams) *cobra.Command { return newSigListCmd(io, nil) }},
	{"send", func(io *iostreams.IOStreams) *cobra.Command { return newSigSendCmd(io, nil) }},
	{"trap", func(io *iostreams.IOStreams) *cobra.Command { return newSigTrapCmd(io, nil) }},
	{"wait", func(io *iostreams.IOStreams) *cobra.Command { return newSigWaitCmd(io, nil) }},
	{"snoop", func(io *iostreams.IOStreams) *cobra.Command { return newSigSnoopCmd(io, nil) }},
	{"status", func(io *iostreams.IOStreams) *cobra.Command { return newSigStatusCmd(io, nil) }},
}

// newSigCmd builds sig with its subcommands: all, or the one named only (buildVerbs).
func newSigCmd(io *iostreams.IOStreams, only string) *cobra.Command {
	c := &cobra.Command{
		Use:   "sig",
		Short: "Signals: send (with sigqueue values), trap with the sender, wait, snoop, status",
		Long: `Signals, the smallest IPC there is. Send them through a pidfd, with a sigqueue(3) value and a
follow-up (--then KILL --after 5s); trap them with the sender's pid, uid, si_code and value; wait
for one in a script; watch every signal on the machine (snoop, root); decode what a process blocks,
ignores, catches and has pending.

Signal names: USR1, SIGUSR1, usr1, 10, RTMIN+3, SIGRTMAX-1. Real-time signals are numbered as glibc
and C programs see them: RTMIN is 34, RTMAX 64. See: ipcx sig list.

` + exitStatusHelp,
		Example: `  $ ipcx sig list
  $ ipcx sig send TERM 1234 --then KILL --after 5s --wait
  $ ipcx sig send RTMIN+1 1234 --value 42
  $ ipcx sig trap USR1 USR2 --json
  $ ipcx sig wait USR1 --timeout 30s && echo peer ready
  $ ipcx sig status 1234`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(buildVerbs(io, sigVerbs, only)...)
	return groupObjects(c)
}

// parseSignal reads a signal name or number; an unknown one is a usage error pointing at the list.
func parseSignal(s string) (sig.Signal, error) {
	n, err := sig.Parse(s)
	if err != nil {
		return 0, failure.UsageHint("see the signals of this machine with: ipcx sig list", "unknown signal %q", s)
	}
	return n, nil
}

// parseSignals reads several signal names into a set.
func parseSignals(names []string) (sig.Set, error) {
	var set sig.Set
	for _, name := range names {
		s, err := parseSignal(name)
		if err != nil {
			return 0, err
		}
		set = set.Add(s)
	}
	return set, nil
}

// parsePid reads a process id argument.
func parsePid(what, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) || err == nil && n > math.MaxInt32 {
		return 0, failure.Usagef("%s: invalid process id %q: pid out of range (at most %d)", what, s, math.MaxInt32)
	}
	if err != nil || n <= 0 {
		return 0, failure.Usagef("%s: invalid process id %q: want a positive number", what, s)
	}
	return n, nil
}

// processObject names process pid (a process group when pid < 0) for the table's sig rows.
func processObject(verb string, pid int) failure.Object {
	what := fmt.Sprintf("process %d", pid)
	if pid < 0 {
		what = fmt.Sprintf("process group %d", -pid)
	}
	return failure.Object{Noun: "sig", What: "process", Name: fmt.Sprintf("sig %s: %s", verb, what), PID: pid}
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
		fmt.Fprintf(&b, " pid=%d uid=%s", *ev.Pid, render.Opt(ev.Uid, render.Int[int], render.Unknown))
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
