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
