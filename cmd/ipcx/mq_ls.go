package main

import (
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// mqLsView is mq ls: the listing of ls, filtered to message queues, with their own columns.
var mqLsView = kindLs{kind: inventory.MQ, verb: "mq ls", posixFirst: true}

func newMqLsCmd(io *iostreams.IOStreams, runF func(*kindLsOptions) error) *cobra.Command {
	opts := &kindLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List message queues of both flavors",
		Long: `List every message queue: System V queues from /proc/sysvipc/msg (all of them, whatever their
permissions) and POSIX queues from the mqueue filesystem. When no mqueue filesystem is mounted,
root lists POSIX queues through a private mount made for the listing; other users get a note on how
to mount one. A POSIX queue the user may not read is still listed, with its messages and bytes
unknown ("-" in the table, null in JSON). CTIME of a POSIX queue is its last send, receive, chmod or
chown (its creation before any), as before any read of its status (see ipcx mq stat --help).

` + exitStatusHelp,
		Example: `  $ ipcx mq ls
  $ ipcx mq ls --posix --json
  $ ipcx mq ls -o address,messages,holders --orphaned
  $ ipcx --ns 4242 mq ls`,
		Args: exactArgs(0, "no arguments"),
	}
	mqLsView.register(c, opts, "POSIX queues only", "System V queues only")
	return mqLsView.command(c, opts, runF)
}
