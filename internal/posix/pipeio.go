//go:build linux

package posix

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// String is the status as ipcx pipe --status reports it: the exit code, or "130 (killed by
// SIGINT)".
func (s Status) String() string {
	if s.Signal != 0 {
		return fmt.Sprintf("%d (killed by %s)", s.Shell(), unix.SignalName(s.Signal))
	}
	return fmt.Sprint(s.Code)
}

// InputFile returns r as an *os.File a child process can read (a Pipeline's Stdin). A reader that
// is not a file (a test's buffer) is served through a pipe(2) and a copying goroutine; done closes
// this process's end.
func InputFile(r io.Reader) (f *os.File, done func(), err error) {
	if f, ok := r.(*os.File); ok {
		return f, func() {}, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	go func() {
		if r != nil {
			io.Copy(pw, r)
		}
		pw.Close()
	}()
	return pr, func() { pr.Close() }, nil
}

// OutputFile returns w as an *os.File a child process can write (a Pipeline's Stdout or Stderr).
// A writer that is not a file is served through a pipe(2) and a copying goroutine; done closes
// this process's end and waits until the copy has reached w.
func OutputFile(w io.Writer) (f *os.File, done func(), err error) {
	if f, ok := w.(*os.File); ok {
		return f, func() {}, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(w, pr)
		pr.Close()
		close(copied)
	}()
	return pw, func() { pw.Close(); <-copied }, nil
}

// CopyNow copies to out what the FIFO or pipe f holds now, without waiting (ReadNow). It returns
// nil at end of file (no writer) or once it has copied something and f is empty; an empty f that
// a writer holds open, before anything was copied, is ErrWouldBlock. A failed write to out is
// returned as it is.
func CopyNow(out io.Writer, f *os.File) error {
	buf := make([]byte, 64<<10)
	got := false
	for {
		n, err := ReadNow(f, buf)
		if n > 0 {
			got = true
			if _, werr := out.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, unix.EAGAIN):
			if got {
				return nil
			}
			return err
		case err != nil:
			return err
		}
	}
}

// NowWriter writes to the FIFO or pipe F without waiting for room (WriteNow): a full one is
// ErrWouldBlock. Cut records whether a write was cut short (only one of more than PipeBuf bytes
// can be).
type NowWriter struct {
	F   *os.File
	Cut bool
}

func (w *NowWriter) Write(p []byte) (int, error) {
	n, err := WriteNow(w.F, p)
	w.Cut = w.Cut || (n > 0 && n < len(p))
	return n, err
}
