package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/spf13/cobra"
)

type shmWriteOptions struct {
	io      *iostreams.IOStreams
	addr    string
	data    []string
	offset  string
	length  string
	zero    bool
	flagSet func(string) bool
	progressFlag
}

func newShmWriteCmd(io *iostreams.IOStreams, runF func(*shmWriteOptions) error) *cobra.Command {
	opts := &shmWriteOptions{io: io}
	c := &cobra.Command{
		Use:   "write ADDR [DATA]",
		Short: "Write bytes into shared memory",
		Long: `Write DATA, or standard input when no DATA is given, into shared memory at --offset (default 0).
Standard input is copied as it is, binary safe. Nothing is written when the data would not fit
between the offset and the end: ipcx says so and exits 1. --zero clears --length bytes from the
offset instead (default: to the end).

--progress counts the bytes read from standard input (from a pipe, all of it is read before
anything is written, so that nothing is written when it does not fit).
` + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx shm write /frame "hello"
  $ ipcx shm write /frame --offset 4K < header.bin
  $ ipcx shm write key:0x1a2b --zero
  $ ipcx shm write --progress /frames < frames.bin`,
		Args: rangeArgs(1, 2, "an address and at most one DATA argument"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr, opts.data = args[0], args[1:]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return shmWriteRun(opts)
		},
	}
	c.Flags().StringVar(&opts.offset, "offset", "0", "where to start, in bytes from the beginning (like 4K or 0x1000)")
	c.Flags().BoolVar(&opts.zero, "zero", false, "write zeros instead of data")
	c.Flags().StringVar(&opts.length, "length", "", "with --zero: how many bytes to clear (default: to the end)")
	opts.registerProgress(c, "the bytes read from the input")
	return c
}

func shmWriteRun(opts *shmWriteOptions) error {
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
		if !opts.zero {
			return failure.UsageHint("the data's own length is written; --length goes with --zero", "--length is for --zero")
		}
		if length, err = parseSize("length", opts.length); err != nil {
			return err
		}
	}
	if opts.zero && len(opts.data) > 0 {
		return failure.Usagef("--zero writes zeros: give no DATA with it")
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	if opts.zero && opts.progress != "" {
		return failure.Usagef("--progress counts the data written; --zero has none")
	}
	s, obj, err := openShm(a, true)
	if err != nil {
		return err
	}
	defer s.Close()
	if opts.zero {
		off, length, err := shmSpan(obj, s.Size(), off, length)
		if err != nil {
			return err
		}
		return obj.Explain(s.Zero(off, length))
	}
	if _, _, err := shmSpan(obj, s.Size(), off, 0); err != nil {
		return err
	}
	room := s.Size() - off
	tooLong := func(n string) error {
		return failure.Newf(failure.Failure, "%s: the data (%s) does not fit in the %s from offset %d to the end; nothing was written", obj, n, bytesText(room), off).WithHint("write less, at a lower --offset, or into a larger object")
	}
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String()})
	defer d.Finish()
	count := func(r io.Reader) io.Reader {
		if d == nil {
			return r
		}
		return progress.Reader{R: r, M: d.Meter(0)}
	}
	write := func(r io.Reader, n int64) error {
		written, err := s.WriteFrom(r, n, off)
		return shmWriteFail(obj, written, n, off, err)
	}
	if len(opts.data) == 1 {
		data := []byte(opts.data[0])
		if int64(len(data)) > room {
			return tooLong(bytesText(int64(len(data))))
		}
		return write(count(bytes.NewReader(data)), int64(len(data)))
	}
	// A regular file on standard input has a known length: check it, then copy straight in.
	if f, ok := opts.io.In.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			pos, err := f.Seek(0, io.SeekCurrent)
			if err == nil {
				n := max(st.Size()-pos, 0)
				if n > room {
					return tooLong(bytesText(n))
				}
				return write(count(f), n)
			}
		}
	}
	// Otherwise (a pipe, a terminal) read it all first, so that nothing is written when it is too
	// long.
	buf, err := io.ReadAll(io.LimitReader(count(opts.io.In), room+1))
	if err != nil {
		return failure.Newf(failure.Failure, "%s: reading standard input: %v", obj, err)
	}
	if int64(len(buf)) > room {
		return tooLong("more than " + bytesText(room))
	}
	return write(bytes.NewReader(buf), int64(len(buf)))
}

// shmWriteFail words a write that stopped midway (a full /dev/shm): what was written stays
// written, so it says how much that is.
func shmWriteFail(obj failure.Object, written, total, off int64, err error) error {
	if err == nil {
		return nil
	}
	done := "; nothing was written"
	if written > 0 {
		done = fmt.Sprintf("; the first %d of the %s were written, from offset %d", written, bytesText(total), off)
	}
	return obj.Explain(&failure.Progress{After: done, Err: err})
}
