//go:build linux

package sig

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseTraceLine(t *testing.T) {
	for _, tt := range []struct {
		line string
		want TraceEvent
	}{
		{"              sh-7212    [001] d..1.   343.502411: signal_generate: sig=10 errno=0 code=0 comm=sleep pid=7217 grp=1 res=0",
			TraceEvent{Event: "generate", Time: 343.502411, CPU: 1, Pid: 7212, Comm: "sh", Signal: 10, TargetPid: 7217, TargetComm: "sleep", Group: true}},
		{"  Web Content-a-99 [000] dN.2. 12.5: signal_generate: sig=17 errno=0 code=2 comm=my prog-1 pid=5 grp=0 res=2",
			TraceEvent{Event: "generate", Time: 12.5, Pid: 99, Comm: "Web Content-a", Signal: 17, Code: 2, TargetPid: 5, TargetComm: "my prog-1", Result: 2}},
		{"           sleep-42      (     42) [003] d..1.   5.000001: signal_generate: sig=34 errno=0 code=-1 comm=x pid=1 grp=1 res=0",
			TraceEvent{Event: "generate", Time: 5.000001, CPU: 3, Pid: 42, Comm: "sleep", Signal: 34, Code: -1, TargetPid: 1, TargetComm: "x", Group: true}},
		{"              sh-7212    [001] d..1.   343.509919: signal_deliver: sig=17 errno=0 code=2 sa_handler=561392668dc0 sa_flags=4000000",
			TraceEvent{Event: "deliver", Time: 343.509919, CPU: 1, Pid: 7212, Comm: "sh", Signal: 17, Code: 2, Handler: 0x561392668dc0, Flags: 0x4000000}},
	} {
		got, err := ParseTraceLine(tt.line)
		if err != nil || got != tt.want {
			t.Errorf("ParseTraceLine(%q)\n got %+v, %v\nwant %+v", tt.line, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "# tracer: nop", "  sh-1 [000] d..1. 1.0: sched_switch: prev=a", "  sh-1 [000] d..1. 1.0: signal_generate: sig=x"} {
		if _, err := ParseTraceLine(bad); err == nil {
			t.Errorf("ParseTraceLine(%q) succeeded", bad)
		}
	}
}

func FuzzParseTraceLine(f *testing.F) {
	f.Add("              sh-7212    [001] d..1.   343.502411: signal_generate: sig=10 errno=0 code=0 comm=sleep pid=7217 grp=1 res=0")
	f.Add("              sh-7212    [001] d..1.   343.509919: signal_deliver: sig=17 errno=0 code=2 sa_handler=0 sa_flags=0")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := ParseTraceLine(line)
		if err == nil && e.Event != "generate" && e.Event != "deliver" {
			t.Fatalf("ParseTraceLine(%q) = %+v", line, e)
		}
	})
}

// A kill -TERM from a shell shows with the shell's pid, and the instance is gone after Close.
func TestTraceShellKill(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("tracefs needs root")
	}
	target := startSleep(t)
	tr, err := OpenTrace(TraceOptions{Target: target.Process.Pid, Deliver: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := tr.Dir()
	if !strings.Contains(dir, "/instances/ipcx-sig-") {
		t.Errorf("instance %s", dir)
	}
	b, err := exec.Command("sh", "-c", fmt.Sprintf("kill -TERM %d && echo $$", target.Process.Pid)).Output()
	if err != nil {
		t.Fatal(err)
	}
	shell, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	events := make(chan TraceEvent, 10)
	go func() {
		for {
			e, err := tr.Next()
			if err != nil {
				close(events)
				return
			}
			events <- e
		}
	}()
	want := []TraceEvent{
		{Event: "generate", Pid: shell, Comm: "sh", Signal: 15, TargetPid: target.Process.Pid, TargetComm: "sleep", Group: true, Result: TraceDelivered},
		// TERM is fatal to sleep: the kernel turns it into a group-wide KILL at generation, and
		// that is what gets delivered.
		{Event: "deliver", Pid: target.Process.Pid, Comm: "sleep", Signal: 9},
	}
	for _, w := range want {
		select {
		case e := <-events:
			if d := time.Since(e.WallTime()); d < 0 || d > 5*time.Second {
				t.Errorf("event time %v is %v from now", e.WallTime(), d)
			}
			e.Time, e.CPU = 0, 0
			if e.Event == "generate" {
				// The shell is gone when the event is read: its uid may be unknown.
				if e.SenderPid != shell || e.SenderUid != -1 && e.SenderUid != os.Getuid() {
					t.Errorf("sender %d uid %d, want %d", e.SenderPid, e.SenderUid, shell)
				}
				e.SenderPid, e.SenderUid = 0, 0
			}
			if e != w {
				t.Errorf("event\n got %+v\nwant %+v", e, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event, want %+v", w)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-events; ok {
		t.Error("events after Close")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("instance %s still there: %v", dir, err)
	}
}

// When tracefs is not mounted, OpenTrace mounts it and Close unmounts it.
func TestTraceMountsTracefs(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("tracefs needs root")
	}
	var st unix.Statfs_t
	if unix.Statfs(tracingDir, &st) == nil && st.Type == unix.TRACEFS_MAGIC {
		// The tests run in a private mount namespace as root (testns): unmount it there only.
		if err := unix.Unmount(tracingDir, 0); err != nil {
			t.Skipf("tracefs is mounted and cannot be unmounted here: %v", err)
		}
	}
	tr, err := OpenTrace(TraceOptions{Sender: os.Getpid(), Signals: SetOf(10)})
	if err != nil {
		t.Fatal(err)
	}
	if unix.Statfs(tracingDir, &st) != nil || st.Type != unix.TRACEFS_MAGIC {
		t.Error("tracefs not mounted by OpenTrace")
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if unix.Statfs(tracingDir, &st) == nil && st.Type == unix.TRACEFS_MAGIC {
		t.Error("tracefs still mounted after Close")
	}
}

// Outcome tells queued, blocked and ignored signals apart.
func TestTraceOutcome(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("tracefs needs root")
	}
	holder := startHelper(t, "hold:USR1", nil) // blocks USR1, never reads it
	holder.line()
	ignorer := exec.Command("sh", "-c", "trap '' USR2; echo ready; exec sleep 60")
	out, err := ignorer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := ignorer.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ignorer.Process.Kill(); ignorer.Wait() })
	if _, err := out.Read(make([]byte, 6)); err != nil { // USR2 is ignored from here on
		t.Fatal(err)
	}
	// Only USR1 and USR2: the Go runtime preempts its threads with URG.
	tr, err := OpenTrace(TraceOptions{Sender: os.Getpid(), Signals: SetOf(10, 12)})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	unix.Kill(holder.Pid, unix.SIGUSR1)
	unix.Kill(holder.Pid, unix.SIGUSR1)
	unix.Kill(ignorer.Process.Pid, unix.SIGUSR2)
	for _, want := range []string{"blocked", "already-pending", "ignored"} {
		e, err := nextEvent(t, tr)
		if err != nil {
			t.Fatal(err)
		}
		if got := Outcome(e); got != want {
			t.Errorf("%+v: outcome %q, want %q", e, got, want)
		}
	}
}

// nextEvent is tr.Next with a deadline: a test never hangs on a trace that stays silent.
func nextEvent(t *testing.T, tr *Trace) (TraceEvent, error) {
	t.Helper()
	type res struct {
		e   TraceEvent
		err error
	}
	c := make(chan res, 1)
	go func() { e, err := tr.Next(); c <- res{e, err} }()
	select {
	case r := <-c:
		return r.e, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("no trace event within 5s")
	}
	return TraceEvent{}, nil
}
