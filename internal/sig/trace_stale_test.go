package sig

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestInstanceName(t *testing.T) {
	id := procIdent{pidns: 4026531836, pid: 4242}
	for seq, want := range []string{"ipcx-sig-4242-987654-4026531836", "ipcx-sig-4242-987654-4026531836-1"} {
		name := instanceName(id, 987654, seq)
		if name != want {
			t.Errorf("instanceName(seq %d) = %q, want %q", seq, name, want)
		}
		gotID, start, ok := parseInstanceName(name)
		if !ok || gotID != id || start != 987654 {
			t.Errorf("parseInstanceName(%q) = %+v, %d, %v", name, gotID, start, ok)
		}
	}
	// Old names (no start time) and other programs' instances are never taken for ipcx's.
	for _, name := range []string{"ipcx-sig-4242", "ipcx-sig-4242-1", "foo", "ipcx-sig-x-1-2", "ipcx-sig-0-1-2", "ipcx-sig-1-2-3-4-5"} {
		if _, _, ok := parseInstanceName(name); ok {
			t.Errorf("parseInstanceName(%q) ok", name)
		}
	}
	// A process's own identity is live; one with another start time is stale.
	self, start, err := selfIdent()
	if err != nil {
		t.Fatal(err)
	}
	lp := scanLiveProcs(self.pidns)
	if lp.stale(self, start) {
		t.Errorf("own identity %+v %d is stale", self, start)
	}
	if !lp.stale(self, start+1) {
		t.Errorf("own pid with another start time is not stale")
	}
}

// TestStaleInstanceRemoved: a sig trap killed with SIGKILL leaves its trace instance (the kernel's,
// not the process's); the next trap started removes it, and so does the next start outside once
// the killed one's pid namespace is gone. Everything runs in a private pid namespace; whatever
// the test leaves is removed at its end, failed or not.
func TestStaleInstanceRemoved(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("trace instances need root; run the tests as root (scripts/test)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mnt := t.TempDir()
	if err := unix.Mount("nodev", mnt, "tracefs", 0, ""); err != nil {
		t.Fatalf("mount tracefs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })

	// The private pid namespace: unshare's child (pid 1 there) sleeps; every helper joins it.
	ns := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sleep", "120")
	if err := ns.Start(); err != nil {
		t.Fatal(err)
	}
	var init int
	for deadline := time.Now().Add(10 * time.Second); init == 0; time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", ns.Process.Pid, ns.Process.Pid))
		init, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		if time.Now().After(deadline) {
			ns.Process.Kill()
			t.Fatal("unshare's child did not start")
		}
	}
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/pid", init), &st); err != nil {
		t.Fatal(err)
	}
	pidns := st.Ino
	mine := func() []string {
		var out []string
		ents, _ := os.ReadDir(filepath.Join(mnt, "instances"))
		for _, e := range ents {
			if id, _, ok := parseInstanceName(e.Name()); ok && id.pidns == pidns {
				out = append(out, e.Name())
			}
		}
		return out
	}
	t.Cleanup(func() {
		ns.Process.Kill() // --kill-child: the namespace's pid 1 and with it every helper
		ns.Wait()
		for _, name := range mine() {
			if err := unix.Rmdir(filepath.Join(mnt, "instances", name)); err != nil {
				t.Errorf("cleanup: remove instance %s: %v", name, err)
			}
		}
	})
	inNS := func(args ...string) *exec.Cmd {
		return exec.Command("nsenter", append([]string{"--target", strconv.Itoa(init), "--pid", "--mount", "--"}, args...)...)
	}
	// start runs a trap helper in the namespace and returns its pid there and its instance.
	start := func() (*exec.Cmd, int, string) {
		cmd := inNS(exe)
		cmd.Env = append(os.Environ(), "SIG_TEST_HELPER=trap:TERM")
		cmd.Stderr = os.Stderr
		out, _ := cmd.StdoutPipe()
		cmd.StdinPipe() // kept open: the helper stops at end of stdin
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		var pid int
		if _, serr := fmt.Sscanf(line, "ready pid=%d", &pid); err != nil || serr != nil {
			t.Fatalf("helper: %q %v", line, err)
		}
		for _, name := range mine() {
			if id, _, _ := parseInstanceName(name); id.pid == pid {
				return cmd, pid, name
			}
		}
		t.Fatalf("no instance of helper %d among %v", pid, mine())
		return nil, 0, ""
	}
	kill := func(cmd *exec.Cmd, pid int) {
		if out, err := inNS("kill", "-KILL", strconv.Itoa(pid)).CombinedOutput(); err != nil {
			t.Fatalf("kill -KILL %d in the namespace: %v %s", pid, err, out)
		}
		cmd.Wait() // nsenter waits for its child, and so reaps it
	}
	has := func(name string) bool { _, err := os.Stat(filepath.Join(mnt, "instances", name)); return err == nil }

	first, pid1, inst1 := start()
	kill(first, pid1)
	if !has(inst1) {
		t.Fatalf("instance %s went with its SIGKILLed maker: nothing to test", inst1)
	}
	second, pid2, inst2 := start()
	if has(inst1) {
		t.Errorf("the stale instance %s of the killed trap %d is still there after the next start", inst1, pid2)
	}
	// The second is killed too, then its whole namespace goes: a start outside removes it.
	kill(second, pid2)
	if !has(inst2) {
		t.Fatalf("instance %s went with its SIGKILLed maker", inst2)
	}
	ns.Process.Kill()
	ns.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if err := unix.Stat(fmt.Sprintf("/proc/%d", init), &st); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the namespace's pid 1 did not go")
		}
	}
	removed, err := RemoveStaleInstances(mnt)
	if err != nil {
		t.Fatal(err)
	}
	if has(inst2) {
		t.Errorf("the stale instance %s of a gone namespace is still there (removed %v)", inst2, removed)
	}
	if left := mine(); len(left) > 0 {
		t.Errorf("instances left: %v", left)
	}
}
