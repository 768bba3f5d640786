package main

import (
	"github.com/ipcx/ipcx/internal/compat"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

func newLsipcCmd(io *iostreams.IOStreams) *cobra.Command {
	return withNS(compatCmd(io, &cobra.Command{
		Use:   "lsipc [options]",
		Short: "Show IPC facilities and limits, as util-linux's lsipc does",
		Long: `Show information on IPC facilities, as util-linux's lsipc(1) 2.41 does: System V message
queues (-q), shared memory (-m) and semaphores (-s), POSIX message queues (-Q), shared memory
(-M) and semaphores (-S), one resource at a time; without one, or with -g, the system-wide
limits and their use. -i ID (System V) or -N NAME (POSIX) shows one object in detail.
` + compatNote + `

` + compatDeviations + `

Columns (-o LIST, or -o +LIST to add to the default ones):
` + compat.LsipcColumnsHelp() + `
EXIT STATUS
  0    success (an id or name that is not found is reported on stderr)
  1    failure, or a bad option (worded as util-linux's getopt does)
  2    usage error (a bad --ns)`,
		Example: `  $ ipcx lsipc
  $ ipcx lsipc -m -o KEY,ID,SIZE,NATTCH
  $ ipcx lsipc -Q --json
  $ ipcx lsipc -s -i 32768
  $ ln -s "$(command -v ipcx)" ~/bin/lsipc && lsipc -g`,
	}, compat.Lsipc, compat.LsipcOptions()))
}
