//go:build linux

package sig

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Process is a process held by a pidfd: signals and waits through it reach that process and never a
// later one that got the same pid.
type Process struct {
	Pid    int
	Thread int // the thread id OpenProcess was given, when not Pid; 0 otherwise
	fd     int
}

// OpenProcess opens a pidfd for pid (pidfd_open(2)). A missing process gives an error wrapping
// unix.ESRCH. pid may be the id of a thread other than the main one: as with kill(2), that names
// its whole process, which is opened (Pid is then the process id, Thread the id given).
func OpenProcess(pid int) (*Process, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("pidfd_open(%d): %w", pid, unix.EINVAL)
	}
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err == nil {
		return &Process{Pid: pid, fd: fd}, nil
	}
	// pidfd_open refuses a thread that does not lead its group (EINVAL; ENOENT on some kernels).
	tgid, _, perr := ProcessOf(pid)
	if perr != nil || tgid == pid || tgid <= 0 {
		return nil, fmt.Errorf("pidfd_open(%d): %w", pid, err)
	}
	fd, err = unix.PidfdOpen(tgid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("pidfd_open(%d, process of thread %d): %w", tgid, pid, err)
	}
	// The thread may have ended and its id been reused meanwhile: it must still belong to tgid.
	if now, _, perr := ProcessOf(pid); perr != nil || now != tgid {
		unix.Close(fd)
		return nil, fmt.Errorf("pidfd_open(%d): thread gone: %w", pid, unix.ESRCH)
	}
	return &Process{Pid: tgid, Thread: pid, fd: fd}, nil
}

// Close releases the pidfd.
func (p *Process) Close() error { return unix.Close(p.fd) }

// Signal sends s as kill(2) would (si_code SI_USER). Permission is checked as for kill: EPERM.
// A process that has exited gives ESRCH.
func (p *Process) Signal(s Signal) error {
	if err := pidfdSendSignal(p.fd, s, nil); err != nil {
		return fmt.Errorf("pidfd_send_signal(%d, %v): %w", p.Pid, s, err)
	}
	return nil
}

// Queue sends s with value as sigqueue(3) would: si_code SI_QUEUE, this process's pid and real uid,
// and value in sival_int.
func (p *Process) Queue(s Signal, value int32) error {
	info := QueueInfo(s, value)
	if err := pidfdSendSignal(p.fd, s, &info); err != nil {
		return fmt.Errorf("pidfd_send_signal(%d, %v, value %d): %w", p.Pid, s, value, err)
	}
	return nil
}

// QueueInfo returns the siginfo sigqueue(3) sends: SI_QUEUE, the caller's pid and real uid, value.
func QueueInfo(s Signal, value int32) Siginfo {
	return Siginfo{
		Signo: int32(s),
		Code:  SIQueue,
		Pid:   int32(os.Getpid()),
		Uid:   uint32(os.Getuid()),
		Value: uint64(uint32(value)),
	}
}

// Wait waits until the process exits (its pidfd becomes readable) or timeout passes; a negative
// timeout waits for ever. It reports whether the process has exited.
func (p *Process) Wait(timeout time.Duration) (bool, error) {
	deadline := time.Now().Add(timeout)
	for {
		ms := -1
		if timeout >= 0 {
			left := time.Until(deadline)
			if left < 0 {
				left = 0
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("poll(pidfd %d): %w", p.Pid, err)
		}
		if n > 0 {
			return true, nil
		}
		if timeout >= 0 && !time.Now().Before(deadline) {
			return false, nil
		}
	}
}

// Exited reports whether the process has exited, without waiting.
func (p *Process) Exited() (bool, error) { return p.Wait(0) }

// SignalGroup sends s to every process of process group pgid (kill(-pgid, s)). pgid must be 2 or
// more: kill(-1) would signal every process the caller may signal, and kill(0) the caller's group.
func SignalGroup(pgid int, s Signal) error {
	if pgid <= 1 {
		return fmt.Errorf("kill(-%d, %v): %w", pgid, s, unix.EINVAL)
	}
	if err := unix.Kill(-pgid, unix.Signal(s)); err != nil {
		return fmt.Errorf("kill(-%d, %v): %w", pgid, s, err)
	}
	return nil
}
