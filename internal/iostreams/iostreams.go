//go:build linux

// Package iostreams holds the three standard streams of a command and whether they are terminals,
// so that commands can be run in tests with buffers and render for people or for scripts.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// IOStreams are a command's standard input, output and error.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// OutTTY reports whether Out is a terminal: tables are then drawn for people (human sizes and
	// times); otherwise the same columns carry exact values.
	OutTTY bool
}

// OutFile returns Out as a file when it is one (standard output, a file a test opened): for
// commands that need its descriptor, to see whether it is a pipe or was closed.
func (s *IOStreams) OutFile() (*os.File, bool) {
	f, ok := s.Out.(*os.File)
	return f, ok
}

// System returns the process's standard streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, OutTTY: IsTerminal(os.Stdout)}
}

// Test returns streams backed by buffers, and the buffers: input, output, error output.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// ClosedByRuntime tells whether f is a standard stream the user closed (>&-): the Go runtime then
// opens /dev/null on it at start, read-write (runtime.checkfds), so writes vanish silently. A
// /dev/null the user redirected to (>/dev/null) is opened write-only and is not reported.
func ClosedByRuntime(f *os.File) bool {
	fd := int(f.Fd())
	if fd > 2 {
		return false
	}
	var st, null unix.Stat_t
	if unix.Fstat(fd, &st) != nil || unix.Stat("/dev/null", &null) != nil || st.Rdev != null.Rdev || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return false
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	return err == nil && fl&unix.O_ACCMODE == unix.O_RDWR
}

// Dup returns a close-on-exec duplicate of f on a descriptor above 2. Writes to it fail with
// EPIPE on a closed pipe like writes to f, but the Go runtime kills the program only for an EPIPE
// on descriptors 1 and 2 (unless SIGPIPE is notified), so a command can clean up first.
func Dup(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
