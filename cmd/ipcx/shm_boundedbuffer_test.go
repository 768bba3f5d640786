package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBoundedBufferLab runs the lecture's bounded buffer, scripts/lab/bounded-buffer.sh, with
// this test binary as ipcx (testscript.Main put it on PATH): three producers and three consumers
// move 3,000 numbered items through a ring in shared memory guarded by three semaphores, and the
// script checks that every item arrived exactly once. It takes tens of thousands of ipcx runs, so
// it is the one long test of the package (about a minute on two cores).
func TestBoundedBufferLab(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash is needed to run the lab script: %v", err)
	}
	items := "3000"
	if testing.Short() {
		items = "300"
	}
	cmd := exec.Command(bash, filepath.Join("..", "..", "scripts", "lab", "bounded-buffer.sh"), items, "8")
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bounded-buffer.sh: %v\n%s", err, out)
	}
	if want := "bounded-buffer: " + items + " items from 3 producers to 3 consumers through 8 slots, each exactly once\n"; string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	left, _ := filepath.Glob("/dev/shm/bb-*")
	if len(left) > 0 {
		t.Errorf("the script left %s behind", strings.Join(left, " "))
	}
}
