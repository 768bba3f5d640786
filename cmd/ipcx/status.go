package main

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// commandStatus turns the result of running a child command into ipcx's exit: the child's own
// exit status, or 128+N when a signal N killed it. The child has said what went wrong itself.
func commandStatus(obj fmt.Stringer, err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &silentExit{code: exitSignalBase + int(ws.Signal())}
		}
		return &silentExit{code: ee.ExitCode()}
	}
	return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: cannot run the command: %v", obj, err)}
}

// startFailure words a command that could not be started as a shell does: exit 127 and "command
// not found" for a missing one, 126 and "cannot be executed (why)" for one that cannot be run.
func startFailure(prefix, name string, err error) *cmdError {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, unix.ENOENT) {
		return &cmdError{code: 127, msg: fmt.Sprintf("%s: %s: command not found", prefix, name)}
	}
	return &cmdError{code: 126, msg: fmt.Sprintf("%s: %s: cannot be executed (%v)", prefix, name, unwrapErrno(err))}
}

// silentExit ends ipcx with a code and no message (the child already spoke).
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }
