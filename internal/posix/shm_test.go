//go:build linux

package posix

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

func newShm(t *testing.T, size int64) (*os.File, string) {
	t.Helper()
	name := uniq(t, "shm")
	f, err := ShmOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); ShmUnlink(name) })
	if err := ShmResize(name, size); err != nil {
		t.Fatal(err)
	}
	return f, name
}

func TestShmOpen(t *testing.T) {
	f, name := newShm(t, 10000)
	if _, err := ShmOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600); !errors.Is(err, unix.EEXIST) {
		t.Errorf("exclusive create of an existing object: %v, want EEXIST", err)
	}
	if _, err := ShmOpen("/ipcx-test-missing", unix.O_RDONLY, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("open missing: %v, want ENOENT", err)
	}
	for _, bad := range []string{"", "/", "x", "/a/b", "/..", "/" + string(make([]byte, 256))} {
		if _, err := ShmOpen(bad, unix.O_RDWR|unix.O_CREAT, 0o600); !errors.Is(err, ErrBadName) {
			t.Errorf("ShmOpen(%q): %v, want ErrBadName", bad, err)
		}
	}
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor flags %#x, %v: want FD_CLOEXEC", flags, err)
	}
	info, err := ShmStat(name)
	if err != nil || info.Size != 10000 || info.Mode != 0o600 || info.Name != name || info.UID != uint32(os.Getuid()) {
		t.Errorf("ShmStat = %+v, %v", info, err)
	}
	m, unmap, err := ShmMap(f, 5000, 100, true)
	if err != nil {
		t.Fatal(err)
	}
	copy(m, "at 5000")
	if err := unmap(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	f.ReadAt(buf, 5000)
	if string(buf) != "at 5000" {
		t.Errorf("mapped write at an unaligned offset read back as %q", buf)
	}
	if err := ShmResize(name, 100); err != nil {
		t.Fatal(err)
	}
	if info, _ := ShmStat(name); info.Size != 100 {
		t.Errorf("size after resize = %d", info.Size)
	}
	if err := ShmUnlink(name); err != nil {
		t.Fatal(err)
	}
	if _, err := ShmStat(name); !errors.Is(err, unix.ENOENT) {
		t.Errorf("stat after unlink: %v, want ENOENT", err)
	}
}

// A symlink planted in /dev/shm is never followed, whatever the flags.
func TestShmWriteAtAndZero(t *testing.T) {
	const size = 3 << 20
	f, _ := newShm(t, size)
	data := bytes.Repeat([]byte("ipcx"), size/4)
	if n, err := ShmWriteAt(f, data, 0); n != size || err != nil {
		t.Fatalf("ShmWriteAt: %d, %v", n, err)
	}
	// a hole from an unaligned offset, across pages, ending inside a page
	if err := ShmZero(f, 4097, 1<<20+3); err != nil {
		t.Fatal(err)
	}
	ro, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ShmZero(ro, 0, 1); err == nil {
		t.Error("ShmZero on a read-only descriptor succeeded")
	}
	got := make([]byte, size)
	if _, err := f.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(data)
	clear(want[4097 : 4097+1<<20+3])
	if !bytes.Equal(got, want) {
		t.Error("after ShmZero the object is not the data with zeros in [4097, 4097+1MiB+3)")
	}
	if n, err := ShmWriteAt(ro, data[:10], 0); n != 0 || !errors.Is(err, unix.EBADF) {
		t.Errorf("ShmWriteAt on a read-only descriptor: %d, %v, want EBADF", n, err)
	}
}

func TestShmCreate(t *testing.T) {
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	name := uniq(t, "shmc")
	defer ShmUnlink(name)
	mode := func(f *os.File) os.FileMode {
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	f, created, err := ShmCreate(name, ShmCreateOptions{Mode: 0o644, Size: 5000})
	if err != nil || !created {
		t.Fatalf("create: %v, created %v", err, created)
	}
	if fi, _ := f.Stat(); mode(f) != 0o644 || fi.Size() != 5000 {
		t.Errorf("new object: mode %o size %d, want 0644 (the umask 077 must not narrow it) and 5000", mode(f), fi.Size())
	}
	f.Close()
	// an object that exists is opened as it is, read-only, or refused when exclusive
	f, created, err = ShmCreate(name, ShmCreateOptions{Mode: 0o600, Size: 1})
	if err != nil || created {
		t.Fatalf("open existing: %v, created %v", err, created)
	}
	if fi, _ := f.Stat(); fi.Size() != 5000 {
		t.Errorf("existing object resized to %d", fi.Size())
	}
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Error("an existing object was opened writable")
	}
	f.Close()
	if _, _, err := ShmCreate(name, ShmCreateOptions{Mode: 0o600, Size: 1, Exclusive: true}); !errors.Is(err, unix.EEXIST) {
		t.Errorf("exclusive create of an existing object: %v, want EEXIST", err)
	}
	ShmUnlink(name)
	// Umask: shm_open's own behaviour
	f, _, err = ShmCreate(name, ShmCreateOptions{Mode: 0o644, Umask: true, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if mode(f) != 0o600 {
		t.Errorf("with Umask, mode %o, want 0600 (0644 narrowed by umask 077)", mode(f))
	}
	f.Close()
	ShmUnlink(name)
	// a new object that cannot get its size is removed again
	if _, created, err := ShmCreate(name, ShmCreateOptions{Mode: 0o600, Size: -1}); err == nil || !created {
		t.Fatalf("size -1: %v, created %v; want an error after creating", err, created)
	}
	if _, err := ShmStat(name); !errors.Is(err, unix.ENOENT) {
		t.Errorf("after a failed create the object is still there: %v", err)
	}
}

func TestShmRefusesSymlink(t *testing.T) {
	target := t.TempDir() + "/target"
	os.WriteFile(target, []byte("secret"), 0o600)
	link := Dir + "/ipcx-test-shmlink"
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(link)
	for _, flags := range []int{unix.O_RDONLY, unix.O_RDWR | unix.O_CREAT, unix.O_RDWR | unix.O_CREAT | unix.O_TRUNC} {
		if f, err := ShmOpen("/ipcx-test-shmlink", flags, 0o600); !errors.Is(err, unix.ELOOP) {
			if f != nil {
				f.Close()
			}
			t.Errorf("ShmOpen(flags %#x) through a symlink: %v, want ELOOP", flags, err)
		}
	}
	if err := ShmResize("/ipcx-test-shmlink", 0); !errors.Is(err, unix.ELOOP) {
		t.Errorf("resize through a symlink: %v, want ELOOP", err)
	}
	if _, err := ShmStat("/ipcx-test-shmlink"); !errors.Is(err, unix.EINVAL) {
		t.Errorf("stat of a symlink: %v, want EINVAL (not a regular file)", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "secret" {
		t.Errorf("symlink target changed to %q", b)
	}
}

func TestShmListAndHolders(t *testing.T) {
	f, name := newShm(t, 4096)
	_, semName := newSem(t, 1)
	list, err := ShmList()
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, info := range list {
		if info.Name == name {
			found = info.Size == 4096
		}
		if info.Name == "/sem."+semName[1:] {
			t.Errorf("ShmList lists the semaphore %s", semName)
		}
	}
	if !found {
		t.Errorf("ShmList = %+v, want %s", list, name)
	}

	h, err := ShmHolders(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].PID != os.Getpid() || len(h[0].FDs) != 1 || h[0].FDs[0] != int(f.Fd()) || h[0].Mapped {
		t.Errorf("ShmHolders (open) = %+v, want this process with fd %d", h, f.Fd())
	}
	_, unmap, err := ShmMap(f, 0, 4096, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	h, _ = ShmHolders(name)
	if len(h) != 1 || len(h[0].FDs) != 0 || !h[0].Mapped || h[0].Comm == "" {
		t.Errorf("ShmHolders (mapped only) = %+v", h)
	}
	unmap()
	if h, _ := ShmHolders(name); len(h) != 0 {
		t.Errorf("ShmHolders after close and unmap = %+v", h)
	}
}

const shmCPeer = `
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct rec { uint32_t magic; int16_t a; char name[10]; double x; };

/* shm_peer write|read NAME OFF */
int main(int argc, char **argv) {
	int fd = shm_open(argv[2], O_RDWR, 0);
	if (fd < 0) { perror("shm_open"); return 1; }
	off_t size = lseek(fd, 0, SEEK_END);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) { perror("mmap"); return 1; }
	size_t off = atol(argv[3]);
	struct rec r;
	if (!strcmp(argv[1], "write")) {
		r.magic = 0xC0FFEE11; r.a = -2; memcpy(r.name, "from C\0\0\0", 10); r.x = 2.5;
		memcpy(p + off, &r, sizeof r);
	} else {
		memcpy(&r, p + off, sizeof r);
		printf("%x %d %s %g\n", r.magic, r.a, r.name, r.x);
	}
	return 0;
}
`

func TestShmInteropC(t *testing.T) {
	peer := ctest.Build(t, "shm_peer", shmCPeer, "-lrt")
	f, name := newShm(t, 65536)
	if out, err := exec.Command(peer, "write", name, "40000").CombinedOutput(); err != nil {
		t.Fatalf("peer: %v %s", err, out)
	}
	want := []byte{0x11, 0xee, 0xff, 0xc0, 0xfe, 0xff, 'f', 'r', 'o', 'm', ' ', 'C', 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 4, 0x40}
	m, unmap, err := ShmMap(f, 40000, 24, true)
	if err != nil {
		t.Fatal(err)
	}
	defer unmap()
	if !bytes.Equal(m, want) {
		t.Errorf("C wrote % x\nwant      % x", m, want)
	}
	copy(m, []byte{0x44, 0x33, 0x22, 0x11, 7, 0, 'f', 'r', 'o', 'm', ' ', 'G', 'o', 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0x22, 0xc0})
	out, err := exec.Command(peer, "read", name, "40000").CombinedOutput()
	if err != nil {
		t.Fatalf("peer: %v %s", err, out)
	}
	if string(out) != "11223344 7 from Go -9\n" {
		t.Errorf("C read %q", out)
	}
}
