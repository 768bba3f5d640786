package main

import (
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// semLsView is sem ls: the listing of ls, filtered to semaphores, with their own columns.
var semLsView = kindLs{kind: inventory.Sem, verb: "sem ls", posixFirst: false}

func newSemLsCmd(io *iostreams.IOStreams, runF func(*kindLsOptions) error) *cobra.Command {
	opts := &kindLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List semaphores of both flavors",
		Long: `List every semaphore: System V sets from /proc/sysvipc/sem (all of them, whatever their
permissions), with their values when readable, and POSIX named semaphores from /dev/shm (glibc's
sem.NAME files). A value shown as ? could not be read (permission, or a file that is not a
semaphore).

` + exitStatusHelp,
		Example: `  $ ipcx sem ls
  $ ipcx sem ls --posix --json
  $ ipcx --ns 4242 sem ls`,
		Args: exactArgs(0, "no arguments"),
	}
	semLsView.register(c, opts, "POSIX semaphores only", "System V sets only")
	return semLsView.command(c, opts, runF)
}
