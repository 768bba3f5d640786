//go:build linux

package ipc

import (
	"context"
	"errors"
	"os"
	"slices"

	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// ErrCannotPutBack: the receiver may not send to the queue, so a message it took could not be put
// back if writing it out failed. OpenQueue with PutBack refuses to open such a queue unless
// MayLose says the caller accepts that a message may be lost.
// (A type, not fmt.Errorf, which would format it at init for every command.)
var ErrCannotPutBack error = cannotPutBack{}

type cannotPutBack struct{}

func (cannotPutBack) Error() string {
	return ErrNoWrite.Error() + ", so a message taken could not be put back if writing it out failed; nothing was taken"
}

func (cannotPutBack) Unwrap() error { return ErrNoWrite }

// ErrNoWrite: a put-back was refused, as the receiver may not send to the queue (it was opened
// with MayLose).
var ErrNoWrite = errors.New("no write permission on the queue")

// ErrStayedFull: a message could not be put back because the queue stayed full (refilled by
// other senders) for the whole put-back wait.
var ErrStayedFull = errors.New("the queue stayed full")

// canPutBack reports whether the caller may send to System V queue id: msgsnd(2)'s permission
// check (ipcperms): the owner's, the group's or the others' write bit, or CAP_IPC_OWNER.
func canPutBack(id sysv.ID) bool {
	ds, err := sysv.MsgStat(id)
	if err != nil {
		return true // let the receive say what is wrong
	}
	p, mode := ds.Perm, uint32(ds.Perm.Mode)
	euid, egid := uint32(os.Geteuid()), uint32(os.Getegid())
	groups, _ := os.Getgroups()
	inGroup := func(g uint32) bool { return g == egid || slices.Contains(groups, int(g)) }
	var granted bool
	switch {
	case euid == p.UID || euid == p.CUID:
		granted = mode&0o200 != 0
	case inGroup(p.GID) || inGroup(p.CGID):
		granted = mode&0o020 != 0
	default:
		granted = mode&0o002 != 0
	}
	return granted || hasCapIPCOwner()
}

// hasCapIPCOwner reports whether CAP_IPC_OWNER is in the effective set. See capabilities(7).
func hasCapIPCOwner() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return os.Geteuid() == 0
	}
	return data[unix.CAP_IPC_OWNER/32].Effective&(1<<(unix.CAP_IPC_OWNER%32)) != 0
}

// putBackErr says why a put-back failed, in the queue's terms.
func putBackErr(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ErrStayedFull
	case errors.Is(err, unix.EBADF), errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return ErrNoWrite
	}
	return err
}
