package main

import (
	"io"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type shmReadOptions struct {
	io      *iostreams.IOStreams
	addr    string
	offset  string
	length  string
	hex     bool
	flagSet func(string) bool
	progressFlag
}

func newShmReadCmd(io *iostreams.IOStreams, runF func(*shmReadOptions) error) *cobra.Command {
	opts := &shmReadOptions{io: io}
	c := &cobra.Command{
		Use:   "read ADDR",
		Short: "Copy bytes out of shared memory to standard output",
		Long: `Copy --length bytes (default: to the end) from --offset (default 0) to standard output, raw;
--hex shows them as hexdump -C does, with the offsets in the object. A range past the end is a
failure (exit 1), whatever the offset.

` + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx shm read /frame > frame.bin
  $ ipcx shm read /frame --offset 4K --length 16 --hex
  $ ipcx shm read id:3 --length 5
  $ ipcx shm read --progress /frames > frames.bin`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return shmReadRun(opts)
		},
	}
	c.Flags().StringVar(&opts.offset, "offset", "0", "where to start, in bytes from the beginning (like 4K or 0x1000)")
	c.Flags().StringVar(&opts.length, "length", "", "how many bytes (default: to the end)")
	c.Flags().BoolVar(&opts.hex, "hex", false, "show the bytes as hexdump -C does")
	opts.registerProgress(c, "the bytes read")
	return c
}

func shmReadRun(opts *shmReadOptions) error {
	a, err := shmTarget(opts.addr)
	if err != nil {
		return err
	}
	off, err := parseSize("offset", opts.offset)
	if err != nil {
		return err
	}
	length := int64(-1)
	if opts.flagSet("length") {
		if length, err = parseSize("length", opts.length); err != nil {
			return err
		}
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	s, obj, err := openShm(a, false)
	if err != nil {
		return err
	}
	defer s.Close()
	off, length, err = shmSpan(obj, s.Size(), off, length)
	if err != nil {
		return err
	}
	var w io.Writer = opts.io.Out
	var hd *render.HexDumper
	if opts.hex {
		hd = render.NewHexDumper(opts.io.Out, off)
		w = hd
	}
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String()})
	defer d.Finish()
	if d != nil {
		w = progress.Writer{W: w, M: d.Meter(0)}
	}
	if err := s.ReadTo(w, off, length); err != nil {
		return failure.Newf(failure.Failure, "%s: %v", obj, err)
	}
	if hd != nil {
		return hd.Close()
	}
	return nil
}
