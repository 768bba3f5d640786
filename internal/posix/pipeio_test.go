package posix

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// CopyNow: an empty FIFO a writer holds open is ErrWouldBlock; what it holds is copied without
// waiting for more; with the writer gone, the end of file is no error.
func TestCopyNow(t *testing.T) {
	path := newFIFO(t)
	f, err := OpenFIFO(context.Background(), path, Read, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := rawOpen(t, path, unix.O_WRONLY|unix.O_NONBLOCK)
	var out bytes.Buffer
	if err := CopyNow(&out, f); !errors.Is(err, ErrWouldBlock) || out.Len() != 0 {
		t.Fatalf("CopyNow of an empty FIFO with a writer: %v, %q; want ErrWouldBlock", err, out.String())
	}
	unix.Write(w, []byte("held"))
	if err := CopyNow(&out, f); err != nil || out.String() != "held" {
		t.Fatalf("CopyNow with data and a writer: %v, %q", err, out.String())
	}
	unix.Write(w, []byte("last"))
	unix.Close(w)
	out.Reset()
	if err := CopyNow(&out, f); err != nil || out.String() != "last" {
		t.Fatalf("CopyNow after the writer left: %v, %q", err, out.String())
	}
}

// NowWriter: a full FIFO is ErrWouldBlock, and a write larger than PIPE_BUF is cut short.
func TestNowWriterFull(t *testing.T) {
	path := newFIFO(t)
	rawOpen(t, path, unix.O_RDONLY|unix.O_NONBLOCK)
	f, err := OpenFIFO(context.Background(), path, Write, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := &NowWriter{F: f}
	big := make([]byte, 1<<20) // more than any default pipe capacity
	n, err := w.Write(big)
	if !errors.Is(err, ErrWouldBlock) || n == 0 || n >= len(big) || !w.Cut {
		t.Fatalf("NowWriter.Write of 1 MiB to an unread FIFO: %d, %v, cut %v", n, err, w.Cut)
	}
}

// InputFile and OutputFile give a child process files for streams that are not files.
func TestStreamFiles(t *testing.T) {
	in, inDone, err := InputFile(strings.NewReader("to the child\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	out, outDone, err := OutputFile(&got)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cat")
	cmd.Stdin, cmd.Stdout = in, out
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	inDone()
	outDone()
	if got.String() != "to the child\n" {
		t.Errorf("child wrote %q", got.String())
	}
	if f, done, _ := OutputFile(os.Stderr); f != os.Stderr {
		t.Error("OutputFile of a file is not the file itself")
	} else {
		done()
	}
}

func TestStatusString(t *testing.T) {
	if s := (Status{Code: 3}).String(); s != "3" {
		t.Errorf("exit 3: %q", s)
	}
	if s := (Status{Signal: unix.SIGINT}).String(); s != "130 (killed by SIGINT)" {
		t.Errorf("killed by INT: %q", s)
	}
}

func TestNotFIFOError(t *testing.T) {
	reg := t.TempDir() + "/reg"
	os.WriteFile(reg, nil, 0o600)
	_, err := OpenFIFO(context.Background(), reg, Read, true)
	var nf *NotFIFOError
	if !errors.As(err, &nf) || nf.Kind != "a regular file" || nf.Became || !errors.Is(err, ErrNotFIFO) {
		t.Fatalf("OpenFIFO of a regular file: %v, want a NotFIFOError of a regular file", err)
	}
	if got := BareErrno(&os.PathError{Op: "open", Path: "/x", Err: unix.ENOENT}); got != unix.ENOENT {
		t.Errorf("BareErrno = %v, want ENOENT", got)
	}
	if got := BareErrno(io.EOF); got != io.EOF {
		t.Errorf("BareErrno(EOF) = %v", got)
	}
	if !IsBadPath(&os.PathError{Err: unix.ELOOP}) || IsBadPath(unix.ENOENT) {
		t.Error("IsBadPath")
	}
}
