//go:build linux

package posix

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// The errnos of FIFOs and pipes that callers tell apart, under names that say what they mean
// there. Each is the errno itself: errors.Is(err, ErrNoReader) and errors.Is(err, unix.ENXIO)
// agree. A missing path is fs.ErrNotExist (ENOENT), a refused permission fs.ErrPermission.
var (
	// ErrNoReader: a FIFO opened for writing without waiting has no reader. See fifo(7).
	ErrNoReader error = unix.ENXIO
	// ErrClosedPipe: a write to a pipe or FIFO (or a socket) whose readers have all gone. See pipe(7).
	ErrClosedPipe error = unix.EPIPE
	// ErrWouldBlock: a read of an empty pipe that a writer holds open, or a write to a full one,
	// without waiting.
	ErrWouldBlock error = unix.EAGAIN
)

// IsBadPath reports whether err says the path itself cannot be resolved, though it may exist: a
// component that is not a directory (ENOTDIR), a name too long (ENAMETOOLONG), too many symbolic
// links (ELOOP). See path_resolution(7).
func IsBadPath(err error) bool {
	return errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ENAMETOOLONG) || errors.Is(err, unix.ELOOP)
}

// BareErrno returns the errno under err's context ("no such file or directory" for "open /x: no
// such file or directory"), or err itself when it wraps none.
func BareErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// NotFIFOError is the error about a path that exists but is not a FIFO. It wraps ErrNotFIFO.
type NotFIFOError struct {
	Path string
	// Kind is what the file is ("a regular file", see FileKind); "" when the FIFO was replaced
	// while it was opened.
	Kind string
	// Became says the file was a FIFO a moment before (it was replaced meanwhile).
	Became bool
}

func (e *NotFIFOError) Error() string {
	switch {
	case e.Kind == "":
		return fmt.Sprintf("%s was replaced while it was opened: %v", e.Path, ErrNotFIFO)
	case e.Became:
		return fmt.Sprintf("%s: %v (it became %s)", e.Path, ErrNotFIFO, e.Kind)
	}
	return fmt.Sprintf("%s: %v (it is %s)", e.Path, ErrNotFIFO, e.Kind)
}

func (e *NotFIFOError) Unwrap() error { return ErrNotFIFO }
