package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type semOpOptions struct {
	io   *iostreams.IOStreams
	addr string
	ops  []string
	undo bool
	wait waitFlags
}

func newSemOpCmd(io *iostreams.IOStreams, runF func(*semOpOptions) error) *cobra.Command {
	opts := &semOpOptions{io: io}
	c := &cobra.Command{
		Use:   "op ADDR INDEX:OP...",
		Short: "Do several operations on a System V set at once (semop)",
		Long: `Do the operations on a System V semaphore set as one semop(2): all of them at once or none, waiting
until all can be done. Each operation is INDEX:OP —

  0:-1   wait until semaphore 0 is at least 1, and take 1
  1:+2   add 2 to semaphore 1
  2:0    wait until semaphore 2 is 0

--undo makes the kernel revert the operations when ipcx exits (SEM_UNDO), which for one command
means at once: it is useful with wait-for-zero and for testing. --nonblock does not wait (exit 5),
--timeout waits at most that long (exit 124; --timeout 0: when they cannot be done at once);
Ctrl-C stops the wait and changes nothing.

` + exitStatusHelp,
		Example: `  $ ipcx sem op key:0x1a2b 0:-1 1:+1
  $ ipcx sem op id:3 2:0 --timeout 5s
  $ ipcx sem op key:0x1a2b 0:-1 1:-1 --nonblock`,
		Args: minArgs(2, "an address and one or more INDEX:OP operations"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr, opts.ops = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return semOpRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.undo, "undo", false, "revert the operations when ipcx exits (SEM_UNDO)")
	opts.wait.register(c, "the operations cannot be done at once")
	return c
}

func semOpRun(opts *semOpOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	if !a.IsSysV() {
		return failure.UsageHint("use ipcx sem post and ipcx sem wait", "sem %s: semop works on System V sets; a POSIX semaphore has only post and wait", a)
	}
	if err := opts.wait.validate(); err != nil {
		return err
	}
	ops := make([]sysv.Sembuf, len(opts.ops))
	for i, s := range opts.ops {
		op, err := sysv.ParseSemOp(s)
		if err != nil {
			return failure.Usagef("%v", err)
		}
		ops[i] = op
	}
	s, obj, err := openSem(a, ipc.SemOptions{})
	if err != nil {
		return err
	}
	defer s.Close()
	err = tryThenWait(&opts.wait, func(ctx context.Context, nonblock bool) error {
		return s.Op(ctx, ops, nonblock, opts.undo)
	})
	var ie *ipc.IndexError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ie):
		return failure.UsageHint(fmt.Sprintf("the set has %d semaphore(s): indexes 0 to %d", ie.NSems, ie.NSems-1),
			"sem %s: no semaphore %d in the set", a, ie.Index)
	}
	what := strings.Join(opts.ops, " ")
	return obj.Explain(opts.wait.wait(what+" cannot be done now", what+" could not be done", "within", err))
}
