package main

import (
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/spf13/cobra"
)

type fifoCreateOptions struct {
	io    *iostreams.IOStreams
	paths []string
	mode  string
}

func newFifoCreateCmd(io *iostreams.IOStreams, runF func(*fifoCreateOptions) error) *cobra.Command {
	opts := &fifoCreateOptions{io: io}
	c := &cobra.Command{
		Use:   "create PATH...",
		Short: "Create FIFOs",
		Long: `Create a FIFO at each PATH, mode 0600 unless --mode says otherwise (exactly: the umask
does not narrow it, as with mkfifo -m). An existing file of any kind is never replaced: ipcx
exits 4.

` + exitStatusHelp,
		Example: `  $ ipcx fifo create /tmp/jobs
  $ ipcx fifo create --mode 0660 /run/app/ctl`,
		Args: minArgs(1, "one or more paths"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.paths = args
			if runF != nil {
				return runF(opts)
			}
			return fifoCreateRun(opts)
		},
	}
	c.Flags().StringVar(&opts.mode, "mode", "0600", "permission bits of the new FIFO")
	return c
}

func fifoCreateRun(opts *fifoCreateOptions) error {
	mode, err := parseMode(opts.mode)
	if err != nil {
		return err
	}
	for _, p := range opts.paths {
		if err := posix.CreateFIFO(p, mode); err != nil {
			obj := fifoObject(p)
			obj.Verb = "create"
			return obj.Explain(err)
		}
	}
	return nil
}
