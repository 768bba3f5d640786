package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type limitsOptions struct {
	io   *iostreams.IOStreams
	ns   inventory.Namespace
	json bool
}

func newLimitsCmd(io *iostreams.IOStreams, runF func(*limitsOptions) error) *cobra.Command {
	opts := &limitsOptions{io: io}
	c := &cobra.Command{
		Use:   "limits",
		Short: "Show the kernel's IPC limits with their current use",
		Long: `Show every System V limit (msgmni, msgmax, msgmnb, shmmax, shmall, shmmni, semmsl, semmns,
semopm, semmni, semvmx), the POSIX message queue limits (/proc/sys/fs/mqueue) and the pipe limits
(PIPE_BUF, pipe-max-size), each with its current use and percentage where the objects of the IPC
namespace give one. USE says what is counted: the number of objects for the *mni limits, the
largest object for the per-object ones.

The System V and mqueue limits belong to the IPC namespace (see --ns).

` + exitStatusHelp,
		Example: `  $ ipcx limits
  $ ipcx limits --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := namespaceOf(c)
			if err != nil {
				return err
			}
			opts.ns = ns
			if runF != nil {
				return runF(opts)
			}
			return limitsRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNS(c)
}

// limitRow is one limit as limits reports it.
type limitRow struct {
	Name    string   `json:"name"`
	Value   *uint64  `json:"value"`
	Unit    string   `json:"unit"`
	Use     *int64   `json:"use"`
	UseOf   string   `json:"useOf,omitempty"`
	Percent *float64 `json:"percent"`
	Global  bool     `json:"global"`
	What    string   `json:"what"`
	Source  string   `json:"source"`
}

var limitColumns = []render.Column[limitRow]{
	{Header: "LIMIT", Value: func(r limitRow) string { return r.Name }},
	{Header: "VALUE", Value: func(r limitRow) string {
		if r.Value == nil {
			return "?"
		}
		return fmt.Sprint(*r.Value)
	}},
	{Header: "USE", Value: func(r limitRow) string {
		if r.Use == nil {
			return "-"
		}
		return fmt.Sprint(*r.Use)
	}},
	{Header: "USE%", Value: func(r limitRow) string {
		if r.Percent == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", *r.Percent)
	}},
	{Header: "UNIT", Value: func(r limitRow) string { return r.Unit }},
	{Header: "LIMITS", Value: func(r limitRow) string { return r.What }},
}

// readLimits lists the namespace and reads its limits, inside it.
func readLimits(ns inventory.Namespace) ([]inventory.Limit, error) {
	lims, err := ns.Limits()
	if err != nil && !ns.Own() {
		return nil, nsObject(ns).Explain(err)
	}
	if err != nil {
		return nil, failure.Newf(failure.Failure, "limits: %v", err)
	}
	return lims, nil
}

func limitsRun(opts *limitsOptions) error {
	lims, err := readLimits(opts.ns)
	if err != nil {
		return err
	}
	rows := make([]limitRow, len(lims))
	for i, l := range lims {
		rows[i] = limitRow{Name: l.Name, Unit: l.Unit, Use: l.Use, UseOf: l.UseOf, Global: l.Global, What: l.What, Source: l.Source}
		if l.Known {
			v := l.Value
			rows[i].Value = &v
		}
		if p := l.Percent(); p >= 0 {
			rows[i].Percent = &p
		}
	}
	if opts.json {
		return render.JSON(opts.io.Out, rows)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, limitColumns, rows)
}
