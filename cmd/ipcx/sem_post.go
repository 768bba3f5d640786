package main

import (
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
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
		return failure.Usagef("--by must be at least 1, got %d", opts.by)
	}
	if !a.IsSysV() && opts.by > posix.SemValueMax {
		return failure.Usagef("--by %d is over SEM_VALUE_MAX (%d), the largest a POSIX semaphore holds", opts.by, posix.SemValueMax)
	}
	s, obj, err := openSem(a, ipc.SemOptions{Index: opts.index, IndexSet: opts.flagSet("index")})
	if err != nil {
		return err
	}
	defer s.Close()
	if name, max := s.ValueMax(); opts.by > max {
		// only System V gets here: a POSIX --by was checked above
		return failure.Usagef("--by %d is over %s (%d), the largest a System V semaphore holds", opts.by, name, max)
	}
	return obj.Explain(s.Post(opts.by))
}
