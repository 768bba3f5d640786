package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
)

func newFifoCmd(io *iostreams.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "fifo",
		Short: "Named pipes (FIFOs): create, write, read, inspect, remove",
		Long: `Named pipes, as mkfifo(1) makes them (fifo(7)). A FIFO is named by its path.

Opening a FIFO waits for the other end: a reader waits for a writer and a writer for a reader.
--timeout bounds that wait (exit 124); --nonblock does not wait: a writer with no reader exits 5
("no reader"), a reader of an empty FIFO with no writer gets end of file at once.

` + exitStatusHelp,
		Example: `  $ ipcx fifo create /tmp/jobs
  $ ipcx fifo read --follow /tmp/jobs &
  $ ipcx fifo write /tmp/jobs 'first job' 'second job'
  $ ipcx fifo stat /tmp/jobs
  $ ipcx fifo rm /tmp/jobs`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(
		newFifoCreateCmd(io, nil),
		newFifoWriteCmd(io, nil),
		newFifoReadCmd(io, nil),
		newFifoStatCmd(io, nil),
		newFifoRmCmd(io, nil),
	)
	return groupObjects(c)
}

func fifoObject(path string) object { return object{noun: "fifo", what: "FIFO", addr: path} }

// streamFail maps the errors of FIFOs, pipes and sockets that the shared mapping does not know,
// then defers to it.
func streamFail(o object, err error) error {
	if err == nil {
		return nil
	}
	e := &cmdError{code: exitFailure}
	var nf *posix.NotFIFOError
	switch {
	case errors.As(err, &nf):
		e.msg = fmt.Sprintf("%s: %s", o, notFIFOText(nf))
	case errors.Is(err, posix.ErrNoReader):
		e.code, e.msg = exitWouldBlock, fmt.Sprintf("%s: no reader", o)
		e.hint = fmt.Sprintf("start a reader first (ipcx fifo read %s), or drop --nonblock to wait for one", o.addr)
	case errors.Is(err, posix.ErrClosedPipe):
		e.code, e.msg = exitSignalBase+int(sig.SIGPIPE), fmt.Sprintf("%s: the reader went away", o)
	case errors.Is(err, fs.ErrNotExist) && !dirExists(filepath.Dir(o.addr)):
		// Not a missing FIFO but a missing directory: "create the FIFO" would not help.
		e.code, e.msg = exitNoObject, fmt.Sprintf("%s: no such directory: %s", o, filepath.Dir(o.addr))
	case posix.IsBadPath(err):
		e.msg = fmt.Sprintf("%s: %v", o, unwrapErrno(err))
	default:
		return o.fail(err)
	}
	return e
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// notFIFOText says what a path that is not a FIFO is: "not a FIFO (it is a directory)".
func notFIFOText(e *posix.NotFIFOError) string {
	if e.Kind == "" || e.Became {
		return posix.ErrNotFIFO.Error()
	}
	return fmt.Sprintf("%v (it is %s)", posix.ErrNotFIFO, e.Kind)
}
