package main

import (
	"strconv"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type semSetOptions struct {
	io      *iostreams.IOStreams
	addr    string
	values  []string
	index   int
	flagSet func(string) bool
}

func newSemSetCmd(io *iostreams.IOStreams, runF func(*semSetOptions) error) *cobra.Command {
	opts := &semSetOptions{io: io}
	c := &cobra.Command{
		Use:   "set ADDR VALUE...",
		Short: "Set the values of a System V semaphore set",
		Long: `Set semaphore values of a System V set: one VALUE sets the semaphore --index (SETVAL; without
--index the set must have a single semaphore), one VALUE per semaphore sets them all at once
(SETALL). Values go from 0 to SEMVMX (32767). Setting a value clears every process's SEM_UNDO
adjustment for it, and wakes the processes it satisfies.

POSIX semaphores have no such operation: their value changes only by post and wait.

` + exitStatusHelp,
		Example: `  $ ipcx sem set key:0x1a2b 1
  $ ipcx sem set key:0x1a2b --index 2 5
  $ ipcx sem set id:3 1 0 0`,
		Args: minArgs(2, "an address and one or more values"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr, opts.values = args[0], args[1:]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return semSetRun(opts)
		},
	}
	c.Flags().IntVar(&opts.index, "index", 0, "the semaphore to set, from 0 (with one VALUE)")
	return c
}

func semSetRun(opts *semSetOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	if !a.IsSysV() {
		return failure.UsageHint("post (ipcx sem post --by N) or wait to change it, or remove and create it again with --value",
			"sem %s: a POSIX semaphore cannot be set: sem_open(3) semaphores change only by post and wait", a)
	}
	vals := make([]uint16, len(opts.values))
	for i, s := range opts.values {
		v, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil:
			return failure.Usagef("invalid value %q: want a whole number from 0 to %d", s, sysv.SemVMX)
		case v < 0:
			return failure.Usagef("invalid value %d: a semaphore's value is never negative", v)
		case v > sysv.SemVMX:
			return failure.Usagef("invalid value %d: over SEMVMX (%d), the largest a System V semaphore holds", v, sysv.SemVMX)
		}
		vals[i] = uint16(v)
	}
	if len(vals) > 1 && opts.flagSet("index") {
		return failure.Usagef("--index goes with one value; several values set the whole set")
	}
	s, obj, err := openSem(a, ipc.SemOptions{Index: opts.index, IndexSet: opts.flagSet("index")})
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case len(vals) == 1 && (opts.flagSet("index") || s.NSems() == 1):
		return obj.Explain(s.Set(vals, false))
	case len(vals) == s.NSems():
		return obj.Explain(s.Set(vals, true))
	}
	return failure.UsageHint("give one value per semaphore, or one value with --index",
		"sem %s: %d value(s) for a set of %d semaphores", a, len(vals), s.NSems())
}
