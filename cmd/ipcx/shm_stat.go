package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type shmStatOptions struct {
	io   *iostreams.IOStreams
	addr string
	json bool
}

func newShmStatCmd(io *iostreams.IOStreams, runF func(*shmStatOptions) error) *cobra.Command {
	opts := &shmStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat ADDR",
		Short: "Show shared memory's size, mode, owner and users",
		Long: `Show shared memory's attributes. POSIX: name, size, mode, owner, time of the last change, and the
processes that have it open or mapped (from /proc/PID/fd and /proc/PID/maps; other users'
processes need root). System V: key, id, size, mode, owner, number of attaches, creator and last
pids, times of the last attach, detach and change, and whether it is marked for removal.

` + exitStatusHelp,
		Example: `  $ ipcx shm stat /frame
  $ ipcx shm stat --json key:0x1a2b`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return shmStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNSWhole(c)
}

func shmStatRun(opts *shmStatOptions) error {
	a, err := shmTarget(opts.addr)
	if err != nil {
		return err
	}
	o, err := inventory.Stat(inventory.Shm, a)
	if err != nil {
		return shmObject(a).Explain(err)
	}
	if opts.json {
		return render.JSONObject(opts.io.Out, render.ShmFields(), o)
	}
	w := opts.io.Out
	rows := []*inventory.Object{o}
	if o.Flavor == inventory.SysV {
		return render.Table(w, opts.io.OutTTY, render.ShmStatSysV(), rows)
	}
	if err := render.Table(w, opts.io.OutTTY, render.ShmStatPOSIX(), rows); err != nil {
		return err
	}
	if len(o.Users) == 0 {
		_, err := fmt.Fprintln(w, "\nno process has it open or mapped")
		return err
	}
	fmt.Fprintln(w)
	return render.Table(w, opts.io.OutTTY, holderColumns, o.Users)
}
