package main

import (
	"context"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/spf13/cobra"
)

type semWaitOptions struct {
	io      *iostreams.IOStreams
	addr    string
	index   int
	wait    waitFlags
	flagSet func(string) bool
}

func newSemWaitCmd(io *iostreams.IOStreams, runF func(*semWaitOptions) error) *cobra.Command {
	opts := &semWaitOptions{io: io}
	c := &cobra.Command{
		Use:   "wait ADDR",
		Short: "Take one unit of a semaphore, waiting while it is 0 (acquire, P)",
		Long: `Take one unit of a semaphore: subtract 1 from its value, first waiting while the value is 0.
--nonblock does not wait (exit 5 when the value is 0); --timeout waits at most that long (exit
124), and --timeout 0 takes a unit only when one is free at once (exit 124 otherwise). Ctrl-C or
Ctrl-\ stops the wait and takes nothing (exit 130, 131). For a System V set, --index picks the
semaphore (default 0).

` + exitStatusHelp,
		Example: `  $ ipcx sem wait /ready
  $ ipcx sem wait /lock --timeout 10s || echo "busy"
  $ ipcx sem wait key:0x1a2b --index 1 --nonblock`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return semWaitRun(opts)
		},
	}
	c.Flags().IntVar(&opts.index, "index", 0, "System V: the semaphore of the set, from 0")
	opts.wait.register(c, "the value is 0")
	return c
}

func semWaitRun(opts *semWaitOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	if err := opts.wait.validate(); err != nil {
		return err
	}
	s, obj, err := openSem(a, ipc.SemOptions{Index: opts.index, IndexSet: opts.flagSet("index")})
	if err != nil {
		return err
	}
	defer s.Close()
	err = tryThenWait(&opts.wait, func(ctx context.Context, nonblock bool) error {
		return s.Take(ctx, nonblock, false)
	})
	return semWaitFail(obj, err, &opts.wait)
}

// semTake waits for and takes one unit, as long as --timeout allows. undo (System V) makes the
// kernel give it back when ipcx exits without posting.
func semTake(ctx context.Context, s *ipc.Semaphore, w *waitFlags, undo bool) error {
	wctx, cancel := w.context(ctx)
	defer cancel()
	return s.Take(wctx, w.nonblock, undo)
}

// semWaitFail says how a wait for a unit ended.
func semWaitFail(obj failure.Object, err error, w *waitFlags) error {
	if err == nil {
		return nil
	}
	return obj.Explain(w.wait("the value is 0", "the value stayed 0", "for", err))
}
