//go:build linux

package posix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

func newFIFO(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := CreateFIFO(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func shortCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// rawOpen opens the FIFO with open(2) directly, the way any other program would.
func rawOpen(t *testing.T, path string, flags int) int {
	t.Helper()
	fd, err := unix.Open(path, flags|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open(%s, %#x): %v", path, flags, err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

func TestCreateRemoveFIFO(t *testing.T) {
	// the mode is exact, as with mkfifo -m: a umask does not narrow it
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	path := filepath.Join(t.TempDir(), "f")
	if err := CreateFIFO(path, 0o664); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil || st.Mode != unix.S_IFIFO|0o664 {
		t.Fatalf("mode %o, %v; want fifo 0664", st.Mode, err)
	}
	if err := CreateFIFO(path, 0o600); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("CreateFIFO over an existing FIFO: %v, want EEXIST", err)
	}
	reg := filepath.Join(t.TempDir(), "regular")
	os.WriteFile(reg, []byte("keep me"), 0o600)
	if err := CreateFIFO(reg, 0o600); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("CreateFIFO over a file: %v, want EEXIST", err)
	}
	if err := RemoveFIFO(reg); !errors.Is(err, ErrNotFIFO) {
		t.Fatalf("RemoveFIFO of a regular file: %v, want ErrNotFIFO", err)
	}
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(path, link)
	if err := RemoveFIFO(link); !errors.Is(err, ErrNotFIFO) {
		t.Fatalf("RemoveFIFO of a symlink to a FIFO: %v, want ErrNotFIFO", err)
	}
	if b, _ := os.ReadFile(reg); string(b) != "keep me" {
		t.Fatal("regular file changed")
	}
	if err := RemoveFIFO(path); err != nil {
		t.Fatal(err)
	}
	if err := RemoveFIFO(path); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("RemoveFIFO twice: %v, want ENOENT", err)
	}
	if _, err := OpenFIFO(context.Background(), reg, Read, true); !errors.Is(err, ErrNotFIFO) {
		t.Fatalf("OpenFIFO of a regular file: %v, want ErrNotFIFO", err)
	}
}

// The semantics table of fifo(7) and open(2), one row per test.

func TestFIFOOpenReadBlocksWithoutWriter(t *testing.T) {
	path := newFIFO(t)
	start := time.Now()
	_, err := OpenFIFO(shortCtx(t, 150*time.Millisecond), path, Read, false)
	if !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("blocking open for reading with no writer: %v, want ETIMEDOUT", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("returned after %v, before the timeout", d)
	}
}

func TestFIFOOpenReadWaitsForWriter(t *testing.T) {
	path := newFIFO(t)
	go func() {
		time.Sleep(100 * time.Millisecond)
		fd, err := unix.Open(path, unix.O_WRONLY, 0) // blocks until our reader is there
		if err == nil {
			unix.Write(fd, []byte("late writer\n"))
			unix.Close(fd)
		}
	}()
	f, err := OpenFIFO(shortCtx(t, 10*time.Second), path, Read, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil || string(b) != "late writer\n" {
		t.Fatalf("read %q, %v", b, err)
	}
}

func TestFIFOOpenReadNonblockWithoutWriter(t *testing.T) {
	path := newFIFO(t)
	f, err := OpenFIFO(context.Background(), path, Read, true)
	if err != nil {
		t.Fatalf("non-blocking open for reading with no writer: %v, want success", err)
	}
	defer f.Close()
	// read of an empty FIFO with no writer: EOF at once, both ways
	if n, err := ReadNow(f, make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("ReadNow with no writer = %d, %v; want 0, EOF", n, err)
	}
	f.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := f.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("Read with no writer = %d, %v; want 0, EOF", n, err)
	}
}

func TestFIFOOpenWriteBlocksWithoutReader(t *testing.T) {
	path := newFIFO(t)
	_, err := OpenFIFO(shortCtx(t, 150*time.Millisecond), path, Write, false)
	if !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("blocking open for writing with no reader: %v, want ETIMEDOUT", err)
	}
}

func TestFIFOOpenCancel(t *testing.T) {
	path := newFIFO(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := OpenFIFO(ctx, path, Write, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled open: %v, want context.Canceled", err)
	}
	// Nothing holds the FIFO afterwards.
	if info, err := StatFIFO(path); err != nil || info.Open {
		t.Fatalf("after a cancelled open: %+v, %v", info, err)
	}
}

func TestFIFOOpenWriteNonblockWithoutReader(t *testing.T) {
	path := newFIFO(t)
	if _, err := OpenFIFO(context.Background(), path, Write, true); !errors.Is(err, unix.ENXIO) {
		t.Fatalf("non-blocking open for writing with no reader: %v, want ENXIO", err)
	}
}

func TestFIFOOpenWriteWithReader(t *testing.T) {
	path := newFIFO(t)
	rawOpen(t, path, unix.O_RDONLY|unix.O_NONBLOCK)
	for _, nb := range []bool{false, true} {
		f, err := OpenFIFO(shortCtx(t, 5*time.Second), path, Write, nb)
		if err != nil {
			t.Fatalf("open for writing (nonblock %v) with a reader: %v", nb, err)
		}
		f.Close()
	}
}

func TestFIFOReadEmptyWithWriter(t *testing.T) {
	path := newFIFO(t)
	f, err := OpenFIFO(context.Background(), path, Read, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rawOpen(t, path, unix.O_WRONLY|unix.O_NONBLOCK)
	// non-blocking: EAGAIN
	if _, err := ReadNow(f, make([]byte, 10)); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("ReadNow of an empty FIFO with a writer: %v, want EAGAIN", err)
	}
	// blocking: waits (here until the deadline)
	f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := f.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read of an empty FIFO with a writer: %v, want it to wait", err)
	}
}

func TestFIFOWriteWithoutReaderEPIPE(t *testing.T) {
	path := newFIFO(t)
	r := rawOpen(t, path, unix.O_RDONLY|unix.O_NONBLOCK)
	f, err := OpenFIFO(context.Background(), path, Write, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unix.Close(r)
	if _, err := f.Write([]byte("x")); !errors.Is(err, unix.EPIPE) {
		t.Fatalf("write with no reader: %v, want EPIPE", err)
	}
}

// TestFIFOCPeers: a gcc-compiled writer and reader. The writer writes a line to a FIFO we read;
// then it writes to a FIFO whose reader (us) has gone and dies of SIGPIPE, as C programs do.
func TestFIFOCPeers(t *testing.T) {
	bin := ctest.Build(t, "fifowriter", `
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
	int fd = open(argv[1], O_WRONLY);
	if (fd < 0) { perror("open"); return 2; }
	const char *msg = "from C\n";
	if (write(fd, msg, strlen(msg)) < 0) { perror("write"); return 3; }
	if (argc > 2) {
		sleep(1); /* the reader goes away meanwhile */
		write(fd, msg, strlen(msg));
		perror("second write survived");
		return 4;
	}
	return 0;
}
`)
	path := newFIFO(t)
	cmd := exec.Command(bin, path, "again")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFIFO(shortCtx(t, 10*time.Second), path, Read, false)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil || line != "from C\n" {
		t.Fatalf("read %q, %v", line, err)
	}
	f.Close()
	err = cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
		t.Fatalf("C writer with no reader: %v, want killed by SIGPIPE", err)
	}
}

// TestWriteLinesConcurrentWriters: several writers write lines of many lengths to one FIFO at
// once; the reader sees every line whole.
func TestWriteLinesConcurrentWriters(t *testing.T) {
	const writers, lines = 6, 1500
	path := newFIFO(t)
	r, err := OpenFIFO(context.Background(), path, Read, true)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var input [writers]bytes.Buffer
	for w := range writers {
		for i := range lines {
			// lengths from 20 to ~2000 bytes, so that batches fill PIPE_BUF unevenly
			pad := strings.Repeat(string(rune('a'+w)), (i*37+w*101)%2000)
			fmt.Fprintf(&input[w], "w%d l%d %d %s\n", w, i, len(pad), pad)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		f, err := OpenFIFO(context.Background(), path, Write, true)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer f.Close()
			// a slow reader of the input: small reads, so batches are made of what is there
			_, err := WriteLines(f, io.MultiReader(bytes.NewReader(input[w].Bytes())))
			errs <- err
		}()
	}
	got := make(chan []string)
	go func() {
		r.SetReadDeadline(time.Now().Add(60 * time.Second))
		var all []string
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			all = append(all, sc.Text())
		}
		got <- all
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all := <-got
	next := [writers]int{}
	for _, line := range all {
		var w, i, n int
		var pad string
		if _, err := fmt.Sscanf(line, "w%d l%d %d %s", &w, &i, &n, &pad); err != nil && n != 0 {
			t.Fatalf("broken line %.80q: %v", line, err)
		}
		if w < 0 || w >= writers || i != next[w] || len(pad) != n || strings.Trim(pad, string(rune('a'+w))) != "" {
			t.Fatalf("interleaved or lost line %.80q (writer %d expected line %d)", line, w, next[w])
		}
		next[w]++
	}
	for w, n := range next {
		if n != lines {
			t.Fatalf("writer %d: %d lines arrived, want %d", w, n, lines)
		}
	}
}

// countingWriter records the size of every Write.
type countingWriter struct {
	sizes []int
	buf   bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.sizes = append(c.sizes, len(p))
	return c.buf.Write(p)
}

func TestWriteLinesBatches(t *testing.T) {
	in := strings.Repeat("0123456789abcdefghi\n", 1000) + strings.Repeat("x", 5000) + "\nshort\nlast, no newline"
	var w countingWriter
	n, err := WriteLines(&w, strings.NewReader(in))
	if err != nil || n != int64(len(in)) || w.buf.String() != in {
		t.Fatalf("WriteLines = %d, %v; output equal: %v", n, err, w.buf.String() == in)
	}
	want := []int{4080, 4080, 4080, 4080, 3680, 5001, 22}
	if fmt.Sprint(w.sizes) != fmt.Sprint(want) {
		t.Fatalf("write sizes %v, want %v", w.sizes, want)
	}
}

func TestStatFIFO(t *testing.T) {
	path := newFIFO(t)
	info, err := StatFIFO(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Open || info.Buffered != 0 || len(info.Holders) != 0 || info.Mode != 0o600&^uint32(currentUmask()) || info.UID != os.Getuid() {
		t.Fatalf("unopened FIFO: %+v", info)
	}
	r := rawOpen(t, path, unix.O_RDONLY|unix.O_NONBLOCK)
	w := rawOpen(t, path, unix.O_WRONLY|unix.O_NONBLOCK)
	unix.Write(w, []byte("0123456789"))
	if _, err := unix.FcntlInt(uintptr(w), unix.F_SETPIPE_SZ, 1<<20); err != nil {
		t.Fatal(err)
	}
	info, err = StatFIFO(path)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Open || info.Buffered != 10 || info.Capacity != 1<<20 {
		t.Fatalf("open FIFO: %+v, want 10 bytes buffered, capacity 1 MiB", info)
	}
	var sawR, sawW bool
	for _, h := range info.Holders {
		if h.PID != os.Getpid() {
			continue
		}
		sawR = sawR || (h.FD == r && h.Read && !h.Write)
		sawW = sawW || (h.FD == w && h.Write && !h.Read)
	}
	if !sawR || !sawW || len(info.Holders) != 2 {
		t.Fatalf("holders %+v, want fd %d reading and fd %d writing", info.Holders, r, w)
	}
	// the stat took nothing out
	b := make([]byte, 20)
	if n, _ := unix.Read(r, b); n != 10 {
		t.Fatalf("FIFO holds %d bytes after stat, want 10", n)
	}
}

// TestStatFIFOOtherProcess: a process holding a FIFO is found through /proc.
func TestStatFIFOOtherProcess(t *testing.T) {
	path := newFIFO(t)
	// sh opens the FIFO read-write (never blocks) on fd 7 and sleeps
	cmd := exec.Command("sh", "-c", "exec 7<>\"$1\"; echo ready; exec sleep 30", "sh", path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	bufio.NewReader(out).ReadString('\n')
	// wait for sh to have become sleep
	var info FIFOInfo
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if info, err = StatFIFO(path); err != nil {
			t.Fatal(err)
		}
		if len(info.Holders) == 1 && info.Holders[0].Command == "sleep" {
			break
		}
	}
	if len(info.Holders) != 1 || info.Holders[0].PID != cmd.Process.Pid || info.Holders[0].FD != 7 ||
		!info.Holders[0].Read || !info.Holders[0].Write || info.Holders[0].Command != "sleep" {
		t.Fatalf("holders %+v, want sleep (pid %d) fd 7 read-write", info.Holders, cmd.Process.Pid)
	}
	if info.Capacity <= 0 || info.Buffered != 0 {
		t.Fatalf("capacity %d buffered %d", info.Capacity, info.Buffered)
	}
}

func currentUmask() int {
	m := unix.Umask(0)
	unix.Umask(m)
	return m
}

func TestParseFdinfoFlags(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"pos:\t0\nflags:\t02000001\nmnt_id:\t25\n", 0o2000001},
		{"pos:\t0\nflags:\t0100002\n", 0o100002},
		{"pos:\t0\n", -1},
		{"flags:\tzz\n", -1},
	}
	for _, tt := range tests {
		if got := parseFdinfoFlags(tt.in); got != tt.want {
			t.Errorf("parseFdinfoFlags(%q) = %o, want %o", tt.in, got, tt.want)
		}
	}
}

// TestFIFOWaitLeavesOtherWaitersAlone: while ipcx waits to open a FIFO, other processes wait on
// the same FIFO too. When ipcx gives up (timeout or cancel) they go on waiting, untouched: a
// waiting shell writer is not released into a FIFO with no reader (SIGPIPE), a waiting cat is
// not released into end of file. Each then meets a real peer and does its job.
func TestFIFOWaitLeavesOtherWaitersAlone(t *testing.T) {
	giveUp := map[string]func() context.Context{
		"timeout": func() context.Context { return shortCtx(t, 150*time.Millisecond) },
		"cancel": func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(150*time.Millisecond, cancel)
			t.Cleanup(cancel)
			return ctx
		},
	}
	for name, mkctx := range giveUp {
		t.Run("writer/"+name, func(t *testing.T) {
			path := newFIFO(t)
			var out bytes.Buffer
			peer := exec.Command("sh", "-c", `echo from-sh > "$0"; echo sh-done`, path)
			peer.Stdout = &out
			if err := peer.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // the shell is in open(2)
			if _, err := OpenFIFO(mkctx(), path, Write, false); err == nil {
				t.Fatal("open for writing with no reader succeeded")
			}
			time.Sleep(100 * time.Millisecond)
			r := openWithin(t, path, unix.O_RDONLY)
			b := make([]byte, 100)
			n, _ := unix.Read(r, b)
			if err := peer.Wait(); err != nil || string(b[:n]) != "from-sh\n" || out.String() != "sh-done\n" {
				t.Fatalf("waiting writer: %v, wrote %q, said %q; want it untouched", err, b[:n], out.String())
			}
		})
		t.Run("reader/"+name, func(t *testing.T) {
			path := newFIFO(t)
			var out bytes.Buffer
			peer := exec.Command("cat", path)
			peer.Stdout = &out
			if err := peer.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // cat is in open(2)
			if _, err := OpenFIFO(mkctx(), path, Read, false); err == nil {
				t.Fatal("open for reading with no writer succeeded")
			}
			time.Sleep(100 * time.Millisecond)
			w := openWithin(t, path, unix.O_WRONLY)
			unix.Write(w, []byte("for cat\n"))
			unix.Close(w)
			if err := peer.Wait(); err != nil || out.String() != "for cat\n" {
				t.Fatalf("waiting reader: %v, read %q; want it untouched", err, out.String())
			}
		})
	}
}

// TestFIFOOpenReadSilentWriter: a writer that opened the FIFO and writes nothing yet counts as a
// writer when the reader's timeout comes (a blocking open(2) would have returned).
func TestFIFOOpenReadSilentWriter(t *testing.T) {
	path := newFIFO(t)
	peer := exec.Command("sh", "-c", `exec 3>"$0"; sleep 0.5; echo late >&3`, path)
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	defer peer.Wait()
	f, err := OpenFIFO(shortCtx(t, 200*time.Millisecond), path, Read, false)
	if err != nil {
		t.Fatalf("open for reading with a silent writer: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil || string(b) != "late\n" {
		t.Fatalf("read %q, %v", b, err)
	}
}

// openWithin opens the FIFO with a blocking open(2), as a peer would, and fails the test when no
// peer lets it return within 5s.
func openWithin(t *testing.T, path string, flags int) int {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		fd, err := unix.Open(path, flags|unix.O_CLOEXEC, 0)
		if err != nil {
			fd = -1
		}
		done <- fd
	}()
	select {
	case fd := <-done:
		if fd < 0 {
			t.Fatalf("open(%s, %#x) failed", path, flags)
		}
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	case <-time.After(5 * time.Second):
		t.Fatalf("open(%s, %#x): no peer within 5s (the waiting peer was released and is gone)", path, flags)
	}
	return -1
}
