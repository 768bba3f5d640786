package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type semGetOptions struct {
	io      *iostreams.IOStreams
	addr    string
	index   int
	json    bool
	flagSet func(string) bool
}

func newSemGetCmd(io *iostreams.IOStreams, runF func(*semGetOptions) error) *cobra.Command {
	opts := &semGetOptions{io: io}
	c := &cobra.Command{
		Use:   "get ADDR",
		Short: "Print a semaphore's value",
		Long: `Print a semaphore's value: for a POSIX semaphore (and with --index for one semaphore of a System
V set) the number alone, for scripts; for a System V set a table of every semaphore with its value,
the processes waiting for it to grow (NCNT) or to reach zero (ZCNT), and the last process that
operated on it (PID). --json adds the waiters of a POSIX semaphore.

` + exitStatusHelp,
		Example: `  $ ipcx sem get /slots
  $ ipcx sem get key:0x1a2b
  $ ipcx sem get key:0x1a2b --index 1`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return semGetRun(opts)
		},
	}
	c.Flags().IntVar(&opts.index, "index", 0, "System V: print this semaphore's value alone")
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func semGetRun(opts *semGetOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	s, obj, err := openSem(a, ipc.SemOptions{Index: opts.index, IndexSet: opts.flagSet("index"), ReadOnly: true})
	if err != nil {
		return err
	}
	defer s.Close()
	vals, err := s.Values()
	if err != nil {
		return obj.Explain(err)
	}
	if !s.IsSet() || opts.flagSet("index") {
		v := vals[s.Index()]
		if opts.json {
			return render.JSON(opts.io.Out, v)
		}
		_, err := fmt.Fprintln(opts.io.Out, v.Value)
		return err
	}
	if opts.json {
		return render.JSON(opts.io.Out, vals)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, render.SemValueColumns, vals)
}
