package sig

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Target
		err  error
	}{
		{"1234", Target{Pid: 1234}, nil},
		{"-42", Target{Pid: 42, Group: true}, nil},
		{"-1", Target{}, ErrEveryProcess},
		{"0", Target{}, ErrOwnGroup},
		{"-0", Target{}, ErrOwnGroup},
		{"x", Target{}, ErrBadTarget},
		{"-", Target{}, ErrBadTarget},
		{"2147483647", Target{Pid: 2147483647}, nil},
		{"2147483648", Target{}, ErrPidRange},
		{"-2147483649", Target{}, ErrPidRange},
		{"99999999999999999999", Target{}, ErrPidRange},
	} {
		got, err := ParseTarget(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// FuzzParseTarget: a target that parses is a positive pid_t, and says so again when printed.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"1", "-42", "-1", "0", "-0", "2147483648", "+5", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		if tg.Pid <= 0 || tg.Pid > 1<<31-1 {
			t.Fatalf("ParseTarget(%q) = %+v: pid out of range", s, tg)
		}
		if tg.Group && tg.Pid == 1 {
			t.Fatalf("ParseTarget(%q): process group 1 is kill(-1)", s)
		}
	})
}

// FuzzParseValue: a sigqueue value that parses is an int32 that reads back from its decimal form.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"0", "-1", "0x10", "2147483647", "-2147483648", "2147483648", "0b101", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseValue(s)
		if err != nil {
			return
		}
		if again, err := ParseValue(strconv.Itoa(int(v))); err != nil || again != v {
			t.Fatalf("ParseValue(%q) = %d, but %d gives %d, %v", s, v, v, again, err)
		}
	})
}

func TestParseValue(t *testing.T) {
	if v, err := ParseValue("0x10"); v != 16 || err != nil {
		t.Errorf("ParseValue(0x10) = %v, %v", v, err)
	}
	if _, err := ParseValue("2147483648"); err == nil {
		t.Error("ParseValue(2^31) took a value out of int32")
	}
}

// Then: a target that exits between the end of After and the send (pidfd_send_signal gives ESRCH
// on a reaped process) is no failure; other errors are. The ESRCH comes from the kernel.
func TestThenResult(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p, err := OpenProcess(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cmd.Wait() // reaped: the pidfd now names a process that is gone
	gone := p.Signal(9)
	if !errors.Is(gone, unix.ESRCH) || !errors.Is(gone, ErrNoProcess) {
		t.Fatalf("signal to a reaped process: %v, want ESRCH", gone)
	}
	if sent, err := thenResult(gone); sent || err != nil {
		t.Errorf("thenResult(%v) = %v, %v; want not sent, no error", gone, sent, err)
	}
	if sent, err := thenResult(nil); !sent || err != nil {
		t.Errorf("thenResult(nil) = %v, %v", sent, err)
	}
	eperm := fmt.Errorf("pidfd_send_signal: %w", unix.EPERM)
	if sent, err := thenResult(eperm); sent || err != eperm {
		t.Errorf("thenResult(EPERM) = %v, %v", sent, err)
	}
}

// Send: a process that ignores the first signal gets Then, and the wait sees it exit; a missing
// process is reported and not followed; a process still running when the wait's time passes is a
// StillRunsError.
func TestSendThenWait(t *testing.T) {
	stubborn := exec.Command("sh", "-c", "trap '' TERM; sleep 60")
	if err := stubborn.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stubborn.Process.Kill(); stubborn.Wait() })
	gone := exec.Command("true")
	gone.Run()
	time.Sleep(100 * time.Millisecond) // let the shell set its trap
	var events []SendEvent
	Send([]Target{{Pid: stubborn.Process.Pid}, {Pid: gone.Process.Pid}},
		SendOptions{Signal: SIGTERM, Then: 9, After: 200 * time.Millisecond, Wait: true, Timeout: 5 * time.Second},
		func(ev SendEvent) { events = append(events, ev) })
	if len(events) != 2 || !errors.Is(events[0].Err, ErrNoProcess) || events[0].Target.Pid != gone.Process.Pid ||
		!events[1].ThenSent || events[1].Target.Pid != stubborn.Process.Pid {
		t.Fatalf("events %+v, want the missing process, then KILL sent to the stubborn one", events)
	}

	sleeper := startSleep(t)
	events = nil
	Send([]Target{{Pid: sleeper.Process.Pid}}, SendOptions{Signal: 0, Wait: true, Timeout: 50 * time.Millisecond},
		func(ev SendEvent) { events = append(events, ev) })
	var still *StillRunsError
	if len(events) != 1 || !errors.As(events[0].Err, &still) || still.Pid != sleeper.Process.Pid {
		t.Fatalf("events %+v, want one StillRunsError", events)
	}
}
