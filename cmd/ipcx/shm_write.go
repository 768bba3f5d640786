package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
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

` + exitStatusHelp,
		Example: `  $ ipcx shm write /frame "hello"
  $ ipcx shm write /frame --offset 4K < header.bin
  $ ipcx shm write key:0x1a2b --zero`,
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
			return usageHint("the data's own length is written; --length goes with --zero", "--length is for --zero")
		}
		if length, err = parseSize("length", opts.length); err != nil {
			return err
		}
	}
	if opts.zero && len(opts.data) > 0 {
		return usageErrorf("--zero writes zeros: give no DATA with it")
	}
	h, err := openShm(a, true)
	if err != nil {
		return err
	}
	defer h.close()
	if opts.zero {
		off, length, err := h.span(off, length)
		if err != nil {
			return err
		}
		return h.fail(h.zero(off, length))
	}
	if _, _, err := h.span(off, 0); err != nil {
		return err
	}
	room := h.size - off
	tooLong := func(n string) error {
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: the data (%s) does not fit in the %s from offset %d to the end; nothing was written", h.obj, n, bytesText(room), off),
			hint: "write less, at a lower --offset, or into a larger object"}
	}
	if len(opts.data) == 1 {
		data := []byte(opts.data[0])
		if int64(len(data)) > room {
			return tooLong(bytesText(int64(len(data))))
		}
		return h.writeFail(h.writeAt(bytes.NewReader(data), int64(len(data)), off))
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
				return h.writeFail(h.writeAt(f, n, off))
			}
		}
	}
	// Otherwise (a pipe, a terminal) read it all first, so that nothing is written when it is too
	// long.
	buf, err := io.ReadAll(io.LimitReader(opts.io.In, room+1))
	if err != nil {
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: reading standard input: %v", h.obj, err)}
	}
	if int64(len(buf)) > room {
		return tooLong("more than " + bytesText(room))
	}
	return h.writeFail(h.writeAt(bytes.NewReader(buf), int64(len(buf)), off))
}

// writeFail words a write that stopped midway (a full /dev/shm): what was written stays written,
// so it says how much that is.
func (h *shmHandle) writeFail(written, total, off int64, err error) error {
	if err == nil {
		return nil
	}
	e, ok := h.fail(err).(*cmdError)
	if !ok {
		return err
	}
	if written == 0 {
		e.msg += "; nothing was written"
	} else {
		e.msg += fmt.Sprintf("; the first %d of the %s were written, from offset %d", written, bytesText(total), off)
	}
	return e
}

const copyChunk = 1 << 20

// writeAt copies n bytes from r into the object at off (off+n within the size). It returns how many
// bytes it wrote, n and off for writeFail, and the error that stopped it.
func (h *shmHandle) writeAt(r io.Reader, n, off int64) (written, total, start int64, err error) {
	total, start = n, off
	if h.mem != nil {
		k, err := io.ReadFull(r, h.mem[off:off+n])
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return int64(k), total, start, err
		}
		return int64(k), total, start, nil
	}
	buf := make([]byte, min(n, copyChunk))
	for n > 0 {
		k, err := io.ReadFull(r, buf[:min(n, int64(len(buf)))])
		if k > 0 {
			w, werr := posix.ShmWriteAt(h.file, buf[:k], off)
			written += int64(w)
			if werr != nil {
				return written, total, start, werr
			}
			off, n = off+int64(k), n-int64(k)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return written, total, start, nil // the input was shorter than its size said (a file truncated meanwhile)
		}
		if err != nil {
			return written, total, start, err
		}
	}
	return written, total, start, nil
}

// zero clears length bytes from off.
func (h *shmHandle) zero(off, length int64) error {
	if h.mem != nil {
		clear(h.mem[off : off+length])
		return nil
	}
	return posix.ShmZero(h.file, off, length)
}
