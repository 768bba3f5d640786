package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
)

type sigListOptions struct {
	io   *iostreams.IOStreams
	json bool
}

// sigInfo is a row of sig list.
type sigInfo struct {
	Number      int    `json:"number"`
	Name        string `json:"name"`
	Action      string `json:"action"`
	Description string `json:"description"`
}

func newSigListCmd(io *iostreams.IOStreams, runF func(*sigListOptions) error) *cobra.Command {
	opts := &sigListOptions{io: io}
	c := &cobra.Command{
		Use:   "list",
		Short: "List the signals with number, default action and description",
		Long: `List every signal of this machine: number, name, default action and a one-line description.
Default actions (signal(7)): Term ends the process, Core ends it with a core dump, Stop stops it,
Cont continues it, Ign ignores the signal. Real-time signals are RTMIN+N, with RTMIN 34 as glibc
counts (32 and 33 belong to glibc's threads and are not listed).

` + exitStatusHelp,
		Example: `  $ ipcx sig list
  $ ipcx sig list --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sigListRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func sigListRun(opts *sigListOptions) error {
	var rows []sigInfo
	for _, s := range sig.List() {
		rows = append(rows, sigInfo{Number: int(s), Name: s.String(), Action: string(s.Action()), Description: s.Description()})
	}
	if opts.json {
		return render.JSON(opts.io.Out, rows)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, []render.Column[sigInfo]{
		{Header: "NUMBER", Value: func(r sigInfo) string { return fmt.Sprint(r.Number) }},
		{Header: "NAME", Value: func(r sigInfo) string { return r.Name }},
		{Header: "ACTION", Value: func(r sigInfo) string { return r.Action }},
		{Header: "DESCRIPTION", Value: func(r sigInfo) string { return r.Description }},
	}, rows)
}
