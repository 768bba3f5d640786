//go:build linux

package sysv

import (
	"bytes"
	"errors"
	"os/exec"
	"strconv"
	"testing"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

func TestShmLifecycle(t *testing.T) {
	const key Key = 0x1e5e0002
	id, err := ShmGet(key, 10000, Create|Exclusive|0o640)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ShmRemove(id) })
	if _, err := ShmGet(key, 10000, Create|Exclusive|0o640); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second exclusive shmget: %v, want EEXIST", err)
	}
	if _, err := ShmGet(key, 20000, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("shmget larger than the segment: %v, want EINVAL", err)
	}
	b, err := ShmAttach(id, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 10000 {
		t.Errorf("attached %d bytes, want 10000", len(b))
	}
	copy(b[100:], "hello")
	info, err := ShmSegOf(id)
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != key || info.ID != id || info.Size != 10000 || info.NAttch != 1 || info.CPID != unix.Getpid() ||
		info.Mode != 0o640 || info.ATime == nil || info.DTime != nil {
		t.Errorf("ShmSegOf = %+v", info)
	}
	segs, err := ShmSegs()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range segs {
		if s.ID == id {
			found = s.Key == info.Key && s.Mode == info.Mode && s.Size == info.Size && s.NAttch == 1 && s.Owner == info.Owner
		}
	}
	if !found {
		t.Errorf("ShmSegs() = %+v, want %+v among them", segs, info)
	}
	ro, err := ShmAttach(id, true)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ro[100:105], []byte("hello")) {
		t.Errorf("second attach reads %q", ro[100:105])
	}
	ShmDetach(ro)
	if err := ShmRemove(id); err != nil {
		t.Fatal(err)
	}
	info, err = ShmSegOf(id)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode&ShmDest == 0 || info.Key != 0 || info.NAttch != 1 {
		t.Errorf("after IPC_RMID while attached: %+v, want removed, key 0", info)
	}
	if err := ShmDetach(b); err != nil {
		t.Fatal(err)
	}
	if _, err := ShmStat(id); !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EIDRM) {
		t.Errorf("stat after the last detach: %v, want EINVAL", err)
	}
}

func TestShmStatIndex(t *testing.T) {
	id, err := ShmGet(Private, 4096, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ShmRemove(id) })
	found := false
	for i := 0; i < 4096 && !found; i++ {
		got, _, err := ShmStatIndex(i)
		found = err == nil && got == id
	}
	if !found {
		t.Errorf("segment %d not found by SHM_STAT_ANY", id)
	}
}

const shmPeerC = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/shm.h>

struct rec { uint32_t magic; int16_t a; char name[10]; double x; };

/* shm_peer write ID OFF | read ID OFF: put a struct rec at OFF, or print the one at OFF. */
int main(int argc, char **argv) {
	int id = atoi(argv[2]);
	size_t off = atol(argv[3]);
	char *p = shmat(id, NULL, 0);
	if (p == (void *)-1) { perror("shmat"); return 1; }
	struct rec r;
	if (strcmp(argv[1], "write") == 0) {
		r.magic = 0xC0FFEE11; r.a = -2; memcpy(r.name, "from C\0\0\0", 10); r.x = 2.5;
		memcpy(p + off, &r, sizeof r);
	} else {
		memcpy(&r, p + off, sizeof r);
		printf("%x %d %s %g\n", r.magic, r.a, r.name, r.x);
	}
	return shmdt(p);
}
`

func TestShmInteropC(t *testing.T) {
	peer := ctest.Build(t, "shm_peer", shmPeerC)
	id, err := ShmGet(Private, 8192, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ShmRemove(id) })
	b, err := ShmAttach(id, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ShmDetach(b)
	ids := strconv.Itoa(int(id))

	if out, err := exec.Command(peer, "write", ids, "5000").CombinedOutput(); err != nil {
		t.Fatalf("peer: %v %s", err, out)
	}
	// struct rec: uint32, int16, char[10], 0 padding to 16, double: 24 bytes, native endian.
	want := []byte{0x11, 0xee, 0xff, 0xc0, 0xfe, 0xff, 'f', 'r', 'o', 'm', ' ', 'C', 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 4, 0x40}
	if got := b[5000:5024]; !bytes.Equal(got, want) {
		t.Errorf("C wrote % x\nwant      % x", got, want)
	}

	copy(b[100:], []byte{0x44, 0x33, 0x22, 0x11, 7, 0, 'f', 'r', 'o', 'm', ' ', 'G', 'o', 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0x22, 0xc0})
	out, err := exec.Command(peer, "read", ids, "100").CombinedOutput()
	if err != nil {
		t.Fatalf("peer: %v %s", err, out)
	}
	if string(out) != "11223344 7 from Go -9\n" {
		t.Errorf("C read %q", out)
	}
}
