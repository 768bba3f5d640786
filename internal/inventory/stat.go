//go:build linux

package inventory

import (
	"errors"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// Stat returns the object of kind k that a names, read for itself rather than from a listing: a
// System V object by IPC_STAT (and, for a set, its values), so that it fails as the kernel says
// (unix.EACCES without read permission, unix.ENOENT when there is none); a POSIX queue opened for
// its attributes, with its times, byte count and notify pid from the mqueue filesystem when one is
// mounted; a POSIX semaphore or shared memory object from its file in /dev/shm, with the
// processes that have it open or mapped (Users). Call it inside ns.Do for System V objects. a
// must not be private; a key of an ftok address that cannot be had is an *ipc.KeyError. The errors
// are read as ipc reads them (ipc.SysVID; ipc.ErrSymlink, ipc.ErrNotSemaphore, ipc.ErrNotRegular
// for the files in /dev/shm).
//
// The fields are those List fills, with two differences: Holders stay empty, and NotifyPID of a
// POSIX queue is known (possibly 0) exactly when its status was read (Size >= 0).
func Stat(k Kind, a addr.Addr) (*Object, error) {
	if a.Kind == addr.POSIX {
		switch k {
		case MQ:
			return statPosixMQ(a.Name)
		case Sem:
			o, err := statPosixSem(a.Name)
			return o, ipc.PosixSemError(err)
		}
		o, err := statPosixShm(a.Name)
		return o, ipc.PosixShmError(err)
	}
	id, err := ipc.SysVID(a, k, ipc.IDOptions{})
	if err != nil {
		return nil, err
	}
	switch k {
	case MQ:
		q, err := sysv.MsgQueueOf(id)
		if err != nil {
			return nil, err
		}
		o := msgObject(q)
		return &o, nil
	case Sem:
		s, err := sysv.SemSetOf(id)
		if err != nil {
			return nil, err
		}
		o := semObject(s)
		if o.SemValues, err = ipc.SysVSemValues(id); err != nil {
			return nil, err
		}
		return &o, nil
	}
	s, err := sysv.ShmSegOf(id)
	if err != nil {
		return nil, err
	}
	o := shmObject(s)
	return &o, nil
}

func statPosixMQ(name string) (*Object, error) {
	q, err := posix.MqOpen(name, unix.O_RDONLY, 0, nil)
	if errors.Is(err, unix.EACCES) {
		q, err = posix.MqOpen(name, unix.O_WRONLY, 0, nil)
	}
	if err != nil {
		return nil, err
	}
	defer q.Close()
	at, err := q.Attr()
	if err != nil {
		return nil, err
	}
	fst, err := q.Stat()
	if err != nil {
		return nil, err
	}
	o := &Object{Kind: MQ, Flavor: POSIX, Name: name, Mode: fst.Mode, UID: fst.UID, GID: fst.GID,
		CUID: fst.UID, CGID: fst.GID, Size: -1, Messages: at.CurMsgs, MaxMsg: at.MaxMsg, MsgSize: at.MsgSize,
		CTime: fst.CTime}
	if dir, release, err := posix.MqueueDir(); err == nil {
		defer release()
		if info, err := posix.MqStatIn(dir, name); err == nil {
			// Times from the mqueue filesystem: taken before its read and corrected for
			// earlier reads (see posix.MqStatIn).
			o.CTime, o.MTime = info.CTime, info.MTime
			if info.StatusRead {
				o.Size, o.NotifyPID = info.Bytes, info.NotifyPID
			}
		}
	}
	return o, nil
}

func statPosixSem(name string) (*Object, error) {
	info, err := posix.SemStat(name)
	if err != nil {
		return nil, err
	}
	o := &Object{Kind: Sem, Flavor: POSIX, Name: name, Size: 1, Mode: info.Mode, UID: info.UID, GID: info.GID,
		CUID: info.UID, CGID: info.GID, MTime: info.Mtime.UTC(), CTime: info.Ctime.UTC()}
	// An unreadable value is unknown (nil), as for a System V set GETALL refuses.
	if info.Value >= 0 {
		w := info.Waiters
		o.SemValues = []SemValue{{Index: 0, Value: info.Value, Waiters: &w}}
	}
	if o.Users, err = posix.SemHolders(name); err != nil {
		return nil, err
	}
	return o, nil
}

func statPosixShm(name string) (*Object, error) {
	info, err := posix.ShmStat(name)
	if err != nil {
		return nil, err
	}
	o := &Object{Kind: Shm, Flavor: POSIX, Name: name, Size: info.Size, Mode: info.Mode, UID: info.UID, GID: info.GID,
		CUID: info.UID, CGID: info.GID, MTime: info.Mtime.UTC(), CTime: info.Ctime.UTC()}
	if o.Users, err = posix.ShmHolders(name); err != nil {
		return nil, err
	}
	return o, nil
}
