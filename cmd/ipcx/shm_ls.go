package main

import (
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// shmLsView is shm ls: the listing of ls, filtered to shared memory, with their own columns.
var shmLsView = kindLs{kind: inventory.Shm, verb: "shm ls", posixFirst: false}

func newShmLsCmd(io *iostreams.IOStreams, runF func(*kindLsOptions) error) *cobra.Command {
	opts := &kindLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List shared memory of both flavors",
		Long: `List all shared memory: System V segments from /proc/sysvipc/shm (all of them, whatever their
permissions; a segment marked for removal but still attached shows key 0x00000000 and status
removed) and POSIX objects from /dev/shm (its regular files except glibc's sem.* semaphores).

` + exitStatusHelp,
		Example: `  $ ipcx shm ls
  $ ipcx shm ls --sysv --json
  $ ipcx --ns 4242 shm ls`,
		Args: exactArgs(0, "no arguments"),
	}
	shmLsView.register(c, opts, "POSIX objects only", "System V segments only")
	return shmLsView.command(c, opts, runF)
}
