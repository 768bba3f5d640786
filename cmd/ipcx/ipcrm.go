package main

import (
	"github.com/ipcx/ipcx/internal/compat"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

func newIpcrmCmd(io *iostreams.IOStreams) *cobra.Command {
	return withNS(compatCmd(io, &cobra.Command{
		Use:   "ipcrm [options] | ipcrm {shm|msg|sem} ID...",
		Short: "Remove IPC resources, as util-linux's ipcrm does",
		Long: `Remove IPC resources, as util-linux's ipcrm(1) 2.41 does:

  -m, --shmem-id ID          -M, --shmem-key KEY        System V shared memory
  -q, --queue-id ID          -Q, --queue-key KEY        System V message queue
  -s, --semaphore-id ID      -S, --semaphore-key KEY    System V semaphore set
      --posix-shmem NAME         --posix-mqueue NAME        --posix-semaphore NAME
  -a, --all[=shm|pshm|msg|pmsg|sem|psem]   every resource (of that type) you may remove
  -v, --verbose              say what is removed

and the old form "ipcrm {shm|msg|sem} ID..." (which prints "resource(s) deleted").
` + compatNote + `


` + compatDeviations + `

EXIT STATUS
  0    everything asked for was removed
  1    something could not be removed, or a bad argument (as util-linux)`,
		Example: `  $ ipcx ipcrm -q 32768 -M 0x1a2b
  $ ipcx ipcrm --posix-mqueue /jobs
  $ ipcx ipcrm -a=pshm -v
  $ ipcx ipcrm shm 5 6`,
	}, compat.Ipcrm, nil))
}
