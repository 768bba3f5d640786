package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/spf13/cobra"
)

type shmRmOptions struct {
	io    *iostreams.IOStreams
	addrs []string
}

func newShmRmCmd(io *iostreams.IOStreams, runF func(*shmRmOptions) error) *cobra.Command {
	opts := &shmRmOptions{io: io}
	c := &cobra.Command{
		Use:   "rm ADDR...",
		Short: "Remove shared memory",
		Long: `Remove the named shared memory. A POSIX object's name goes at once; processes that have it open
or mapped keep using it until they let go. A System V segment is marked for removal: it goes when
the last process detaches, at once when none is attached; ipcx says so when some still are.

Every named object that exists is removed even when another is missing; then ipcx exits 3.

` + exitStatusHelp,
		Example: `  $ ipcx shm rm /frame
  $ ipcx shm rm id:3 key:0x1a2b /other`,
		Args: minArgs(1, "one or more addresses"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addrs = args
			if runF != nil {
				return runF(opts)
			}
			return shmRmRun(opts)
		},
	}
	return c
}

func shmRmRun(opts *shmRmOptions) error {
	addrs := make([]addr.Addr, len(opts.addrs))
	for i, s := range opts.addrs {
		a, err := shmTarget(s)
		if err != nil {
			return err
		}
		addrs[i] = a
	}
	var last error
	for _, a := range addrs {
		attached, err := ipc.RemoveSegment(a)
		if err == nil {
			if attached > 0 {
				fmt.Fprintf(opts.io.ErrOut, "ipcx: shm %s: marked for removal; it goes when its %d attached process(es) detach\n", a, attached)
			}
			continue
		}
		if last != nil {
			failure.Print(opts.io.ErrOut, last)
		}
		last = shmObject(a).ToRemove().Explain(err)
	}
	return last
}

// shmRemove removes the object a names and returns how many processes still have a System V
// segment attached.
