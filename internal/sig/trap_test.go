//go:build linux

package sig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
)

// procpsKill is the kill(1) of this machine: Debian ships kill in procps (util-linux builds its own
// kill only on other distributions); both take -s SIG and -q/--queue VALUE.
func procpsKill(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/kill", "/bin/kill"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("no kill(1) executable: install procps (scripts/test does)")
	return ""
}

func run(t *testing.T, name string, args ...string) int {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return cmd.Process.Pid
}

func TestTrapFromKill(t *testing.T) {
	p := startHelper(t, "trap:USR1,USR2", nil)
	p.ready()
	kill := procpsKill(t)
	sender := run(t, kill, "-s", "USR1", strconv.Itoa(p.Pid))
	r := p.next()
	if r.Signal != 10 || r.Sender != SenderProcess || r.Pid != sender || r.Uid != os.Getuid() || r.CodeName() != "user" || r.HasValue || r.Via != "signalfd" {
		t.Errorf("kill -s USR1 from %d: got %+v", sender, r)
	}
	sender = run(t, kill, "-s", "USR2", "--queue", "42", strconv.Itoa(p.Pid))
	r = p.next()
	if r.Signal != 12 || r.Pid != sender || r.Uid != os.Getuid() || r.CodeName() != "queue" || !r.HasValue || r.Value != 42 {
		t.Errorf("kill --queue 42 from %d: got %+v", sender, r)
	}
}

const sigqueueC = `
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* sigqueue PID SIGNO FIRST LAST: queue SIGNO with values FIRST..LAST. SIGNO may be "rt+N". */
int main(int argc, char **argv) {
	if (argc != 5) return 2;
	pid_t pid = atoi(argv[1]);
	int sig = argv[2][0] == 'r' ? SIGRTMIN + atoi(argv[2] + 3) : atoi(argv[2]);
	for (int v = atoi(argv[3]); v <= atoi(argv[4]); v++) {
		union sigval val = {.sival_int = v};
		if (sigqueue(pid, sig, val) != 0) { perror("sigqueue"); return 1; }
	}
	return 0;
}
`

func TestTrapFromCSigqueue(t *testing.T) {
	skipUnderEmulator(t, qemuRTSignals)
	bin := ctest.Build(t, "sigqueue", sigqueueC)
	p := startHelper(t, "trap:RTMIN+3,USR1", nil)
	p.ready()
	sender := run(t, bin, strconv.Itoa(p.Pid), "rt+3", "-7", "-7")
	r := p.next()
	if r.Signal != RTMIN+3 || r.Pid != sender || r.Uid != os.Getuid() || r.CodeName() != "queue" || r.Value != -7 || !r.HasValue {
		t.Errorf("C sigqueue(SIGRTMIN+3, -7) from %d: got %+v", sender, r)
	}
	sender = run(t, bin, strconv.Itoa(p.Pid), "10", "123456", "123456")
	if r := p.next(); r.Signal != 10 || r.Pid != sender || r.Value != 123456 {
		t.Errorf("C sigqueue(SIGUSR1, 123456) from %d: got %+v", sender, r)
	}
}

// 1,000 real-time signals of one number, queued while the trap runs, all arrive in order with
// their values.
func TestTrapRealTimeQueue(t *testing.T) {
	skipUnderEmulator(t, qemuRTSignals)
	bin := ctest.Build(t, "sigqueue", sigqueueC)
	p := startHelper(t, "trap:RTMIN+2", nil)
	p.ready()
	sender := run(t, bin, strconv.Itoa(p.Pid), "rt+2", "1", "1000")
	for v := int32(1); v <= 1000; v++ {
		r := p.next()
		if r.Signal != RTMIN+2 || r.Value != v || r.Pid != sender {
			t.Fatalf("signal %d: got %+v, want RTMIN+2 with value %d from %d", v, r, v, sender)
		}
	}
}

// startHolding starts a helper in a hold or poll mode, which blocks the signals and waits for a
// line on its stdin before opening its trap, and opens the helper's process to send to.
func startHolding(t *testing.T, mode string) (*trapProc, *Process) {
	t.Helper()
	p := startHelper(t, mode, nil)
	if got := p.line(); got != fmt.Sprintf("holding pid=%d", p.Pid) {
		t.Fatalf("helper said %q", got)
	}
	proc, err := OpenProcess(p.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proc.Close() })
	return p, proc
}

// Standard signals coalesce while pending: ten USR1 sent while blocked arrive as one; ten
// real-time signals arrive as ten.
func TestTrapCoalescing(t *testing.T) {
	skipUnderEmulator(t, qemuRTSignals)
	p, proc := startHolding(t, "hold:USR1,RTMIN+4")
	for i := int32(1); i <= 10; i++ {
		if err := proc.Queue(10, i); err != nil {
			t.Fatal(err)
		}
		if err := proc.Queue(RTMIN+4, i); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Fprintln(p.stdin, "go")
	p.ready()
	r := p.next()
	if r.Signal != 10 || r.Value != 1 || r.Pid != os.Getpid() {
		t.Errorf("first USR1: got %+v, want value 1 from %d", r, os.Getpid())
	}
	for i := int32(1); i <= 10; i++ {
		if r := p.next(); r.Signal != RTMIN+4 || r.Value != i {
			t.Fatalf("real-time signal %d: got %+v", i, r)
		}
	}
	// Nothing else is pending: the next signal is the one sent now.
	if err := proc.Queue(10, 99); err != nil {
		t.Fatal(err)
	}
	if r := p.next(); r.Signal != 10 || r.Value != 99 {
		t.Errorf("after the burst: got %+v, want USR1 value 99 (nine USR1 coalesced)", r)
	}
}

// The kernel sends SIGWINCH to the foreground process group of a terminal that is resized.
func TestTrapWinchFromTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal("tmux is needed (scripts/test installs it)")
	}
	exe, _ := os.Executable()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	sock := filepath.Join(dir, "tmux.sock")
	shell := fmt.Sprintf("SIG_TEST_HELPER=trap:WINCH SIG_TEST_OUT=%s exec %s", out, exe)
	tm := func(args ...string) {
		t.Helper()
		b, err := exec.Command(tmux, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, b)
		}
	}
	tm("new-session", "-d", "-x", "80", "-y", "24", shell)
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	lines := waitLines(t, out, 1)
	pid, ok := strings.CutPrefix(lines[0], "ready pid=")
	if !ok {
		t.Fatalf("helper said %q", lines[0])
	}
	tm("resize-window", "-x", "100", "-y", "30")
	lines = waitLines(t, out, 2)
	want := `{"Signal":28,"Code":128,"Sender":"kernel","Pid":0,"Uid":-1,"Comm":"","Value":0,"HasValue":false,"Via":"signalfd","Why":"","Sends":0}`
	if lines[1] != want {
		t.Errorf("helper %s after the resize:\n got %s\nwant %s", pid, lines[1], want)
	}
}

func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %q, want %d lines", path, b, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TERM cannot stay blocked in a Go program: the trap gets it through os/signal and, as root, the
// sender from a signal_generate event.
func TestTrapTermSenderFromTrace(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the trace needs root; TestTrapTermSenderUnknown covers other users")
	}
	p := startHelper(t, "trap:TERM,USR1", nil)
	p.ready()
	// A shell sends TERM with its builtin kill and tells its own pid.
	b, err := exec.Command("sh", "-c", fmt.Sprintf("kill -TERM %d && echo $$", p.Pid)).Output()
	if err != nil {
		t.Fatal(err)
	}
	shell, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	// The shell has exited by now: its uid may be unknown, and its command too when the trace's
	// cache of task names missed it.
	r := p.next()
	if r.Signal != 15 || r.Sender != SenderProcess || r.Pid != shell || r.Uid != -1 && r.Uid != 0 || r.Via != "trace" || r.CodeName() != "user" || r.Comm != "sh" && r.Comm != "" {
		t.Errorf("kill -TERM from shell %d: got %+v", shell, r)
	}
	if left := leftInstances(t, p.Pid); len(left) != 1 {
		t.Errorf("trace instances of the trap: %v, want one", left)
	}
	// kill(1), a process gone as soon as it has sent: its uid is read as the trace event is read,
	// while it may still be there. That is a race with its exit (and its parent's wait): most
	// lookups win it; a lost one says so.
	kill := procpsKill(t)
	known := 0
	for i := 0; i < 10; i++ {
		sender := run(t, kill, "-s", "TERM", strconv.Itoa(p.Pid))
		r = p.next()
		if r.Signal != 15 || r.Sender != SenderProcess || r.Pid != sender || r.Via != "trace" ||
			r.Uid != os.Getuid() && !(r.Uid == -1 && strings.Contains(r.Why, "had exited before its uid could be read")) {
			t.Errorf("kill -s TERM from %d: got %+v, want uid %d", sender, r, os.Getuid())
		}
		if r.Uid == os.Getuid() {
			known++
		}
	}
	if known == 0 {
		t.Error("the uid of none of 10 kill(1) senders was known")
	}
	// The trap still receives blockable signals through its signalfd.
	proc, _ := OpenProcess(p.Pid)
	defer proc.Close()
	proc.Queue(10, 5)
	if r := p.next(); r.Signal != 10 || r.Value != 5 || r.Via != "signalfd" {
		t.Errorf("USR1: got %+v", r)
	}
}

func TestTrapTermSenderUnknown(t *testing.T) {
	cred := unprivileged(t)
	p := startHelper(t, "trap:TERM", cred)
	p.ready()
	proc, err := OpenProcess(p.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Close()
	if err := proc.Signal(15); err != nil {
		t.Fatal(err)
	}
	r := p.next()
	if r.Signal != 15 || r.Sender != SenderUnknown || !strings.Contains(r.Why, "needs root") || r.CodeName() != "unknown" {
		t.Errorf("TERM to an unprivileged trap: got %+v", r)
	}
}

// unprivileged returns the credential of nobody. startHelper runs a copy of the test binary in a
// directory nobody can reach when it is given one.
func unprivileged(t *testing.T) *syscall.Credential {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("runs a helper as another user, which needs root")
	}
	return &syscall.Credential{Uid: 65534, Gid: 65534}
}

// copyForOthers copies the test binary into a new directory everyone can search.
func copyForOthers(t *testing.T, exe string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ipcx-sig-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(exe))
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// The runtime keeps blocked exactly the signals RuntimeUnblocked leaves out, on every thread.
func TestRuntimeUnblocked(t *testing.T) {
	skipUnderEmulator(t, qemuSigBlk)
	p := startHelper(t, "maskall", nil)
	want := fmt.Sprintf("SigBlk:\t%016x", uint64(^RuntimeUnblocked&^SetOf(9, 19)))
	n := 0
	for p.lines.Scan() {
		if got := p.lines.Text(); got != want {
			t.Errorf("thread: %q, want %q", got, want)
		}
		n++
	}
	if n < 2 {
		t.Errorf("%d threads", n)
	}
}

// Children of a prepared process inherit its mask unless started with UnblockedCommand.
func TestUnblockedCommand(t *testing.T) {
	skipUnderEmulator(t, qemuSigBlk)
	p := startHelper(t, "exec:USR1,RTMIN+1", nil)
	if got, want := p.line(), fmt.Sprintf("SigBlk:\t%016x", uint64(SetOf(10, 35))); got != want {
		t.Errorf("exec.Cmd child: %q, want %q (the inherited mask)", got, want)
	}
	if got, want := p.line(), "SigBlk:\t0000000000000000"; got != want {
		t.Errorf("UnblockedCommand child: %q, want %q", got, want)
	}
}

func TestCheckTrappable(t *testing.T) {
	for _, s := range []Signal{9, 19, 32, 33, 34, 27, 23, 0, 65} {
		var e *CannotTrapError
		if err := CheckTrappable(s); !errors.As(err, &e) || e.Reason == "" {
			t.Errorf("CheckTrappable(%d) = %v", s, err)
		}
	}
	for _, s := range []Signal{1, 2, 10, 15, 17, 28, 35, 64} {
		if err := CheckTrappable(s); err != nil {
			t.Errorf("CheckTrappable(%d) = %v", s, err)
		}
	}
	if _, err := OpenTrap(SetOf(10, 9)); err == nil || !strings.Contains(err.Error(), "KILL") {
		t.Errorf("OpenTrap(USR1, KILL) = %v", err)
	}
}

// A burst of TERMs the runtime coalesces into fewer notifications leaves no trace event behind to
// be pinned on a later TERM: after a pause, a TERM from a shell is reported with the shell's pid.
func TestTrapTermBurstThenShell(t *testing.T) {
	skipUnderEmulator(t, qemuHandler)
	if os.Getuid() != 0 {
		t.Skip("the trace needs root")
	}
	bin := ctest.Build(t, "sigqueue", sigqueueC)
	p := startHelper(t, "trap:TERM", nil)
	p.ready()
	lines := make(chan Received, 512)
	go func() {
		for p.lines.Scan() {
			var r Received
			if json.Unmarshal(p.lines.Bytes(), &r) == nil {
				lines <- r
			}
		}
		close(lines)
	}()
	burst := run(t, bin, strconv.Itoa(p.Pid), "15", "1", "200")
	// until the burst has been reported: no line for 500ms
	var got []Received
	collect := func() {
		for {
			select {
			case r, ok := <-lines:
				if !ok {
					t.Fatal("helper ended")
				}
				got = append(got, r)
			case <-time.After(500 * time.Millisecond):
				return
			}
		}
	}
	collect()
	if len(got) == 0 {
		t.Fatal("no TERM of the burst reported")
	}
	sends := 0
	for _, r := range got {
		sends += r.Sends
		if r.Pid != burst {
			t.Errorf("burst from %d: got %+v", burst, r)
		}
	}
	if sends > 200 {
		t.Errorf("%d lines stand for %d sends, of 200", len(got), sends)
	}
	b, err := exec.Command("sh", "-c", fmt.Sprintf("kill -TERM %d && echo $$", p.Pid)).Output()
	if err != nil {
		t.Fatal(err)
	}
	shell, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	n := len(got)
	collect()
	if len(got) != n+1 {
		t.Fatalf("%d lines after the shell's TERM, want 1: %+v", len(got)-n, got[n:])
	}
	if r := got[n]; r.Signal != 15 || r.Pid != shell || r.Sends != 1 {
		t.Errorf("TERM from shell %d after a burst from %d: got %+v", shell, burst, r)
	}
}

// TestNextZero: Next(0) does not wait, yet takes what is already there: the signals sent while
// blocked (pending before the trap opened), in order, then ErrTimeout at once.
func TestNextZero(t *testing.T) {
	skipUnderEmulator(t, qemuRTSignals)
	p, proc := startHolding(t, "poll:USR1,RTMIN+4")
	for _, s := range []struct {
		sig   Signal
		value int32
	}{{10, 1}, {RTMIN + 4, 2}, {RTMIN + 4, 3}} {
		if err := proc.Queue(s.sig, s.value); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	fmt.Fprintln(p.stdin, "go")
	p.ready()
	for _, want := range []struct {
		sig   Signal
		value int32
	}{{10, 1}, {RTMIN + 4, 2}, {RTMIN + 4, 3}} {
		line := p.line()
		if line == "timeout" {
			t.Fatalf("Next(0) timed out with %v value %d pending", want.sig, want.value)
		}
		var r Received
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Signal != want.sig || r.Value != want.value || r.Pid != os.Getpid() {
			t.Errorf("got %+v, want %v value %d from %d", r, want.sig, want.value, os.Getpid())
		}
	}
	if got := p.line(); got != "timeout" {
		t.Fatalf("after the pending signals: %q, want timeout", got)
	}
	if d := time.Since(start); d > pendingGrace/2 {
		t.Errorf("Next(0) took %v in all: it waited", d)
	}

	// nothing pending: a timeout at once
	q := startHelper(t, "poll:USR2", nil)
	q.line()
	start = time.Now()
	fmt.Fprintln(q.stdin, "go")
	q.ready()
	if got := q.line(); got != "timeout" {
		t.Fatalf("nothing pending: %q, want timeout", got)
	}
	if d := time.Since(start); d > pendingGrace/2 {
		t.Errorf("Next(0) with nothing pending took %v", d)
	}
}
