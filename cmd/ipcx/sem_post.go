package main

import (
	"context"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type semPostOptions struct {
	io      *iostreams.IOStreams
	addr    string
	by      int
	index   int
	flagSet func(string) bool
}

func newSemPostCmd(io *iostreams.IOStreams, runF func(*semPostOptions) error) *cobra.Command {
	opts := &semPostOptions{io: io}
	c := &cobra.Command{
		Use:   "post ADDR",
		Short: "Add to a semaphore's value (release, V, signal)",
		Long: `Add 1 (or --by N) to a semaphore's value, waking processes that wait for it. POSIX semaphores
stop at SEM_VALUE_MAX (2147483647), System V ones at SEMVMX (32767): a post that would pass the
limit changes nothing and fails. For a System V set, --index picks the semaphore (default 0).

` + exitStatusHelp,
		Example: `  $ ipcx sem post /ready
  $ ipcx sem post /slots --by 3
  $ ipcx sem post key:0x1a2b --index 2`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return semPostRun(opts)
		},
	}
	c.Flags().IntVar(&opts.by, "by", 1, "add N instead of 1")
	c.Flags().IntVar(&opts.index, "index", 0, "System V: the semaphore of the set, from 0")
	return c
}

func semPostRun(opts *semPostOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	if opts.by < 1 {
		return usageErrorf("--by must be at least 1, got %d", opts.by)
	}
	if a.Kind == addr.POSIX && opts.by > posix.SemValueMax {
		return usageErrorf("--by %d is over SEM_VALUE_MAX (%d), the largest a POSIX semaphore holds", opts.by, posix.SemValueMax)
	}
	h, err := openSem(a, opts.index, opts.flagSet("index"))
	if err != nil {
		return err
	}
	defer h.close()
	if h.posix != nil {
		return h.fail(h.posix.Post(opts.by))
	}
	if opts.by > sysv.SemVMX {
		return usageErrorf("--by %d is over SEMVMX (%d), the largest a System V semaphore holds", opts.by, sysv.SemVMX)
	}
	op := sysv.Sembuf{Num: uint16(h.index), Op: int16(opts.by)}
	return h.fail(sysv.SemOp(context.Background(), h.id, []sysv.Sembuf{op}))
}
