package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/ipc"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type ftokOptions struct {
	io   *iostreams.IOStreams
	path string
	proj string
	json bool
}

func newFtokCmd(io *iostreams.IOStreams, runF func(*ftokOptions) error) *cobra.Command {
	opts := &ftokOptions{io: io}
	c := &cobra.Command{
		Use:   "ftok PATH PROJ",
		Short: "Print the System V key ftok(3) gives for a path and project id",
		Long: `Print the key glibc's ftok(3) computes for PATH and PROJ: the low 16 bits of the file's inode,
the low 8 bits of its device and the low 8 bits of PROJ, as 0x followed by eight hex digits.
PROJ is a number from 1 to 255 (decimal, 0x-hex) or a single character, as C programs often
write ftok(path, 'A').

Every command takes ftok:PATH:PROJ as an address, which is the same key.

` + exitStatusHelp,
		Example: `  $ ipcx ftok /etc/passwd 65
  $ ipcx ftok /tmp/app.lock A
  $ ipcx mq create ftok:/tmp/app.lock:65`,
		Args: exactArgs(2, "PATH and PROJ"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.path, opts.proj = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return ftokRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func ftokRun(opts *ftokOptions) error {
	proj, ok := addr.ParseProj(opts.proj)
	if !ok {
		return failure.Usagef("ftok: invalid project id %q: want a number from 1 to 255 or one character", opts.proj)
	}
	key, err := sysv.Ftok(opts.path, proj)
	if err != nil {
		return failure.Object{Noun: "ftok", Name: "ftok"}.Explain(&ipc.KeyError{Addr: addr.Addr{Path: opts.path}, Err: err})
	}
	if opts.json {
		return render.JSON(opts.io.Out, struct {
			Path    string `json:"path"`
			Proj    int    `json:"proj"`
			Key     string `json:"key"`
			Decimal int32  `json:"keyDecimal"`
		}{opts.path, proj, key.String(), int32(key)})
	}
	_, err = fmt.Fprintln(opts.io.Out, key)
	return err
}
