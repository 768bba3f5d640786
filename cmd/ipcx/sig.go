package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

func newSigCmd(io *iostreams.IOStreams) *cobra.Command {
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
	c.AddCommand(
		newSigListCmd(io, nil),
		newSigSendCmd(io, nil),
		newSigTrapCmd(io, nil),
		newSigWaitCmd(io, nil),
		newSigSnoopCmd(io, nil),
		newSigStatusCmd(io, nil),
	)
	return groupObjects(c)
}

// parseSignal reads a signal name or number; an unknown one is a usage error pointing at the list.
func parseSignal(s string) (sig.Signal, error) {
	n, err := sig.Parse(s)
	if err != nil {
		return 0, usageHint("see the signals of this machine with: ipcx sig list", "unknown signal %q", s)
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
	if err != nil || n <= 0 {
		return 0, usageErrorf("%s: invalid process id %q: want a positive number", what, s)
	}
	return n, nil
}

// processFail turns an error about process pid (a process group when pid < 0) into what the user
// sees.
func processFail(verb string, pid int, err error) error {
	what := fmt.Sprintf("process %d", pid)
	if pid < 0 {
		what = fmt.Sprintf("process group %d", -pid)
	}
	var ce *cmdError
	if errors.As(err, &ce) {
		return err
	}
	e := &cmdError{code: exitFailure}
	switch {
	case errors.Is(err, unix.ESRCH), errors.Is(err, unix.ENOENT):
		e.code, e.msg = exitNoObject, fmt.Sprintf("sig %s: %s: no such process", verb, what)
		e.hint = "it may have exited already; list processes with: ps -e"
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		e.msg = fmt.Sprintf("sig %s: %s: permission denied", verb, what)
		e.hint = "it belongs to another user: run as that user or as root"
	default:
		e.msg = fmt.Sprintf("sig %s: %s: %v", verb, what, err)
	}
	return e
}
