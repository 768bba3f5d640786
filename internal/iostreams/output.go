//go:build linux

package iostreams

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// StdoutName is the name standard output carries in the errors of its writes (os.Stdout's, kept
// by Dup): a *fs.PathError of a "write" on it is a failure to write the output, not a failure of
// the object a command works on.
const StdoutName = "/dev/stdout"

// OutputError is a write on standard output that failed: a full disk (ENOSPC), EIO on a terminal
// that went away. Where ipcx writes to standard output without an *os.File in the way (splice,
// a relay), the write error is wrapped in one, so that the error table tells it from a failure of
// the object.
type OutputError struct{ Err error }

func (e *OutputError) Error() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		return "cannot write standard output: " + pe.Err.Error()
	}
	return "cannot write standard output: " + e.Err.Error()
}
func (e *OutputError) Unwrap() error { return e.Err }

// IsOutputError reports whether err is a failed write on standard output: an *OutputError, or
// the *fs.PathError of a write on os.Stdout.
func IsOutputError(err error) bool {
	var oe *OutputError
	if errors.As(err, &oe) {
		return true
	}
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == "write" && pe.Path == StdoutName
}

// Output wraps err, the failed write of w, in an *OutputError when w is standard output (an
// *os.File named StdoutName, or a Recorder of one). Other errors are returned as they are.
func Output(w io.Writer, err error) error {
	var oe *OutputError
	if err == nil || errors.As(err, &oe) {
		return err
	}
	if IsOutputError(err) {
		return &OutputError{Err: err}
	}
	if r, ok := w.(*Recorder); ok {
		w = r.W
	}
	if f, ok := w.(*os.File); ok && f.Name() == StdoutName {
		return &OutputError{Err: err}
	}
	return err
}

// Recorder is a writer that remembers its first failed write, for output whose writer ignores
// errors (cobra's help and completion scripts): after the command, Err says whether all of it
// was written.
type Recorder struct {
	W   io.Writer
	Err error
}

func (r *Recorder) Write(p []byte) (int, error) {
	n, err := r.W.Write(p)
	if err != nil && r.Err == nil {
		r.Err = Output(r.W, err)
	}
	return n, err
}

// DupAs is Dup under another name, for a file that stands in for standard output (a test's
// /dev/full named StdoutName).
func DupAs(f *os.File, name string) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	// One *os.File owns the new descriptor: a second one over it (Dup's, then NewFile of its
	// Fd) would close it from its finalizer while this one still writes, or after the number went
	// to another file.
	return os.NewFile(uintptr(fd), name), nil
}
