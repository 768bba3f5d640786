package main

// Forwarding shims for the stat and ls commands (owned by the listing helper), which still use the
// names these had when the flavor layer lived in cmd/ipcx. They go once those commands look
// objects up through internal/inventory and internal/ipc.

import (
	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/sysv"
)

// sysvMsgID finds the System V queue an address names (ipc.SysVID).
func sysvMsgID(a addr.Addr, flags int) (sysv.ID, error) {
	return ipc.SysVID(a, ipc.KindQueue, shimIDOptions(flags))
}

// sysvSemID finds the System V semaphore set an address names (ipc.SysVID).
func sysvSemID(a addr.Addr, nsems, flags int) (sysv.ID, error) {
	o := shimIDOptions(flags)
	o.NSems = nsems
	return ipc.SysVID(a, ipc.KindSemaphore, o)
}

// sysvShmID finds the System V segment an address names (ipc.SysVID).
func sysvShmID(a addr.Addr, size int64, flags int) (sysv.ID, error) {
	o := shimIDOptions(flags)
	o.Size = size
	return ipc.SysVID(a, ipc.KindSegment, o)
}

func shimIDOptions(flags int) ipc.IDOptions {
	return ipc.IDOptions{Create: flags&sysv.Create != 0, Exclusive: flags&sysv.Exclusive != 0, Mode: uint32(flags & 0o777)}
}

// semValue is ipc.SemValue under its old name.
type semValue = ipc.SemValue

// sysvSemValues is ipc.SysVSemValues.
func sysvSemValues(id sysv.ID) ([]semValue, error) { return ipc.SysVSemValues(id) }

// semHandle is what sem stat uses of the old handle: the object, and fail.
type semHandle struct{ obj object }

func (h *semHandle) fail(err error) error {
	if h.obj.what == "semaphore" {
		err = ipc.PosixSemError(err)
	}
	return semFail(h.obj, err)
}

// shmHandle is what shm stat uses of the old handle: the object, and fail.
type shmHandle struct{ obj object }

func (h *shmHandle) fail(err error) error {
	if h.obj.what == "shared memory object" {
		err = ipc.PosixShmError(err)
	}
	return shmFail(h.obj, err)
}
