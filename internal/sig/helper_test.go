//go:build linux

package sig

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

// The test binary doubles as a small trap program: with SIG_TEST_HELPER set it runs helper instead
// of the tests, the way ipcx sig trap runs (Prepare, re-execution, OpenTrap).
func TestMain(m *testing.M) {
	ResumeAfterReexec()
	if mode := os.Getenv("SIG_TEST_HELPER"); mode != "" {
		os.Exit(helper(mode))
	}
	testns.Main(m)
}

// helper modes:
//
//	trap:SIGS       Prepare, OpenTrap, print "ready pid=N", then one JSON Received per line
//	hold:SIGS       like trap, but reads stdin up to a line before opening the trap
//	poll:SIGS       like hold, then Next(0) until ErrTimeout, printed as "timeout"
//	maskall         block every signal, re-execute, print the SigBlk of every thread
//	exec:SIGS       Prepare, then print SigBlk of a plain exec.Cmd child and of an UnblockedCommand
//	send:PID:SIG    OpenProcess(PID).Signal(SIG), print the error
//	stop:keep       NotifyContext(SIGTERM) and its stop after ExitAfterCommand, then SIGTERM to itself;
//	                prints "still running" if it survives (stop:restore: without ExitAfterCommand)
//	receive:SIGS    NewReceiver (the untrapped interrupts end it), print "ready pid=N", then one
//	                JSON Received per line; ErrInterrupted exits 128+N, as sig trap does
//
// Output goes to stdout, or to the file SIG_TEST_OUT.
func helper(mode string) int {
	out := io.Writer(os.Stdout)
	if path := os.Getenv("SIG_TEST_OUT"); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		out = f
	}
	kind, arg, _ := strings.Cut(mode, ":")
	switch kind {
	case "receive":
		var set Set
		for _, name := range strings.Split(arg, ",") {
			s, err := Parse(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			set = set.Add(s)
		}
		r, err := NewReceiver(set, ReceiverOptions{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer r.Close()
		fmt.Fprintf(out, "ready pid=%d\n", os.Getpid())
		enc := json.NewEncoder(out)
		for {
			got, err := r.Next(-1)
			if errors.Is(err, ErrInterrupted) {
				return 128 + int(Interrupted())
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			enc.Encode(got)
		}
	case "trap", "hold", "poll", "exec":
		var set Set
		for _, name := range strings.Split(arg, ",") {
			s, err := Parse(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			set = set.Add(s)
		}
		if err := Prepare(set); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if kind == "exec" {
			for _, cmd := range []*exec.Cmd{exec.Command("grep", "SigBlk", "/proc/self/status"), must(UnblockedCommand("grep", "SigBlk", "/proc/self/status"))} {
				b, err := cmd.Output()
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					return 1
				}
				fmt.Fprint(out, string(b))
			}
			return 0
		}
		if kind == "hold" || kind == "poll" {
			fmt.Fprintf(out, "holding pid=%d\n", os.Getpid())
			bufio.NewReader(os.Stdin).ReadString('\n')
		}
		trap, err := OpenTrap(set)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer trap.Close()
		// End of stdin stops the helper the way sig trap stops: the trap closed, its trace
		// instance removed (a KILL would leave the instance behind).
		go func() {
			io.Copy(io.Discard, os.Stdin)
			trap.Close()
		}()
		fmt.Fprintf(out, "ready pid=%d\n", os.Getpid())
		enc := json.NewEncoder(out)
		timeout := 20 * time.Second
		if kind == "poll" {
			timeout = 0
		}
		for {
			r, err := trap.Next(timeout)
			if kind == "poll" && errors.Is(err, ErrTimeout) {
				fmt.Fprintln(out, "timeout")
				return 0
			}
			if errors.Is(err, ErrTrapClosed) {
				return 0
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			enc.Encode(r)
		}
	case "maskall":
		if !reexeced {
			if err := blockAndReexec(^Set(0)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		// Make sure the runtime has started a few threads.
		done := make(chan bool)
		for i := 0; i < 4; i++ {
			go func() { time.Sleep(50 * time.Millisecond); done <- true }()
		}
		for i := 0; i < 4; i++ {
			<-done
		}
		tasks, _ := filepath.Glob("/proc/self/task/*/status")
		for _, path := range tasks {
			b, _ := os.ReadFile(path)
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "SigBlk:") {
					fmt.Fprintln(out, line)
				}
			}
		}
		return 0
	case "stop":
		// stop:keep or stop:restore: NotifyContext for SIGTERM, its stop (after ExitAfterCommand
		// for keep), then SIGTERM to this very thread, delivered before tgkill returns.
		if arg == "keep" {
			ExitAfterCommand()
		}
		_, stop := NotifyContext(context.Background(), unix.SIGTERM)
		stop()
		runtime.LockOSThread()
		if err := unix.Tgkill(os.Getpid(), unix.Gettid(), unix.SIGTERM); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintln(out, "still running")
		return 0
	case "send":
		pid, sigName, _ := strings.Cut(arg, ":")
		n, _ := strconv.Atoi(pid)
		s, _ := Parse(sigName)
		p, err := OpenProcess(n)
		if err == nil {
			err = p.Signal(s)
		}
		fmt.Fprintln(out, err)
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// trapProc is a running helper.
type trapProc struct {
	t     *testing.T
	cmd   *exec.Cmd
	Pid   int
	lines *bufio.Scanner
	stdin io.WriteCloser
}

// startHelper starts the test binary in a helper mode and waits for its first line.
func startHelper(t *testing.T, mode string, cred *syscall.Credential) *trapProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		exe = copyForOthers(t, exe)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "SIG_TEST_HELPER="+mode)
	cmd.Stderr = os.Stderr
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &trapProc{t: t, cmd: cmd, Pid: cmd.Process.Pid, lines: bufio.NewScanner(stdout), stdin: stdin}
	t.Cleanup(func() {
		// Stop it by closing its stdin, and give it time to remove its trace instance; KILL only
		// one that hangs (a test failure).
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("helper %d did not stop when its stdin closed", p.Pid)
		}
		checkNoInstance(t, p.Pid)
	})
	return p
}

// checkNoInstance fails the test when a trace instance of process pid is left. It looks through a
// tracefs mount of its own: the one pid may have made is gone with it, and instances belong to the
// kernel, not to a mount.
func checkNoInstance(t *testing.T, pid int) {
	t.Helper()
	if os.Getuid() != 0 {
		return // no instance can be made without root
	}
	if left := leftInstances(t, pid); len(left) > 0 {
		t.Errorf("trace instances of process %d left behind: %v", pid, left)
	}
}

func leftInstances(t *testing.T, pid int) []string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("nodev", dir, "tracefs", 0, ""); err != nil {
		t.Fatalf("mount tracefs to look for instances: %v", err)
	}
	defer unix.Unmount(dir, 0)
	var left []string
	for _, pat := range []string{"ipcx-sig-%d", "ipcx-sig-%d-*"} {
		m, _ := filepath.Glob(filepath.Join(dir, "instances", fmt.Sprintf(pat, pid)))
		for _, d := range m {
			left = append(left, filepath.Base(d))
		}
	}
	return left
}

func (p *trapProc) line() string {
	p.t.Helper()
	if !p.lines.Scan() {
		p.t.Fatalf("helper %d ended: %v", p.Pid, p.lines.Err())
	}
	return p.lines.Text()
}

// ready reads the "ready pid=N" line and checks the pid is the helper's (re-execution keeps it).
func (p *trapProc) ready() {
	p.t.Helper()
	if got, want := p.line(), fmt.Sprintf("ready pid=%d", p.Pid); got != want {
		p.t.Fatalf("helper said %q, want %q", got, want)
	}
}

func (p *trapProc) next() Received {
	p.t.Helper()
	var r Received
	if err := json.Unmarshal([]byte(p.line()), &r); err != nil {
		p.t.Fatal(err)
	}
	return r
}

// After ExitAfterCommand, NotifyContext's stop leaves the signals caught: a signal after the
// command ended is ignored, and the command's exit status stands (ipcx exits right after). Without
// it, stop restores the default disposition, as a test that runs commands in-process needs.
func TestStopAfterExitAfterCommand(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mode     string
		survives bool
	}{{"stop:keep", true}, {"stop:restore", false}} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "SIG_TEST_HELPER="+c.mode)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		var ee *exec.ExitError
		switch {
		case c.survives && (err != nil || string(out) != "still running\n"):
			t.Errorf("%s: %v, output %q; want it to ignore SIGTERM after stop and exit 0", c.mode, err, out)
		case !c.survives && !(errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signal() == unix.SIGTERM):
			t.Errorf("%s: %v, output %q; want it killed by SIGTERM (stop restores the default)", c.mode, err, out)
		}
	}
}
