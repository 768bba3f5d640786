package sig

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

// TestTrapOrderPrompt: every trapped signal is printed, in the order it came, at once, whether
// the Go runtime lets it be blocked (USR1, USR2: signalfd) or not (TERM, HUP: os/signal, with the
// sender from the kernel's trace as root), in the initial pid namespace and in a private one
// (where the trace names processes otherwise). A C peer queues TERM five times with distinct
// values (each once the last was printed: standard signals coalesce), then a notified signal
// followed at once by a blocked one, twice, then TERM followed at once by the untrapped INT that
// ends the receiver: that TERM is printed before it exits 130. Waits are on output lines and on
// the kernel's pending sets, with generous timeouts that fail the test.
func TestTrapOrderPrompt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the senders of TERM and HUP come from the kernel's trace, which needs root; run the tests as root (scripts/test)")
	}
	bin := ctest.Build(t, "sigqueue", sigqueueC)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, nested := range []bool{false, true} {
		t.Run(fmt.Sprintf("pidns=%v", nested), func(t *testing.T) {
			var cmd *exec.Cmd
			if nested {
				// The trap finds its own pid as the trace names it by a signal it sends itself,
				// which qemu-user takes in its own handler first.
				skipUnderEmulator(t, qemuHandler)
				// Not pid 1 there: init ignores signals it has no handler for.
				cmd = exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sh", "-c", `"$0" & wait $!`, exe)
			} else {
				cmd = exec.Command(exe)
			}
			cmd.Env = append(os.Environ(), "SIG_TEST_HELPER=receive:TERM,HUP,USR1,USR2")
			cmd.Stderr = os.Stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			lines := make(chan string, 64)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
				exited <- cmd.Wait()
			}()
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
				checkNoInstance(t, cmd.Process.Pid)
			})
			line := func() (string, bool) {
				t.Helper()
				select {
				case l, ok := <-lines:
					return l, ok
				case <-time.After(10 * time.Second):
					t.Fatal("no line from the receiver within 10s")
				}
				return "", false
			}
			first, _ := line()
			var nsPid int
			if _, err := fmt.Sscanf(first, "ready pid=%d", &nsPid); err != nil {
				t.Fatalf("receiver said %q", first)
			}
			pid := nsPid
			if nested {
				pid = grandchild(t, cmd.Process.Pid)
			}
			next := func() Received {
				t.Helper()
				l, ok := line()
				if !ok {
					t.Fatal("the receiver ended")
				}
				var r Received
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatal(err)
				}
				return r
			}
			send := func(s Signal, v int) int {
				t.Helper()
				return run(t, bin, strconv.Itoa(pid), strconv.Itoa(int(s)), strconv.Itoa(v), strconv.Itoa(v))
			}
			want := func(r Received, s Signal, sender int, value int32) {
				t.Helper()
				if nested && r.Via == "signalfd" {
					sender = 0 // the kernel's siginfo for a sender outside the namespace
				}
				switch {
				case r.Signal != s:
					t.Errorf("got %v, want %v: %+v", r.Signal, s, r)
				case r.Via == "signalfd" && (r.Pid != sender || r.Value != value || !r.HasValue):
					t.Errorf("%v: got %+v, want sender %d value %d", s, r, sender, value)
				case r.Via != "signalfd" && !nested && (r.Sender != SenderProcess || r.Pid != sender || r.CodeName() != "queue"):
					t.Errorf("%v: got %+v, want the sender %d from the trace", s, r, sender)
				case r.Via != "signalfd" && nested && r.Via != "trace":
					// (The trace's command for a pid comes from a cache: the peer's may still
					// be its parent's from before exec, or missing.)
					t.Errorf("%v: got %+v, want the sender's event from the trace", s, r)
				}
			}
			for v := 1; v <= 5; v++ {
				sender := send(Signal(unix.SIGTERM), v)
				want(next(), Signal(unix.SIGTERM), sender, 0)
			}
			// A notified signal, then at once a blocked one: in that order.
			for _, pair := range [][2]Signal{{Signal(unix.SIGTERM), Signal(unix.SIGUSR1)}, {Signal(unix.SIGHUP), Signal(unix.SIGUSR2)}} {
				s1 := send(pair[0], 6)
				delivered(t, pid, pair[0])
				s2 := send(pair[1], 7)
				want(next(), pair[0], s1, 0)
				want(next(), pair[1], s2, 7)
			}
			// TERM, then the untrapped INT: the TERM is printed, then the receiver exits 130.
			s1 := send(Signal(unix.SIGTERM), 8)
			delivered(t, pid, Signal(unix.SIGTERM))
			send(Signal(unix.SIGINT), 9)
			want(next(), Signal(unix.SIGTERM), s1, 0)
			if l, ok := line(); ok {
				t.Errorf("after the INT: %q, want the end", l)
			}
			var ee *exec.ExitError
			if err := <-exited; !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("receiver ended with %v, want exit 130", err)
			}
			exited <- nil
		})
	}
}

// grandchild returns the pid of the only child of the only child of pid (unshare's shell's
// command), waiting for it to appear.
func grandchild(t *testing.T, pid int) int {
	t.Helper()
	child := func(p int) int {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p, p))
		f := strings.Fields(string(b))
		if len(f) != 1 {
			return 0
		}
		n, _ := strconv.Atoi(f[0])
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if c := child(pid); c != 0 {
			if g := child(c); g != 0 {
				return g
			}
		}
	}
	t.Fatalf("no grandchild of %d", pid)
	return 0
}

// delivered waits until s is no longer pending for process pid (its threads or the process), as
// /proc/PID/status shows.
func delivered(t *testing.T, pid int, s Signal) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		st, err := ReadStatus(pid)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Pending.Has(s) && !st.SharedPending.Has(s) {
			return
		}
	}
	t.Fatalf("%v still pending for %d after 10s", s, pid)
}
