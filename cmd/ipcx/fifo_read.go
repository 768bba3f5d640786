package main

import (
	"context"
	"io"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

type fifoReadOptions struct {
	io     *iostreams.IOStreams
	path   string
	follow bool
	wait   waitFlags
	progressFlag
}

func newFifoReadCmd(io *iostreams.IOStreams, runF func(*fifoReadOptions) error) *cobra.Command {
	opts := &fifoReadOptions{io: io}
	c := &cobra.Command{
		Use:   "read PATH",
		Short: "Copy what is written to a FIFO to standard output",
		Long: `Copy what writers write to a FIFO to standard output, as binary, until the last writer closes it.
--follow opens it again after each last writer has gone and goes on, like tail -F for a FIFO, until
interrupted.

Opening waits for a writer: --timeout bounds the wait (exit 124). --nonblock does not wait: it
reads what the FIFO holds now and exits; an empty FIFO with no writer gives nothing and exit 0, an
empty FIFO that a writer holds open exits 5.

` + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx fifo read /tmp/jobs
  $ ipcx fifo read --follow /tmp/log | grep ERROR
  $ ipcx fifo read --timeout 5s /tmp/reply
  $ ipcx fifo read --progress /tmp/img > picture.png`,
		Args: exactArgs(1, "one path"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.path = args[0]
			if runF != nil {
				return runF(opts)
			}
			return fifoReadRun(opts)
		},
	}
	c.Flags().BoolVarP(&opts.follow, "follow", "f", false, "open the FIFO again after each last writer closes it")
	opts.wait.register(c, "the FIFO is empty and a writer holds it open")
	opts.registerProgress(c, "the bytes read")
	return c
}

func fifoReadRun(opts *fifoReadOptions) (err error) {
	if err := opts.wait.validate(); err != nil {
		return err
	}
	if opts.follow && opts.wait.nonblock {
		return failure.Usagef("--follow and --nonblock exclude each other")
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	obj := fifoObject(opts.path)
	ctx, stop := interruptContext(context.Background())
	defer stop()
	ctx, unwatch := msgio.WatchWriter(ctx, opts.io.Out) // `| head -1`: its reader gone ends the wait
	defer unwatch()
	defer func() {
		if err != nil && msgio.Closed(ctx) {
			err = readFail(obj, posix.ErrClosedPipe)
		}
	}()
	octx, cancel := opts.wait.context(ctx)
	f, err := posix.OpenFIFO(octx, opts.path, posix.Read, opts.wait.nonblock)
	cancel()
	if err != nil {
		return fifoOpenFail(obj, err, opts.wait)
	}
	// The display starts once a writer is there, and its summary comes before any error.
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String()})
	defer d.Finish()
	if opts.wait.nonblock {
		var out io.Writer = opts.io.Out
		if d != nil {
			out = progress.Writer{W: out, M: d.Meter(0)}
		}
		err = posix.CopyNow(out, f)
		f.Close()
		if err != nil {
			return readFail(obj, err)
		}
		return nil
	}
	for {
		closer := context.AfterFunc(ctx, func() { f.Close() })
		_, err = sock.Copy(opts.io.Out, f, d.Meter(0).Counter())
		closer()
		if ctx.Err() != nil {
			f.Close()
			return obj.Explain(ctx.Err())
		}
		if err != nil || !opts.follow {
			f.Close()
			return readFail(obj, err)
		}
		// The next read end is opened before the old one is closed: the FIFO is never without a
		// reader, so a writer that comes in between neither meets EPIPE nor has what it wrote
		// thrown away with the last reader's end.
		next, err := posix.OpenFIFO(ctx, opts.path, posix.Read, true)
		f.Close()
		if err != nil {
			return fifoOpenFail(obj, err, opts.wait)
		}
		f = next
		octx, cancel := opts.wait.context(ctx)
		err = posix.WaitForWriter(octx, f)
		cancel()
		if err != nil {
			f.Close()
			return fifoOpenFail(obj, err, opts.wait)
		}
	}
}

// readFail explains a failed read: reading a FIFO never fails with EPIPE, so that is standard
// output closed (| head), which the table ends quietly with 141.
func readFail(obj failure.Object, err error) error {
	obj.Reading = true
	return obj.Explain(err)
}
