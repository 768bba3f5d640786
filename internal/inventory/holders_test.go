package inventory

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// TestUninspectGone: a process that could not be read because it exited during the scan, or that
// is a zombie, holds nothing: it is not recorded as uninspected, and the scan is not partial. A
// live one is.
func TestUninspectGone(t *testing.T) {
	ps := &procScan{uninspected: map[int]*procInfo{}}

	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	ps.uninspect(gone.Process.Pid, 0)

	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	defer zombie.Wait()
	for alive(zombie.Process.Pid) {
		time.Sleep(time.Millisecond) // waiting for the child to exit (not reaped: Wait is deferred)
	}
	ps.uninspect(zombie.Process.Pid, 0)
	if len(ps.uninspected) != 0 || ps.partial {
		t.Fatalf("exited processes recorded as uninspected: %v (partial %v)", ps.uninspected, ps.partial)
	}

	ps.uninspect(os.Getpid(), 0)
	if p := ps.uninspected[os.Getpid()]; p == nil || !ps.partial || len(p.uids) == 0 {
		t.Fatalf("a live process was not recorded with its ids: %+v (partial %v)", p, ps.partial)
	}
}

// TestScanMaps: only lines whose path starts with /SYSV (in the namespace) or /dev/shm/ count,
// each segment and file once; a file not read to a line's end is not complete.
func TestScanMaps(t *testing.T) {
	maps := "" +
		"7f00-7f01 rw-s 00000000 00:01 5                          /SYSV00000000 (deleted)\n" +
		"7f01-7f02 rw-s 00000000 00:01 5                          /SYSV00000000 (deleted)\n" +
		"7f02-7f03 rw-s 00000000 00:1a 77                         /dev/shm/jobs\n" +
		"7f03-7f04 r--s 00000000 00:1a 78                         /dev/shm/sem.lock (deleted)\n" +
		"7f04-7f05 r--p 00000000 08:01 99                         /home/u/SYSV/dev/shm/x\n" +
		"7f05-7f06 r--p 00000000 08:01 100                        /usr/lib/libc.so.6\n" +
		"7f06-7f07 rw-p 00000000 00:00 0                          [heap]\n" +
		"7f07-7f08 rw-s 00000000 00:01 9                          /SYSV0000abcd\n"
	shm, files, ok := scanMaps([]byte(maps), true, true, nil, nil)
	if !ok || !slices.Equal(shm, []sysv.ID{5, 9}) ||
		!slices.Equal(files, []devIno{{unix.Mkdev(0, 0x1a), 77}, {unix.Mkdev(0, 0x1a), 78}}) {
		t.Errorf("scanMaps = %v %v %v", shm, files, ok)
	}
	if shm, files, ok := scanMaps([]byte(maps), false, false, nil, nil); !ok || shm != nil || files != nil {
		t.Errorf("scanMaps asked for nothing = %v %v %v", shm, files, ok)
	}
	if shm, files, ok := scanMaps([]byte(maps), false, true, nil, nil); !ok || shm != nil || len(files) != 2 {
		t.Errorf("scanMaps outside the namespace = %v %v %v", shm, files, ok)
	}
	if _, _, ok := scanMaps([]byte(maps[:len(maps)-3]), true, true, nil, nil); ok {
		t.Error("a maps file cut short was taken as complete")
	}
}

// TestStatFlags reads the flags of /proc/PID/stat lines, whatever the comm holds.
func TestStatFlags(t *testing.T) {
	for in, want := range map[string]uint64{
		"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0\n": 2129984,
		"7 (a) b) c) S 1 7 7 0 -1 4194560 12 0 0 0 3 1\n": 4194560,
	} {
		if got, ok := statFlags([]byte(in)); !ok || got != want {
			t.Errorf("statFlags(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	if _, ok := statFlags([]byte("7 (a) S 1\n")); ok {
		t.Error("statFlags of a short line succeeded")
	}
}

// TestKernelThreads: kernel threads are told apart from processes (when /proc shows any: not in
// a private pid namespace) and from this one.
func TestKernelThreads(t *testing.T) {
	ps := newScan(0)
	defer ps.done()
	if ps.dir == nil {
		t.Fatal("no /proc")
	}
	if p := ps.find(os.Getpid()); p == nil || ps.kindOf(p) != kindUser {
		t.Fatalf("this process: %+v", p)
	}
	if p := ps.find(2); p != nil {
		if b, err := os.ReadFile("/proc/2/stat"); err == nil && strings.Contains(string(b), "(kthreadd)") && ps.kindOf(p) != kindKernel {
			t.Errorf("kthreadd taken for a process: %+v", p)
		}
	}
}
