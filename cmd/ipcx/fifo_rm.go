package main

import (
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/spf13/cobra"
)

type fifoRmOptions struct {
	io    *iostreams.IOStreams
	paths []string
}

func newFifoRmCmd(io *iostreams.IOStreams, runF func(*fifoRmOptions) error) *cobra.Command {
	opts := &fifoRmOptions{io: io}
	c := &cobra.Command{
		Use:   "rm PATH...",
		Short: "Remove FIFOs",
		Long: `Remove the FIFO at each PATH. A path that is not a FIFO (a regular file, a directory, a symbolic
link even to a FIFO) is refused and left alone. Processes that have the FIFO open keep using it.

` + exitStatusHelp,
		Example: `  $ ipcx fifo rm /tmp/jobs`,
		Args:    minArgs(1, "one or more paths"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.paths = args
			if runF != nil {
				return runF(opts)
			}
			return fifoRmRun(opts)
		},
	}
	return c
}

func fifoRmRun(opts *fifoRmOptions) error {
	for _, p := range opts.paths {
		if err := posix.RemoveFIFO(p); err != nil {
			return fifoObject(p).ToRemove().Explain(err)
		}
	}
	return nil
}
