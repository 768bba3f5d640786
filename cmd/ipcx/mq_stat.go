package main

import (
	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type mqStatOptions struct {
	io   *iostreams.IOStreams
	addr string
	json bool
}

func newMqStatCmd(io *iostreams.IOStreams, runF func(*mqStatOptions) error) *cobra.Command {
	opts := &mqStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat ADDR",
		Short: "Show a queue's attributes and state",
		Long: `Show a queue's attributes and state. POSIX: maxmsg, msgsize, messages and bytes on the queue, the
pid registered with mq_notify, mode, owner, mtime (the last send or receive, the creation before
any) and ctime (the last send, receive, chmod or chown, the creation before any). Reading a POSIX
queue's status makes the kernel set its ctime; ipcx reports the ctime from before such reads (its
own and others', e.g. cat /dev/mqueue/q), so looking at a queue does not change its ctime; a chmod
or chown followed by such a read shows as the mtime. System V: key, id, mode, owner, messages (qnum),
bytes (cbytes), the byte limit (qbytes), the last sender and receiver pids and the times of the
last send, receive and change.

` + exitStatusHelp,
		Example: `  $ ipcx mq stat /jobs
  $ ipcx mq stat --json id:0`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return mqStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNSWhole(c)
}

func mqStatRun(opts *mqStatOptions) error {
	a, err := parseAddr(opts.addr)
	if err != nil {
		return err
	}
	if a.Kind == addr.Private {
		return failure.UsageHint("name an existing queue with id:N or a key", "private names no existing queue")
	}
	o, err := inventory.Stat(inventory.MQ, a)
	if err != nil {
		return mqObject(a.String()).Explain(err)
	}
	if opts.json {
		return render.JSONObject(opts.io.Out, render.MqStatFields(), o)
	}
	cols := render.MqStatSysV()
	if o.Flavor == inventory.POSIX {
		cols = render.MqStatPOSIX()
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, cols, []*inventory.Object{o})
}
