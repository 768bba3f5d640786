//go:build linux

package ipc

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// HoldFor makes the unit Take took with undo last as long as cmd, which is not started yet, also
// when the calling process dies first (kill -9): cmd is cloned with CLONE_SYSVSEM, so that it
// shares the caller's SEM_UNDO adjustments, and the kernel applies them (gives the unit back) only
// when the last process sharing them has exited. So the command keeps the unit, as flock(1)'s
// command keeps its lock when flock is killed. Processes cmd starts in turn do not share it.
//
// A POSIX semaphore has no undo (sem_open(3)): its unit stays taken until someone posts, whoever
// dies; HoldFor changes nothing for it. See clone(2), semop(2).
func (s *Semaphore) HoldFor(cmd *exec.Cmd) {
	if s.px != nil {
		return
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Cloneflags |= unix.CLONE_SYSVSEM
}
