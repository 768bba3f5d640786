//go:build linux

package sig

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Environment variables of the re-execution. They are removed from the environment as soon as
// ResumeAfterReexec has read them, so children never see them.
const (
	envReexec    = "IPCX_SIG_REEXEC"     // hex set of the signals Prepare blocked before execve
	envResetExec = "IPCX_SIG_RESET_EXEC" // run os.Args[1:] with an empty signal mask
)

// RuntimeUnblocked holds the signals the Go runtime unblocks on every thread it runs (the ones it
// marks _SigUnblock, _SigKill or _SigThrow, plus SIGURG for preemption): they cannot be received
// through a signalfd by a Go program.
var RuntimeUnblocked = SetOf(1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 16, 17, 23, 27, 31, 32, 33, 34)

var (
	reexeced  bool // this process was re-executed by Prepare
	reexecSet Set  // the signals blocked before that execve
)

// ResumeAfterReexec must be called first thing in main, before any other goroutine or flag parsing.
// In a process re-executed by Prepare it records which signals were blocked across the execve. In a
// process started by UnblockedCommand it empties the signal mask and executes the real command in
// place of ipcx (it does not return then). Otherwise it does nothing.
func ResumeAfterReexec() {
	if _, ok := os.LookupEnv(envResetExec); ok {
		os.Unsetenv(envResetExec)
		os.Exit(runUnblocked(os.Args[1:]))
	}
	v, ok := os.LookupEnv(envReexec)
	if !ok {
		return
	}
	os.Unsetenv(envReexec)
	n, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return
	}
	reexeced, reexecSet = true, Set(n)
}

// runUnblocked replaces this process by argv with no signal blocked; it returns an exit code only
// when that fails.
func runUnblocked(argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "ipcx: sig: nothing to execute")
		return 127
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "ipcx: sig: %v\n", err)
		return 127
	}
	runtime.LockOSThread()
	var empty unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &empty, nil); err != nil {
		fmt.Fprintf(os.Stderr, "ipcx: sig: unblock signals: %v\n", err)
		return 126
	}
	err = syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "ipcx: sig: execute %s: %v\n", path, err)
	return 126
}

// UnblockedCommand returns a command running name with args with an empty signal mask. A process
// that Prepare re-executed keeps the trapped signals blocked on all its threads, and exec.Cmd
// children would inherit that mask; this one goes through ipcx again, which clears the mask
// (ResumeAfterReexec) and executes name in its place.
func UnblockedCommand(name string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the ipcx executable: %w", err)
	}
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), envResetExec+"=1")
	return cmd, nil
}

// Blockable returns the members of set a Go program can keep blocked (those not in RuntimeUnblocked).
func Blockable(set Set) Set { return set &^ RuntimeUnblocked }

// Prepare makes sure the blockable signals of set are blocked on every thread, so that a Trap can
// read them from a signalfd with the sender's siginfo. When they are not, it blocks them on a
// locked thread and re-executes this binary (os.Executable) with the same arguments: the pid stays,
// and the mask and any pending signals survive execve, so no signal sent meanwhile is lost. It
// returns only when no re-execution is needed, or with an error.
func Prepare(set Set) error {
	want := Blockable(set)
	if want == 0 {
		return nil
	}
	if _, ok := os.LookupEnv(envReexec); ok {
		return fmt.Errorf("re-executed with %s set, but ResumeAfterReexec was not called", envReexec)
	}
	if reexeced {
		if reexecSet&want == want {
			return nil
		}
		return fmt.Errorf("signals %v were not blocked across the re-execution", want&^reexecSet)
	}
	return blockAndReexec(want)
}

func blockAndReexec(set Set) error {
	runtime.LockOSThread()
	ss := sigset(set)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &ss, nil); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("block %v: %w", set, err)
	}
	env := append(os.Environ(), envReexec+"="+strconv.FormatUint(uint64(set), 16))
	// The path, not /proc/self/exe, so that the process keeps its command name (ps, snoop).
	exe, err := os.Executable()
	if err != nil || strings.HasSuffix(exe, " (deleted)") {
		exe = "/proc/self/exe"
	}
	err = syscall.Exec(exe, os.Args, env)
	unix.PthreadSigmask(unix.SIG_UNBLOCK, &ss, nil)
	runtime.UnlockOSThread()
	return fmt.Errorf("re-execute %s with %v blocked: %w", exe, set, err)
}
