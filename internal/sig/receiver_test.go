package sig

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A Receiver writes its pidfile once ready and removes it (and any trace instance) on Close; an
// untrapped TERM ends its Next with ErrInterrupted, remembered as the interrupting signal. HUP
// stays unblocked in a Go program, so no re-execution is needed.
func TestReceiverPidfileAndInterrupt(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "trap.pid")
	r, err := NewReceiver(SetOf(SIGHUP), ReceiverOptions{Pidfile: pidfile})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("pidfile %q, %v; want this pid", b, err)
	}
	if _, err := r.Next(0); !errors.Is(err, ErrTimeout) {
		t.Errorf("Next(0) with nothing pending: %v, want ErrTimeout", err)
	}
	time.AfterFunc(50*time.Millisecond, func() { unix.Kill(os.Getpid(), unix.SIGTERM) })
	if _, err := r.Next(10 * time.Second); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Next after an untrapped TERM: %v, want ErrInterrupted", err)
	}
	if s := Interrupted(); s != unix.SIGTERM {
		t.Errorf("Interrupted() = %v, want SIGTERM", s)
	}
	r.Close()
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pidfile left after Close: %v", err)
	}
	checkNoInstance(t, os.Getpid())
}

func TestReceiverPidfileError(t *testing.T) {
	_, err := NewReceiver(SetOf(SIGHUP), ReceiverOptions{Pidfile: "/nonexistent-dir/trap.pid"})
	var pe *PidfileError
	if !errors.As(err, &pe) || pe.Path != "/nonexistent-dir/trap.pid" || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("NewReceiver with a pidfile in a missing directory: %v, want a PidfileError", err)
	}
	checkNoInstance(t, os.Getpid())
}

func TestReceivedExecEnv(t *testing.T) {
	r := Received{Signal: 10, Sender: SenderProcess, Pid: 1234, Uid: 1000, Code: SIQueue, Value: 7, HasValue: true}
	want := "IPCX_SIGNAL=USR1 IPCX_SIGNAL_NUMBER=10 IPCX_SENDER_PID=1234 IPCX_SENDER_UID=1000 IPCX_CODE=queue IPCX_VALUE=7"
	if got := strings.Join(r.ExecEnv(), " "); got != want {
		t.Errorf("ExecEnv = %s, want %s", got, want)
	}
	r = Received{Signal: 1, Sender: SenderUnknown, Uid: -1}
	want = "IPCX_SIGNAL=HUP IPCX_SIGNAL_NUMBER=1 IPCX_SENDER_PID= IPCX_SENDER_UID= IPCX_CODE=unknown IPCX_VALUE="
	if got := strings.Join(r.ExecEnv(), " "); got != want {
		t.Errorf("ExecEnv = %s, want %s", got, want)
	}
}
