package inventory

import (
	"os"
	"os/exec"
	"testing"
	"time"
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
