//go:build linux

package sig

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func TestSendAndWait(t *testing.T) {
	cmd := startSleep(t)
	p, err := OpenProcess(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if exited, err := p.Wait(50 * time.Millisecond); exited || err != nil {
		t.Fatalf("Wait on a sleeping process = %v, %v", exited, err)
	}
	if err := p.Signal(15); err != nil {
		t.Fatal(err)
	}
	if exited, err := p.Wait(5 * time.Second); !exited || err != nil {
		t.Fatalf("Wait after TERM = %v, %v", exited, err)
	}
	if exited, _ := p.Exited(); !exited {
		t.Error("Exited = false after exit")
	}
	cmd.Wait()
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("sleep ended with %v", cmd.ProcessState)
	}
	// Reaped now: the pid may belong to someone else, but the pidfd still names the dead process.
	if err := p.Signal(9); !errors.Is(err, unix.ESRCH) {
		t.Errorf("Signal after exit = %v, want ESRCH", err)
	}
}

func TestOpenProcessMissing(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenProcess(cmd.Process.Pid); !errors.Is(err, unix.ESRCH) {
		t.Errorf("OpenProcess of a reaped pid = %v, want ESRCH", err)
	}
	if _, err := OpenProcess(0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("OpenProcess(0) = %v", err)
	}
}

func TestSendPermissionDenied(t *testing.T) {
	cred := unprivileged(t)
	target := startSleep(t)
	p := startHelper(t, "send:"+strconv.Itoa(target.Process.Pid)+":TERM", cred)
	if got := p.line(); !strings.Contains(got, "operation not permitted") {
		t.Errorf("nobody signalling root's sleep: %q, want EPERM", got)
	}
}

func TestSignalGroup(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 60 & sleep 60 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, 9); cmd.Wait() })
	time.Sleep(100 * time.Millisecond)
	if err := SignalGroup(cmd.Process.Pid, 15); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signal() != syscall.SIGTERM {
			t.Errorf("sh ended with %v", cmd.ProcessState)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("process group survived TERM")
	}
	if err := SignalGroup(999999999, 15); !errors.Is(err, unix.ESRCH) {
		t.Errorf("SignalGroup of a missing group = %v, want ESRCH", err)
	}
}

func TestQueueInfo(t *testing.T) {
	info := QueueInfo(RTMIN+1, -2)
	if info.Signo != 35 || info.Code != SIQueue || info.Pid != int32(os.Getpid()) || info.Value != 0xfffffffe {
		t.Errorf("QueueInfo = %+v", info)
	}
}

// kill(-1) reaches every process the caller may signal and kill(0) the caller's own group: neither
// is a process group SignalGroup may address. (Signal 0 only checks, so the test is harmless even
// when the refusal is missing.)
func TestSignalGroupRefusesAll(t *testing.T) {
	for _, pgid := range []int{1, 0, -1} {
		if err := SignalGroup(pgid, 0); !errors.Is(err, unix.EINVAL) {
			t.Errorf("SignalGroup(%d, 0) = %v, want EINVAL", pgid, err)
		}
	}
}

const threadsC = `
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

static void *run(void *arg) {
	printf("%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	for (;;) pause();
	return arg;
}

/* threads: start a second thread, print its id, wait for ever. */
int main(void) {
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL) != 0) return 1;
	for (;;) pause();
}
`

// The id of a thread other than the main one names its whole process, as for kill(2): the signal
// reaches the process, and Wait waits for the process.
func TestOpenProcessThread(t *testing.T) {
	bin := ctest.Build(t, "threads", threadsC, "-pthread")
	cmd := exec.Command(bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := strconv.Atoi(strings.TrimSpace(line))
	if tid <= 0 || tid == cmd.Process.Pid {
		t.Fatalf("thread id %q of process %d", line, cmd.Process.Pid)
	}
	p, err := OpenProcess(tid)
	if err != nil {
		t.Fatalf("OpenProcess(thread %d of %d): %v", tid, cmd.Process.Pid, err)
	}
	defer p.Close()
	if p.Pid != cmd.Process.Pid || p.Thread != tid {
		t.Errorf("OpenProcess(thread %d) = pid %d thread %d, want pid %d", tid, p.Pid, p.Thread, cmd.Process.Pid)
	}
	if err := p.Signal(15); err != nil {
		t.Fatal(err)
	}
	if exited, err := p.Wait(5 * time.Second); !exited || err != nil {
		t.Fatalf("Wait after TERM = %v, %v", exited, err)
	}
	cmd.Wait()
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("threads ended with %v", cmd.ProcessState)
	}
}
