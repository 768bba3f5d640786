package main

import (
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/spf13/cobra"
)

type shmResizeOptions struct {
	io   *iostreams.IOStreams
	addr string
	size string
}

func newShmResizeCmd(io *iostreams.IOStreams, runF func(*shmResizeOptions) error) *cobra.Command {
	opts := &shmResizeOptions{io: io}
	c := &cobra.Command{
		Use:   "resize /NAME --size N",
		Short: "Change the size of a POSIX shared memory object",
		Long: `Set a POSIX shared memory object's size (ftruncate(2)): growing adds zeros at the end, shrinking
drops the tail. Processes that have the dropped part mapped get SIGBUS when they touch it.
System V segments have a fixed size.

` + exitStatusHelp,
		Example: `  $ ipcx shm resize /frame --size 2M`,
		Args:    exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return shmResizeRun(opts)
		},
	}
	c.Flags().StringVar(&opts.size, "size", "", "the new size, like 4096, 64K, 1M or 1MB (required)")
	return c
}

func shmResizeRun(opts *shmResizeOptions) error {
	a, err := shmTarget(opts.addr)
	if err != nil {
		return err
	}
	if a.IsSysV() {
		return failure.UsageHint("remove it and create it again with the new --size",
			"shm %s: a System V segment cannot change its size", a)
	}
	if opts.size == "" {
		return failure.Usagef("shm resize: --size is required")
	}
	size, err := parseSize("size", opts.size)
	if err != nil {
		return err
	}
	if size == 0 {
		return failure.Usagef("--size must be at least 1 byte")
	}
	return shmObject(a).Explain(ipc.ResizeSegment(a, size))
}
