package sig

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Events delivers the trace's events on a channel; stop closes the trace (its instance gone)
// and ends the reading goroutine even while an event waits to be taken.
func TestTraceEvents(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("tracefs needs root")
	}
	target := exec.Command("sh", "-c", "trap '' USR2; echo ready; exec sleep 60")
	out, err := target.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := target.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { target.Process.Kill(); target.Wait() })
	if _, err := out.Read(make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTrace(TraceOptions{Sender: os.Getpid(), Signals: SetOf(12)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events, stop := tr.Events(ctx)
	unix.Kill(target.Process.Pid, unix.SIGUSR2)
	unix.Kill(target.Process.Pid, unix.SIGUSR2)
	select {
	case e := <-events:
		if e.Signal != 12 || e.TargetPid != target.Process.Pid {
			t.Errorf("event %+v, want USR2 to %d", e, target.Process.Pid)
		}
	case <-ctx.Done():
		t.Fatal("no event")
	}
	time.Sleep(50 * time.Millisecond) // the second event now waits on the channel
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stop hung")
	}
	checkNoInstance(t, os.Getpid())
}
