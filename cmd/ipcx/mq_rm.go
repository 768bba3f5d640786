package main

import (
	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/spf13/cobra"
)

type mqRmOptions struct {
	io    *iostreams.IOStreams
	addrs []string
}

func newMqRmCmd(io *iostreams.IOStreams, runF func(*mqRmOptions) error) *cobra.Command {
	opts := &mqRmOptions{io: io}
	c := &cobra.Command{
		Use:   "rm ADDR...",
		Short: "Remove message queues",
		Long: `Remove the named queues. A POSIX queue's name goes at once; processes that have it open keep using
it until they close it. A System V queue goes at once, and processes waiting on it get EIDRM.

Every named queue that exists is removed even when another is missing; then ipcx exits 3.

` + exitStatusHelp,
		Example: `  $ ipcx mq rm /jobs
  $ ipcx mq rm id:0 key:0x1a2b /other`,
		Args: minArgs(1, "one or more addresses"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addrs = args
			if runF != nil {
				return runF(opts)
			}
			return mqRmRun(opts)
		},
	}
	return c
}

func mqRmRun(opts *mqRmOptions) error {
	addrs := make([]addr.Addr, len(opts.addrs))
	for i, s := range opts.addrs {
		a, err := parseAddr(s)
		if err != nil {
			return err
		}
		if a.Kind == addr.Private {
			return failure.UsageHint("name the queue with id:N", "private names no existing queue")
		}
		addrs[i] = a
	}
	var last error
	for _, a := range addrs {
		err := ipc.RemoveQueue(a)
		if err == nil {
			continue
		}
		if last != nil {
			failure.Print(opts.io.ErrOut, last)
		}
		last = mqObject(a.String()).ToRemove().Explain(err)
	}
	return last
}
