package main

import (
	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/spf13/cobra"
)

type semRmOptions struct {
	io    *iostreams.IOStreams
	addrs []string
}

func newSemRmCmd(io *iostreams.IOStreams, runF func(*semRmOptions) error) *cobra.Command {
	opts := &semRmOptions{io: io}
	c := &cobra.Command{
		Use:   "rm ADDR...",
		Short: "Remove semaphores",
		Long: `Remove the named semaphores. A POSIX semaphore's name goes at once; processes that have it open
keep using it until they close it. A System V set goes at once, and processes waiting on it get
EIDRM.

Every named semaphore that exists is removed even when another is missing; then ipcx exits 3.

` + exitStatusHelp,
		Example: `  $ ipcx sem rm /lock
  $ ipcx sem rm id:0 key:0x1a2b /other`,
		Args: minArgs(1, "one or more addresses"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addrs = args
			if runF != nil {
				return runF(opts)
			}
			return semRmRun(opts)
		},
	}
	return c
}

func semRmRun(opts *semRmOptions) error {
	addrs := make([]addr.Addr, len(opts.addrs))
	for i, s := range opts.addrs {
		a, err := semTarget(s)
		if err != nil {
			return err
		}
		addrs[i] = a
	}
	var last error
	for _, a := range addrs {
		err := ipc.RemoveSemaphore(a)
		if err == nil {
			continue
		}
		if last != nil {
			failure.Print(opts.io.ErrOut, last)
		}
		last = semObject(a).ToRemove().Explain(err)
	}
	return last
}
