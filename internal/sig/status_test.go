//go:build linux

package sig

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/ctest"
)

const maskerC = `
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on(int s) { (void)s; }

/* Blocks USR1, RTMIN+5 and TERM; ignores USR2, PIPE and RTMIN+10; catches HUP, WINCH and
   RTMAX; raises USR1 at its own thread and queues RTMIN+5 to the process, then waits. */
int main(void) {
	/* A background job of a shell starts with INT and QUIT ignored: start from the defaults. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 5);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGRTMIN + 10, SIG_IGN);
	struct sigaction sa = {.sa_handler = on};
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGRTMAX, &sa, NULL);
	raise(SIGUSR1);
	union sigval v = {.sival_int = 1};
	sigqueue(getpid(), SIGRTMIN + 5, v);
	printf("ready\n");
	fflush(stdout);
	for (;;) pause();
}
`

func TestStatusOfCProgram(t *testing.T) {
	bin := ctest.Build(t, "masker", maskerC)
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("masker said %q", line)
	}
	st, err := ReadStatus(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		got, want Set
	}{
		{"blocked", st.Blocked, SetOf(10, RTMIN+5, 15)},
		{"ignored", st.Ignored, SetOf(12, 13, RTMIN+10)},
		{"caught", st.Caught, SetOf(1, 28, RTMAX)},
		{"pending", st.Pending, SetOf(10)},
		{"shared pending", st.SharedPending, SetOf(RTMIN + 5)},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if st.Pid != cmd.Process.Pid || st.Name != "masker" || st.Queued < 1 || st.QueueLimit < 1 {
		t.Errorf("status = %+v", st)
	}
	if _, err := ReadStatus(999999999); !os.IsNotExist(err) {
		t.Errorf("ReadStatus of a missing pid = %v", err)
	}
}

func TestParseStatus(t *testing.T) {
	f, err := os.Open("testdata/status-cat.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := ParseStatus(f)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "cat" || st.Blocked != 0 || st.Caught != 0 || st.QueueLimit == 0 {
		t.Errorf("status = %+v", st)
	}
	for _, bad := range []string{
		"Name:\tx\n",
		"SigPnd:\t0\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n",
		"SigPnd:\t000000000000000g\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n",
	} {
		if _, err := ParseStatus(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseStatus(%q) succeeded", bad)
		}
	}
	good := "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t8000000000000201\nSigIgn:\t0000000000001000\nSigCgt:\t0000000000000000\n"
	st, err = ParseStatus(strings.NewReader(good))
	if err != nil || st.Blocked != SetOf(1, 10, 64) || st.Ignored != SetOf(13) {
		t.Errorf("ParseStatus = %+v, %v", st, err)
	}
}

func FuzzParseStatus(f *testing.F) {
	b, _ := os.ReadFile("testdata/status-cat.txt")
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatus(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, set := range []Set{st.Pending, st.SharedPending, st.Blocked, st.Ignored, st.Caught} {
			for _, sig := range set.Signals() {
				if !sig.Valid() {
					t.Fatalf("ParseStatus(%q): signal %d", s, sig)
				}
			}
			if back := SetOf(set.Signals()...); back != set {
				t.Fatalf("set %#x does not round-trip: %#x", uint64(set), uint64(back))
			}
		}
	})
}
