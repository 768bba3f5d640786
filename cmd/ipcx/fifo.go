package main

import (
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// fifoVerbs are fifo's subcommands (newRootCmdFor builds one alone).
var fifoVerbs = []verb{
	{"create", func(io *iostreams.IOStreams) *cobra.Command { return newFifoCreateCmd(io, nil) }},
	{"write", func(io *iostreams.IOStreams) *cobra.Command { return newFifoWriteCmd(io, nil) }},
	{"read", func(io *iostreams.IOStreams) *cobra.Command { return newFifoReadCmd(io, nil) }},
	{"stat", func(io *iostreams.IOStreams) *cobra.Command { return newFifoStatCmd(io, nil) }},
	{"rm", func(io *iostreams.IOStreams) *cobra.Command { return newFifoRmCmd(io, nil) }},
}

// newFifoCmd builds fifo with its subcommands: all, or the one named only (buildVerbs).
func newFifoCmd(io *iostreams.IOStreams, only string) *cobra.Command {
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
	c.AddCommand(buildVerbs(io, fifoVerbs, only)...)
	return groupObjects(c)
}

func fifoObject(path string) failure.Object {
	return failure.Object{Noun: "fifo", What: "FIFO", Addr: path}
}
