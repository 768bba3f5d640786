package main

import (
	"context"
	"fmt"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sysv"
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
	h, err := openSem(a, opts.index, opts.flagSet("index"))
	if err != nil {
		return err
	}
	defer h.close()
	ctx, stop := interruptContext(context.Background())
	defer stop()
	return h.waitErr(h.take(ctx, &opts.wait, false), &opts.wait)
}

// take waits for and takes one unit. undo (System V) makes the kernel give it back when ipcx
// exits without posting.
func (h *semHandle) take(ctx context.Context, w *waitFlags, undo bool) error {
	if h.posix != nil {
		if w.nonblock {
			return h.posix.TryWait()
		}
		wctx, cancel := w.context(ctx)
		defer cancel()
		return h.posix.Wait(wctx)
	}
	op := sysv.Sembuf{Num: uint16(h.index), Op: -1}
	if w.nonblock {
		op.Flg |= sysv.NoWait
	}
	if undo {
		op.Flg |= sysv.SemUndo
	}
	wctx, cancel := w.context(ctx)
	defer cancel()
	return sysv.SemOp(wctx, h.id, []sysv.Sembuf{op})
}

// waitErr words the errors of a wait.
func (h *semHandle) waitErr(err error, w *waitFlags) error {
	if err == nil {
		return nil
	}
	e, ok := h.fail(err).(*cmdError)
	if !ok {
		return err
	}
	switch e.code {
	case exitWouldBlock:
		e.msg = fmt.Sprintf("%s: the value is 0", h.obj)
	case exitTimeout:
		e.msg = fmt.Sprintf("%s: the value stayed 0 for %v", h.obj, w.timeout)
		if w.zero() {
			e.msg = fmt.Sprintf("%s: the value is 0 %s", h.obj, noWaitNote)
		}
	}
	return e
}
