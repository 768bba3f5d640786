package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type semLsOptions struct {
	io    *iostreams.IOStreams
	json  bool
	posix bool
	sysv  bool
}

func newSemLsCmd(io *iostreams.IOStreams, runF func(*semLsOptions) error) *cobra.Command {
	opts := &semLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List semaphores of both flavors",
		Long: `List every semaphore: System V sets from /proc/sysvipc/sem (all of them, whatever their
permissions), with their values when readable, and POSIX named semaphores from /dev/shm (glibc's
sem.NAME files). A value shown as ? could not be read (permission, or a file that is not a
semaphore).

` + exitStatusHelp,
		Example: `  $ ipcx sem ls
  $ ipcx sem ls --posix --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return semLsRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	c.Flags().BoolVar(&opts.posix, "posix", false, "POSIX semaphores only")
	c.Flags().BoolVar(&opts.sysv, "sysv", false, "System V sets only")
	return c
}

var semLsColumns = []render.Column[semStatus]{
	{Header: "FLAVOR", Value: func(s semStatus) string { return s.Flavor }},
	{Header: "ADDRESS", Value: func(s semStatus) string { return s.Address }},
	{Header: "KEY", Value: func(s semStatus) string { return optKey(s.Key) }},
	{Header: "MODE", Value: func(s semStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s semStatus) string { return s.Owner }},
	{Header: "NSEMS", Value: func(s semStatus) string { return fmt.Sprint(s.NSems) }},
	{Header: "VALUES", Value: semValuesText},
	{Header: "CTIME", Value: func(s semStatus) string { return optTime(s.CTime, false) },
		Human: func(s semStatus) string { return optTime(s.CTime, true) }},
}

func semLsRun(opts *semLsOptions) error {
	if opts.posix && opts.sysv {
		return errFlavorFlags
	}
	rows := []semStatus{}
	if !opts.posix {
		sets, err := sysv.SemSets()
		if err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("sem ls: reading System V semaphore sets: %v", err)}
		}
		for _, s := range sets {
			st := sysvSemStatus(s)
			// /proc/sysvipc does not show values; GETALL does, when permitted.
			if vals, err := sysvSemValues(s.ID); err == nil {
				st.Semaphores = vals
			}
			rows = append(rows, st)
		}
	}
	if !opts.sysv {
		sems, err := posix.SemList()
		if err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("sem ls: reading POSIX semaphores: %v", err)}
		}
		for _, s := range sems {
			rows = append(rows, posixSemStatus(s))
		}
	}
	if opts.json {
		return render.JSON(opts.io.Out, rows)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, semLsColumns, rows)
}
