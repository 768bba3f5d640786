package main

import (
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
)

type sigStatusOptions struct {
	io   *iostreams.IOStreams
	pid  string
	json bool
}

// sigStatus is what sig status reports. Signal lists are names, empty lists [].
type sigStatus struct {
	Pid           int      `json:"pid"`
	Name          string   `json:"name"`
	Blocked       []string `json:"blocked"`
	Ignored       []string `json:"ignored"`
	Caught        []string `json:"caught"`
	Pending       []string `json:"pending"`
	SharedPending []string `json:"sharedPending"`
	Queued        int      `json:"queued"`
	QueueLimit    int      `json:"queueLimit"`
}

type sigStatusRow struct {
	State   string
	Signals sig.Set
}

func newSigStatusCmd(io *iostreams.IOStreams, runF func(*sigStatusOptions) error) *cobra.Command {
	opts := &sigStatusOptions{io: io}
	c := &cobra.Command{
		Use:   "status PID",
		Short: "Show what a process blocks, ignores, catches and has pending",
		Long: `Decode the signal masks of /proc/PID/status into names: the signals the process's main thread
blocks (SigBlk), the ones it ignores (SigIgn) and catches with a handler (SigCgt), and the ones
pending for that thread (SigPnd) and for the whole process (ShdPnd). Anything not listed has its
default action (see: ipcx sig list).

A Go program catches every signal (its runtime installs handlers for all); glibc programs catch
nothing until they ask.

` + exitStatusHelp,
		Example: `  $ ipcx sig status 1234
  $ ipcx sig status --json $$`,
		Args: exactArgs(1, "one process id"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.pid = args[0]
			if runF != nil {
				return runF(opts)
			}
			return sigStatusRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func names(set sig.Set) []string {
	out := []string{}
	for _, s := range set.Signals() {
		out = append(out, s.String())
	}
	return out
}

func sigStatusRun(opts *sigStatusOptions) error {
	pid, err := parsePid("sig status", opts.pid)
	if err != nil {
		return err
	}
	st, err := sig.ReadStatus(pid)
	if err != nil {
		return processObject("status", pid).Explain(err)
	}
	if opts.json {
		return render.JSON(opts.io.Out, sigStatus{Pid: st.Pid, Name: st.Name, Blocked: names(st.Blocked),
			Ignored: names(st.Ignored), Caught: names(st.Caught), Pending: names(st.Pending),
			SharedPending: names(st.SharedPending), Queued: st.Queued, QueueLimit: st.QueueLimit})
	}
	rows := []sigStatusRow{
		{"blocked", st.Blocked}, {"ignored", st.Ignored}, {"caught", st.Caught},
		{"pending", st.Pending}, {"shared-pending", st.SharedPending},
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, []render.Column[sigStatusRow]{
		{Header: "STATE", Value: func(r sigStatusRow) string { return r.State }},
		{Header: "SIGNALS", Value: func(r sigStatusRow) string { return r.Signals.String() }},
	}, rows)
}
