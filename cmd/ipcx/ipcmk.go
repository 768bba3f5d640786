package main

import (
	"github.com/ipcx/ipcx/internal/compat"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

func newIpcmkCmd(io *iostreams.IOStreams) *cobra.Command {
	return compatCmd(io, &cobra.Command{
		Use:   "ipcmk [options]",
		Short: "Create IPC resources, as util-linux's ipcmk does",
		Long: `Create IPC resources, as util-linux's ipcmk(1) 2.41 does: a System V shared memory segment
(-M SIZE), message queue (-Q) or semaphore set (-S N) with a random key, and POSIX shared memory
(-m SIZE), a POSIX message queue (-q) or a POSIX semaphore (-s, value 0) named with -n NAME.
-p sets the mode (default 0644). It prints the id or name of each resource made.
` + compatNote + `

` + compatDeviations + `

EXIT STATUS
  0    every resource asked for was created
  1    a resource could not be created, or a bad argument (as util-linux)`,
		Example: `  $ ipcx ipcmk -Q
  $ ipcx ipcmk -M 1M -p 600
  $ ipcx ipcmk -S 3
  $ ipcx ipcmk -q -n /jobs`,
	}, compat.Ipcmk, compat.IpcmkOptions())
}
