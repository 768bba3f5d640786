package main

import (
	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

func newFifoCmd(io *iostreams.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "fifo",
		Short: "Named pipes (FIFOs): create, write, read, inspect, remove",
		Long: `Named pipes, as mkfifo(1) makes them (fifo(7)). A FIFO is named by its path.

Opening a FIFO waits for the other end: a reader waits for a writer and a writer for a reader.
--timeout bounds that wait (exit 124); --nonblock does not wait: a writer with no reader exits 5
("no reader"), a reader of an empty FIFO with no writer gets end of file at once.

` + exitStatusHelp,
		Example: `  $ ipcx fifo create /tmp/jobs
  $ ipcx fifo read --follow /tmp/jobs &
  $ ipcx fifo write /tmp/jobs 'first job' 'second job'
  $ ipcx fifo stat /tmp/jobs
  $ ipcx fifo rm /tmp/jobs`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(
		newFifoCreateCmd(io, nil),
		newFifoWriteCmd(io, nil),
		newFifoReadCmd(io, nil),
		newFifoStatCmd(io, nil),
		newFifoRmCmd(io, nil),
	)
	return groupObjects(c)
}

func fifoObject(path string) failure.Object {
	return failure.Object{Noun: "fifo", What: "FIFO", Addr: path}
}
