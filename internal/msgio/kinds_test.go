//go:build linux

package msgio

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { testns.Main(m) }

// output is one kind of standard output: w is what the sink writes to, r the reader's end (nil
// for a file or a device), close makes the reader go away.
type output struct {
	name string
	kind outKind
	w, r *os.File
}

// streamOutputs makes every kind of output with a reader that can go away: a pipe, a FIFO, a
// UNIX stream and a seqpacket socket pair.
func streamOutputs(t *testing.T) []output {
	t.Helper()
	var outs []output
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, output{"pipe", outPipe, w, r})
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	fr, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, output{"fifo", outPipe, fw, fr})
	for _, typ := range []struct {
		name string
		typ  int
	}{{"stream", unix.SOCK_STREAM}, {"seqpacket", unix.SOCK_SEQPACKET}} {
		fds, err := unix.Socketpair(unix.AF_UNIX, typ.typ|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, output{typ.name, outSocket, os.NewFile(uintptr(fds[0]), "w"), os.NewFile(uintptr(fds[1]), "r")})
	}
	for _, o := range outs {
		t.Cleanup(func() { o.w.Close(); o.r.Close() })
	}
	return outs
}

// openPTY opens a pseudo-terminal: the master (the terminal's reader) and the slave (stdout).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pty's slave: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

func recorder(back *[]string) func(Message) error {
	return func(m Message) error { *back = append(*back, string(m.Data)); return nil }
}

// TestSinkKinds: every kind of standard output is recognised.
func TestSinkKinds(t *testing.T) {
	for _, o := range streamOutputs(t) {
		if k := kindOf(o.w); k != o.kind {
			t.Errorf("%s is kind %v, want %v", o.name, k, o.kind)
		}
	}
	_, slave := openPTY(t)
	if k := kindOf(slave); k != outTTY {
		t.Errorf("a pty is kind %v", k)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if k := kindOf(f); k != outFile {
		t.Errorf("a file is kind %v", k)
	}
	null, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if k := kindOf(null); k != outDevice {
		t.Errorf("/dev/null is kind %v", k)
	}
}

// TestSinkPacedReaderGone: on a pipe, a FIFO and both kinds of socket, the next message waits
// until the reader has read the last one, and a message the reader leaves unread when it goes
// away is put back; the messages it read are not.
func TestSinkPacedReaderGone(t *testing.T) {
	for _, o := range streamOutputs(t) {
		t.Run(o.name, func(t *testing.T) {
			var back []string
			s := NewSink(o.w, encodeLine, recorder(&back))
			if err := s.Write(Message{Data: []byte("one")}); err != nil {
				t.Fatal(err)
			}
			// Unread: Ready waits.
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			err := s.Ready(ctx)
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Ready with a message unread: %v, want it to wait", err)
			}
			buf := make([]byte, 16)
			if n, _ := o.r.Read(buf); string(buf[:n]) != "one\n" {
				t.Fatalf("read %q", buf[:n])
			}
			if err := s.Ready(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := s.Write(Message{Data: []byte("two")}); err != nil {
				t.Fatal(err)
			}
			o.r.Close() // the reader goes away with "two" unread
			err = s.Ready(context.Background())
			var pe *PutBackError
			if !errors.As(err, &pe) || !errors.Is(err, ErrOutputClosed) || pe.PutBack != 1 {
				t.Fatalf("Ready after the reader left: %v", err)
			}
			if strings.Join(back, ",") != "two" {
				t.Fatalf("put back %v, want [two]", back)
			}
			// A write to the closed output puts the message back too.
			if err := s.Write(Message{Data: []byte("three")}); !errors.Is(err, ErrOutputClosed) {
				t.Fatalf("write to a closed output: %v", err)
			}
			if strings.Join(back, ",") != "two,three" {
				t.Fatalf("put back %v", back)
			}
		})
	}
}

// TestSinkTTYHangup: a terminal whose master closed takes nothing more: the message written to it
// is put back, and Ready says so before anything is taken.
func TestSinkTTYHangup(t *testing.T) {
	master, slave := openPTY(t)
	var back []string
	s := NewSink(slave, encodeLine, recorder(&back))
	if err := s.Write(Message{Data: []byte("one")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	master.Close()
	if err := s.Ready(context.Background()); !errors.Is(err, ErrOutputClosed) {
		t.Fatalf("Ready after a hang-up: %v", err)
	}
	if err := s.Write(Message{Data: []byte("two")}); !errors.Is(err, ErrOutputClosed) {
		t.Fatalf("write after a hang-up: %v", err)
	}
	if strings.Join(back, ",") != "two" {
		t.Fatalf("put back %v, want [two]", back)
	}
}

// TestSinkWritesAtOnce: to a file or a device, each message is written before Write returns, so a
// receiver killed right after loses nothing it wrote.
func TestSinkWritesAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := NewSink(f, encodeLine, func(Message) error { t.Fatal("put back"); return nil })
	for _, m := range []string{"aa", "bb"} {
		if err := s.Write(Message{Data: []byte(m)}); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "aa\nbb\n" {
		t.Fatalf("file holds %q after two writes", b)
	}
}

// TestSinkWatch: Watch's context ends when the reader goes away, for a pipe, a FIFO, sockets and a
// terminal; not for a file.
func TestSinkWatch(t *testing.T) {
	for _, o := range streamOutputs(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx, stop := Watch(context.Background(), o.w)
			defer stop()
			select {
			case <-ctx.Done():
				t.Fatal("ended with the reader there")
			case <-time.After(20 * time.Millisecond):
			}
			o.r.Close()
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("did not end when the reader left")
			}
			if !Closed(ctx) {
				t.Fatalf("cause %v", context.Cause(ctx))
			}
		})
	}
	t.Run("tty", func(t *testing.T) {
		master, slave := openPTY(t)
		ctx, stop := Watch(context.Background(), slave)
		defer stop()
		master.Close()
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("did not end on a hang-up")
		}
	})
	t.Run("file", func(t *testing.T) {
		f, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ctx, stop := Watch(context.Background(), f)
		select {
		case <-ctx.Done():
			t.Fatal("a file's watch ended")
		case <-time.After(20 * time.Millisecond):
		}
		stop()
	})
}

// TestSinkReclaim: stopped with a message unread, the sink puts it back; from a pipe or a FIFO the
// bytes are taken out again, so the reader does not see it as well.
func TestSinkReclaim(t *testing.T) {
	for _, o := range streamOutputs(t) {
		t.Run(o.name, func(t *testing.T) {
			var back []string
			s := NewSink(o.w, encodeLine, recorder(&back))
			if err := s.Write(Message{Data: []byte("one")}); err != nil {
				t.Fatal(err)
			}
			err := s.Reclaim()
			var pe *PutBackError
			if !errors.As(err, &pe) || pe.PutBack != 1 || strings.Join(back, ",") != "one" {
				t.Fatalf("Reclaim: %v, put back %v", err, back)
			}
			if o.kind == outPipe {
				if n, _ := unix.IoctlGetInt(int(o.r.Fd()), unix.TIOCINQ); n != 0 {
					t.Fatalf("%d bytes left in the pipe", n)
				}
			}
			// Read, then reclaimed: nothing to put back.
			back = nil
			s.Write(Message{Data: []byte("two")})
			buf := make([]byte, 16)
			for { // a socket still holds "one": its bytes cannot be taken back
				o.r.Read(buf)
				if n, _ := unix.IoctlGetInt(int(o.r.Fd()), unix.TIOCINQ); n == 0 {
					break
				}
			}
			if err := s.Reclaim(); err != nil || len(back) != 0 {
				t.Fatalf("Reclaim of a read message: %v, put back %v", err, back)
			}
		})
	}
}

// TestSinkFullDisk: a write that fills the disk leaves no torn record: the file ends in whole
// records, and the message is put back.
func TestSinkFullDisk(t *testing.T) {
	if !testns.InNamespace() {
		t.Skip("needs root in a private mount namespace")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	for _, flags := range []int{os.O_WRONLY | os.O_CREATE | os.O_TRUNC, os.O_WRONLY | os.O_CREATE | os.O_APPEND} {
		path := filepath.Join(dir, "out")
		os.Remove(path)
		f, err := os.OpenFile(path, flags, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		var back []string
		s := NewSink(f, encodeLine, recorder(&back))
		rec := strings.Repeat("x", 999) // 1000 bytes with the newline: the fifth does not fit
		var werr error
		i := 0
		for ; i < 10 && werr == nil; i++ {
			werr = s.Write(Message{Data: []byte(rec)})
		}
		f.Close()
		if !errors.Is(werr, unix.ENOSPC) || len(back) != 1 {
			t.Fatalf("flags %#x: write %d: %v, put back %d", flags, i, werr, len(back))
		}
		b, _ := os.ReadFile(path)
		if len(b)%1000 != 0 || len(b) != (i-1)*1000 {
			t.Fatalf("flags %#x: the file holds %d bytes after %d whole records", flags, len(b), i-1)
		}
	}
}

// pipeOutputs makes a pipe and a FIFO, each with its reader, for tests that need fresh ones.
func pipeOutputs(t *testing.T) []output {
	t.Helper()
	var outs []output
	for _, o := range streamOutputs(t) {
		if o.kind == outPipe {
			outs = append(outs, o)
		}
	}
	return outs
}

// TestSinkReaderReadThenGone: a reader that reads the last message and then goes away (a loop
// that stops after a line, `| head -1`, a socket client that closes) read it: it is not put back,
// else it is delivered twice. The soak (scripts/bench.d/soak.sh) found it: the reader's exit ended
// Watch's context while Ready waited, and Ready put back the message it had counted unread before
// the reader ran.
func TestSinkReaderReadThenGone(t *testing.T) {
	for round := 0; round < 10; round++ {
		for _, o := range streamOutputs(t) {
			var back []string
			s := NewSink(o.w, encodeLine, recorder(&back))
			if err := s.Write(Message{Data: []byte("one")}); err != nil {
				t.Fatal(err)
			}
			read := make(chan string, 1)
			go func() {
				time.Sleep(time.Duration(5+round*5) * time.Millisecond) // Ready is on its timer by then
				buf := make([]byte, 16)
				n, _ := o.r.Read(buf)
				o.r.Close()
				read <- string(buf[:max(n, 0)])
			}()
			ctx, stop := Watch(context.Background(), o.w)
			err := s.Ready(ctx)
			stop()
			if got := <-read; got != "one\n" {
				t.Fatalf("%s: the reader read %q", o.name, got)
			}
			if len(back) != 0 {
				t.Fatalf("%s, round %d: Ready: %v; put back %v, which the reader had read", o.name, round, err, back)
			}
			if err != nil && !errors.Is(err, ErrOutputClosed) {
				t.Fatalf("%s: Ready: %v", o.name, err)
			}
		}
	}
}

// TestSinkReclaimPartlyRead: stopped while the reader is half-way through the message, the sink
// leaves the rest to the reader: taking the tail back and putting the message back would leave
// the reader a torn record and deliver the message twice.
func TestSinkReclaimPartlyRead(t *testing.T) {
	for _, o := range pipeOutputs(t) {
		var back []string
		s := NewSink(o.w, encodeLine, recorder(&back))
		if err := s.Write(Message{Data: []byte("one")}); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 16)
		if n, _ := o.r.Read(buf[:2]); n != 2 {
			t.Fatalf("%s: read %d bytes", o.name, n)
		}
		if err := s.Reclaim(); err != nil || len(back) != 0 {
			t.Fatalf("%s: Reclaim: %v, put back %v", o.name, err, back)
		}
		if n, _ := o.r.Read(buf); string(buf[:n]) != "e\n" {
			t.Fatalf("%s: the reader got %q after Reclaim, want the rest", o.name, buf[:n])
		}
	}
}

// TestSinkFullDiskAppendKeepsFile: a torn first record written through a fresh O_APPEND
// descriptor (`>> file`, whose offset is 0 until its first write) is cut off at the old end of
// the file, not at the descriptor's offset before the write: what the file held stays. (The cut
// started at that offset, 0, and emptied the file.)
func TestSinkFullDiskAppendKeepsFile(t *testing.T) {
	if !testns.InNamespace() {
		t.Skip("needs root in a private mount namespace")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	path := filepath.Join(dir, "out")
	old := strings.Repeat("o", 1999) + "\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var back []string
	s := NewSink(f, encodeLine, recorder(&back))
	werr := s.Write(Message{Data: []byte(strings.Repeat("x", 2999))}) // 3000 bytes: 2096 fit
	if !errors.Is(werr, unix.ENOSPC) || len(back) != 1 {
		t.Fatalf("write: %v, put back %d", werr, len(back))
	}
	if b, _ := os.ReadFile(path); string(b) != old {
		t.Fatalf("the file holds %d bytes, want the %d it held", len(b), len(old))
	}
}
