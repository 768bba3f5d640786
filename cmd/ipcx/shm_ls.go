package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type shmLsOptions struct {
	io    *iostreams.IOStreams
	json  bool
	posix bool
	sysv  bool
}

func newShmLsCmd(io *iostreams.IOStreams, runF func(*shmLsOptions) error) *cobra.Command {
	opts := &shmLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List shared memory of both flavors",
		Long: `List all shared memory: System V segments from /proc/sysvipc/shm (all of them, whatever their
permissions; a segment marked for removal but still attached shows key 0x00000000 and status
removed) and POSIX objects from /dev/shm (its regular files except glibc's sem.* semaphores).

` + exitStatusHelp,
		Example: `  $ ipcx shm ls
  $ ipcx shm ls --sysv --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return shmLsRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	c.Flags().BoolVar(&opts.posix, "posix", false, "POSIX objects only")
	c.Flags().BoolVar(&opts.sysv, "sysv", false, "System V segments only")
	return c
}

var shmLsColumns = []render.Column[shmStatus]{
	{Header: "FLAVOR", Value: func(s shmStatus) string { return s.Flavor }},
	{Header: "ADDRESS", Value: func(s shmStatus) string { return s.Address }},
	{Header: "KEY", Value: func(s shmStatus) string { return optKey(s.Key) }},
	{Header: "MODE", Value: func(s shmStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s shmStatus) string { return s.Owner }},
	shmSizeColumn(),
	{Header: "NATTCH", Value: func(s shmStatus) string {
		if s.NAttch == nil {
			return "-"
		}
		return fmt.Sprint(*s.NAttch)
	}},
	{Header: "CTIME", Value: func(s shmStatus) string { return optTime(s.CTime, false) },
		Human: func(s shmStatus) string { return optTime(s.CTime, true) }},
	{Header: "STATUS", Value: shmState},
}

func shmLsRun(opts *shmLsOptions) error {
	if opts.posix && opts.sysv {
		return errFlavorFlags
	}
	rows := []shmStatus{}
	if !opts.posix {
		segs, err := sysv.ShmSegs()
		if err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("shm ls: reading System V segments: %v", err)}
		}
		for _, s := range segs {
			rows = append(rows, sysvShmStatus(s))
		}
	}
	if !opts.sysv {
		objs, err := posix.ShmList()
		if err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("shm ls: reading POSIX objects: %v", err)}
		}
		for _, o := range objs {
			rows = append(rows, posixShmStatus(o))
		}
	}
	if opts.json {
		return render.JSON(opts.io.Out, rows)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, shmLsColumns, rows)
}
