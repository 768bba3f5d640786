package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

type fifoWriteOptions struct {
	io    *iostreams.IOStreams
	path  string
	lines []string // from the arguments; none: standard input
	raw   bool
	wait  waitFlags
	progressFlag
}

func newFifoWriteCmd(io *iostreams.IOStreams, runF func(*fifoWriteOptions) error) *cobra.Command {
	opts := &fifoWriteOptions{io: io}
	c := &cobra.Command{
		Use:   "write PATH [LINE...]",
		Short: "Write lines (or raw bytes) to a FIFO",
		Long: fmt.Sprintf(`Write to a FIFO. Each LINE argument is written as one line; with none, standard input is copied.

Lines are written whole: every write(2) holds whole lines and at most PIPE_BUF (%d) bytes, so
the lines of many writers sharing one FIFO never mix (a single line longer than PIPE_BUF may).
--raw copies standard input as binary in large writes, for speed, with no such promise.

Opening waits for a reader: --timeout bounds the wait (exit 124), --nonblock exits 5 at once when
there is none ("no reader"). A write to a full FIFO waits for the reader to make room; with
--nonblock it exits 5 ("full") and says how many bytes it wrote: whole lines (only a line longer
than PIPE_BUF may be cut); the rest of the input is not written. When the reader goes away while ipcx writes, it exits 141
(SIGPIPE).

`, posix.PipeBuf) + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx fifo write /tmp/jobs 'build project' 'run tests'
  $ tail -f app.log | ipcx fifo write /tmp/log
  $ ipcx fifo write --nonblock /tmp/jobs ping || echo nobody listens
  $ ipcx fifo write --raw /tmp/img < picture.png
  $ ipcx fifo write --raw --progress /tmp/img < disk.img`,
		Args: minArgs(1, "a path and optional lines"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.path, opts.lines = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return fifoWriteRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.raw, "raw", false, "copy standard input as binary, in large writes")
	opts.wait.register(c, "no process has the FIFO open for reading, or it is full")
	opts.registerProgress(c, "the bytes written")
	return c
}

func fifoWriteRun(opts *fifoWriteOptions) error {
	if err := opts.wait.validate(); err != nil {
		return err
	}
	if opts.raw && len(opts.lines) > 0 {
		return failure.Usagef("--raw copies standard input; lines were given as arguments")
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	obj := fifoObject(opts.path)
	ctx, stop := interruptContext(context.Background())
	defer stop()
	octx, cancel := opts.wait.context(ctx)
	f, err := posix.OpenFIFO(octx, opts.path, posix.Write, opts.wait.nonblock)
	cancel()
	if err != nil {
		return fifoOpenFail(obj, err, opts.wait)
	}
	defer f.Close()
	// Closing the FIFO wakes a write blocked on a full FIFO when Ctrl-C comes.
	context.AfterFunc(ctx, func() { f.Close() })

	var in io.Reader = opts.io.In
	if len(opts.lines) > 0 {
		var b strings.Builder
		for _, l := range opts.lines {
			b.WriteString(strings.TrimSuffix(l, "\n"))
			b.WriteByte('\n')
		}
		in = strings.NewReader(b.String())
	}
	var w io.Writer = f
	now := &posix.NowWriter{F: f}
	if opts.wait.nonblock {
		// Not through Go's poller, which would wait for room: a full FIFO is exit 5.
		w = now
	}
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String()})
	var n int64
	if opts.raw {
		n, err = sock.Copy(w, in, d.Meter(0).Counter())
	} else {
		if d != nil {
			w = progress.Writer{W: w, M: d.Meter(0)}
		}
		n, err = posix.WriteLines(w, in)
	}
	d.Finish()
	if err != nil {
		if ctx.Err() != nil {
			return obj.Explain(ctx.Err())
		}
		if errors.Is(err, posix.ErrWouldBlock) {
			what := "whole lines"
			switch {
			case now.Cut:
				what = "the last of them cut short: a line longer than PIPE_BUF"
			case opts.raw:
				what = "the first bytes of the input"
			}
			return failure.Newf(failure.WouldBlock, "%s: full: wrote %d bytes (%s), the rest of the input was not written", obj, n, what).WithHint("the reader is not reading; drop --nonblock to wait for room")
		}
		return obj.Explain(err)
	}
	return nil
}

// fifoOpenFail explains a failed open of a FIFO.
func fifoOpenFail(obj failure.Object, err error, w waitFlags) error {
	return obj.Explain(w.wait("", "no peer opened it", "within", err))
}
