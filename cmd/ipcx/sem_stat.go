package main

import (
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type semStatOptions struct {
	io   *iostreams.IOStreams
	addr string
	json bool
}

// holderColumns are the processes that have a POSIX semaphore or shared memory object open or
// mapped (sem stat, shm stat).
var holderColumns = []render.Column[posix.Holder]{
	{Header: "PID", Value: func(h posix.Holder) string { return render.Int(h.PID) }},
	{Header: "COMMAND", Value: func(h posix.Holder) string { return h.Comm }},
	{Header: "FDS", Value: func(h posix.Holder) string {
		s := make([]string, len(h.FDs))
		for i, fd := range h.FDs {
			s[i] = render.Int(fd)
		}
		return strings.Join(s, ",")
	}},
	{Header: "MAPPED", Value: func(h posix.Holder) string { return yesNo(h.Mapped) }},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newSemStatCmd(io *iostreams.IOStreams, runF func(*semStatOptions) error) *cobra.Command {
	opts := &semStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat ADDR",
		Short: "Show a semaphore's attributes, value and users",
		Long: `Show a semaphore's attributes and state. POSIX: name, mode, owner, value, registered waiters,
time of the last change, and the processes that have it mapped (from /proc/PID/maps; other users'
processes need root). System V: key, id, mode, owner, number of semaphores, times of the last
semop and change, then every semaphore with its value, waiters (NCNT for an increase, ZCNT for
zero) and the last process that operated on it.

` + exitStatusHelp,
		Example: `  $ ipcx sem stat /lock
  $ ipcx sem stat --json key:0x1a2b`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return semStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNSWhole(c)
}

func semStatRun(opts *semStatOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	o, err := inventory.Stat(inventory.Sem, a)
	if err != nil {
		return semObject(a).Explain(err)
	}
	if opts.json {
		return render.JSONObject(opts.io.Out, render.SemFields(), o)
	}
	w := opts.io.Out
	rows := []*inventory.Object{o}
	if o.Flavor == inventory.POSIX {
		if err := render.Table(w, opts.io.OutTTY, render.SemStatPOSIX(), rows); err != nil {
			return err
		}
		if len(o.Users) == 0 {
			_, err := fmt.Fprintln(w, "\nno process has it mapped")
			return err
		}
		fmt.Fprintln(w)
		return render.Table(w, opts.io.OutTTY, holderColumns, o.Users)
	}
	if err := render.Table(w, opts.io.OutTTY, render.SemStatSysV(), rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return render.Table(w, opts.io.OutTTY, render.SemValueColumns, o.SemValues)
}
