package main

import (
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
)

// The flags reach the options as parsed; the seam stops before any system call.
func TestSemCommandOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var wait *semWaitOptions
	c := newSemWaitCmd(ios, func(o *semWaitOptions) error { wait = o; return nil })
	c.SetArgs([]string{"key:0x1a2b", "--timeout", "1m30s", "--index", "2"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if wait.addr != "key:0x1a2b" || wait.wait.timeout != 90*time.Second || wait.wait.nonblock || wait.index != 2 || !wait.flagSet("index") {
		t.Errorf("sem wait options = %+v", wait)
	}

	var run *semRunOptions
	c = newSemRunCmd(ios, func(o *semRunOptions) error { run = o; return nil })
	c.SetArgs([]string{"/build", "--nonblock", "--", "make", "-j4", "--keep-going"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if run.addr != "/build" || !run.wait.nonblock || fmt.Sprint(run.argv) != "[make -j4 --keep-going]" {
		t.Errorf("sem run options = %+v", run)
	}
	c = newSemRunCmd(ios, func(o *semRunOptions) error { t.Error("ran without --"); return nil })
	c.SetArgs([]string{"/build", "make"})
	c.SilenceErrors, c.SilenceUsage = true, true
	if err := c.Execute(); failure.Code(err) != failure.Usage {
		t.Errorf("sem run without --: %v, want a usage error", err)
	}

	var op *semOpOptions
	c = newSemOpCmd(ios, func(o *semOpOptions) error { op = o; return nil })
	c.SetArgs([]string{"id:3", "0:-1", "1:+1", "2:0", "--undo"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if op.addr != "id:3" || fmt.Sprint(op.ops) != "[0:-1 1:+1 2:0]" || !op.undo {
		t.Errorf("sem op options = %+v", op)
	}
}

// sem get prints the bare value for scripts and the System V table; shm stat shows sizes for people
// on a terminal and exact bytes otherwise.
func TestSemShmOutput(t *testing.T) {
	id, err := sysv.SemGet(sysv.Private, 2, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer sysv.SemRemove(id)
	sysv.SemSetAll(id, []uint16{3, 0})
	addr := fmt.Sprintf("id:%d", id)

	ios, _, out, errOut := iostreams.Test()
	if err := semGetRun(&semGetOptions{io: ios, addr: addr, flagSet: func(string) bool { return false }}); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("INDEX  VALUE  NCNT  ZCNT  PID\n0      3      0     0     %[1]d\n1      0      0     0     %[1]d\n", os.Getpid())
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("sem get:\n%s\nwant:\n%s\nstderr %q", out, want, errOut)
	}
	out.Reset()
	if err := semGetRun(&semGetOptions{io: ios, addr: addr, index: 0, flagSet: func(f string) bool { return f == "index" }}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "3\n" {
		t.Errorf("sem get --index 0 = %q, want 3", out)
	}

	name := fmt.Sprintf("/ipcx-out-%d", os.Getpid())
	f, err := posix.ShmOpen(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer posix.ShmUnlink(name)
	f.Truncate(3 << 20)
	defer f.Close()
	for _, tty := range []bool{false, true} {
		ios, _, out, _ := iostreams.Test()
		ios.OutTTY = tty
		if err := shmStatRun(&shmStatOptions{io: ios, addr: name}); err != nil {
			t.Fatal(err)
		}
		size, when := `3145728`, `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`
		if tty {
			size, when = `3\.0M`, `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`
		}
		re := regexp.MustCompile(`^NAME +MODE +OWNER +SIZE +MTIME\n` + regexp.QuoteMeta(name) + ` +0600 +\S+ +` + size + ` +` + when +
			`\n\nPID +COMMAND +FDS +MAPPED\n` + fmt.Sprint(os.Getpid()) + ` +\S+ +` + fmt.Sprint(f.Fd()) + ` +no\n$`)
		if !re.MatchString(out.String()) {
			t.Errorf("shm stat (tty %v):\n%s", tty, out)
		}
	}
}
