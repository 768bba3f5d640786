package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
)

// otherStdin points os.Stdin at a file saying "from os.Stdin" for the test: an --exec child that
// reads the process's standard input instead of the command's (IOStreams.In) shows it.
func otherStdin(t *testing.T) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(path, []byte("from os.Stdin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = old; f.Close() })
}

// TestRunShell: the shell's standard streams are the command's, the environment ipcx's plus env,
// and a failure is an exec error carrying the status; with and without the signal mask reset.
func TestRunShell(t *testing.T) {
	otherStdin(t)
	t.Setenv("IPCX_TEST_INHERITED", "kept")
	for _, unblock := range []bool{false, true} {
		ios, in, out, errOut := iostreams.Test()
		in.WriteString("from io\n")
		err := runShell(ios, `cat; echo "$IPCX_A $IPCX_B $IPCX_TEST_INHERITED"; echo oops >&2; exit 3`,
			[]string{"IPCX_A=a", "IPCX_B=b c"}, unblock)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Errorf("unblock=%v: error %v, want exit status 3", unblock, err)
		}
		if got, want := out.String(), "from io\na b c kept\n"; got != want {
			t.Errorf("unblock=%v: stdout %q, want %q", unblock, got, want)
		}
		if got := errOut.String(); got != "oops\n" {
			t.Errorf("unblock=%v: stderr %q, want oops", unblock, got)
		}
	}
}

// TestSigTrapExecStreams: sig trap --exec gives the shell the command's standard input (as sem
// run does), not the process's, and the signal in IPCX_* variables.
func TestSigTrapExecStreams(t *testing.T) {
	otherStdin(t)
	ios, in, out, errOut := iostreams.Test()
	in.WriteString("from io\n")
	opts := &sigTrapOptions{io: ios, verb: "trap",
		exec: `cat; echo "$IPCX_SIGNAL $IPCX_SIGNAL_NUMBER $IPCX_SENDER_PID $IPCX_SENDER_UID $IPCX_CODE $IPCX_VALUE"`}
	runTrapCommand(opts, sig.Received{Signal: 10, Sender: sig.SenderProcess, Pid: 1234, Uid: 1000, Code: -1, Value: 7, HasValue: true})
	if got, want := out.String(), "from io\nUSR1 10 1234 1000 queue 7\n"; got != want {
		t.Errorf("stdout %q, want %q (stderr %q)", got, want, errOut.String())
	}
}

// TestMqNotifyExecStreams: mq notify --exec gives the shell the command's standard input, not the
// process's, and IPCX_QUEUE.
func TestMqNotifyExecStreams(t *testing.T) {
	otherStdin(t)
	name := fmt.Sprintf("/ipcx-notify-exec-%d", os.Getpid())
	q, _, err := posix.MqCreate(name, os.O_RDWR, 0o600, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	defer posix.MqUnlink(name)

	// send once mq notify has registered (/dev/mqueue shows its pid), or after 10 s. Another
	// process reads the file: closing a queue's descriptor in this process, the registrant, would
	// end the registration.
	sent := make(chan error, 1)
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			b, _ := exec.Command("cat", "/dev/mqueue"+name).Output()
			if strings.Contains(string(b), "NOTIFY_PID:") && !strings.Contains(string(b), "NOTIFY_PID:0") {
				break
			}
		}
		sent <- q.Send(context.Background(), []byte("m"), 0, false)
	}()

	ios, in, out, errOut := iostreams.Test()
	in.WriteString("from io\n")
	c := newMqNotifyCmd(ios, nil)
	c.SetArgs([]string{name, "--timeout", "20s", "--exec", `cat; echo "q=$IPCX_QUEUE"`})
	if err := c.Execute(); err != nil {
		t.Fatalf("mq notify: %v (stderr %q)", err, errOut.String())
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "from io\nq="+name+"\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}
