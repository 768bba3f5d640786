//go:build linux

package sysv

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// System V semaphore flags and semctl commands that x/sys/unix does not define (amd64 and arm64
// share the generic numbers).
const (
	// SemUndo is SEM_UNDO: the kernel reverts the operation when the process exits.
	SemUndo = 0x1000

	semGetPid  = 11
	semGetVal  = 12
	semGetAll  = 13
	semGetNcnt = 14
	semGetZcnt = 15
	semSetVal  = 16
	semSetAll  = 17
	semStat    = 18
	semStatAny = 20
)

// SemVMX is SEMVMX, the largest value a System V semaphore holds; SETVAL and semop answer ERANGE
// beyond it.
const SemVMX = 32767

// semWaitSlice bounds each blocking system call so that a cancelled context is noticed promptly. A
// wake-up by the kernel is still immediate: the slice only limits how long a cancellation waits.
const semWaitSlice = 100 * time.Millisecond

// Sembuf is struct sembuf: one operation of a semop(2) call.
type Sembuf struct {
	Num uint16 // semaphore index in the set
	Op  int16  // >0 add, <0 wait and subtract, 0 wait for zero
	Flg int16  // NoWait, SemUndo
}

func (b Sembuf) String() string {
	switch {
	case b.Op > 0:
		return fmt.Sprintf("%d:+%d", b.Num, b.Op)
	default:
		return fmt.Sprintf("%d:%d", b.Num, b.Op)
	}
}

// SemGet returns the id of the semaphore set with key, creating it with nsems semaphores when flags
// hold Create. The low 9 bits of flags are the mode. See semget(2).
func SemGet(key Key, nsems, flags int) (ID, error) {
	id, _, errno := unix.Syscall(unix.SYS_SEMGET, uintptr(key), uintptr(nsems), uintptr(flags))
	if errno != 0 {
		return -1, fmt.Errorf("semget(%v): %w", key, errno)
	}
	return ID(id), nil
}

// SemOp performs ops atomically on set id, as one semop(2) call: either all of them or none.
//
// It blocks until the operations can be done, ctx is done, or — when an operation holds NoWait —
// not at all. Blocking happens in slices of semtimedop(2) so that cancellation is noticed; signals
// (EINTR) are retried. The errors: unix.EAGAIN when NoWait would have blocked, unix.ETIMEDOUT when
// ctx's deadline passed, ctx.Err() when ctx was cancelled, and the errno of semop otherwise (EIDRM
// when the set was removed while waiting, ERANGE past SemVMX, EFBIG for an index out of range).
func SemOp(ctx context.Context, id ID, ops []Sembuf) error {
	if len(ops) == 0 {
		return fmt.Errorf("semop(%d): %w", id, unix.EINVAL)
	}
	nowait := false
	for _, op := range ops {
		if op.Flg&NoWait != 0 {
			nowait = true
		}
	}
	deadline, hasDeadline := ctx.Deadline()
	for {
		if err := ctx.Err(); err != nil {
			if err == context.DeadlineExceeded && !nowait {
				// Like semtimedop with a zero timeout: what can be done at once still is.
				return semOpNoWait(id, ops, err)
			}
			return semCtxErr(id, err)
		}
		var ts *unix.Timespec
		if !nowait && (hasDeadline || ctx.Done() != nil) {
			slice := semWaitSlice
			if hasDeadline {
				left := time.Until(deadline)
				if left <= 0 {
					return semOpNoWait(id, ops, context.DeadlineExceeded)
				}
				slice = min(slice, left)
			}
			t := unix.NsecToTimespec(int64(slice))
			ts = &t
		}
		_, _, errno := unix.Syscall6(unix.SYS_SEMTIMEDOP, uintptr(id), uintptr(unsafe.Pointer(&ops[0])),
			uintptr(len(ops)), uintptr(unsafe.Pointer(ts)), 0, 0)
		switch {
		case errno == 0:
			return nil
		case errno == unix.EINTR:
			continue
		case errno == unix.EAGAIN && !nowait:
			continue // the slice expired: check ctx and the deadline, then wait again
		}
		return fmt.Errorf("semop(%d): %w", id, errno)
	}
}

// semOpNoWait tries ops once without blocking; when they cannot be done it returns ctx's error.
func semOpNoWait(id ID, ops []Sembuf, ctxErr error) error {
	try := make([]Sembuf, len(ops))
	for i, op := range ops {
		op.Flg |= NoWait
		try[i] = op
	}
	for {
		_, _, errno := unix.Syscall6(unix.SYS_SEMTIMEDOP, uintptr(id), uintptr(unsafe.Pointer(&try[0])),
			uintptr(len(try)), 0, 0, 0)
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return semCtxErr(id, ctxErr)
		}
		return fmt.Errorf("semop(%d): %w", id, errno)
	}
}

func semCtxErr(id ID, err error) error {
	if err == context.DeadlineExceeded {
		return fmt.Errorf("semop(%d): %w", id, unix.ETIMEDOUT)
	}
	return fmt.Errorf("semop(%d): %w", id, err)
}

func semctl(id ID, num, cmd int, arg uintptr) (int, error) {
	r, _, errno := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), uintptr(num), uintptr(cmd), arg, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// SemStat returns the semid64_ds of set id (IPC_STAT). See semctl(2).
func SemStat(id ID) (*SemidDS, error) {
	var ds SemidDS
	if _, err := semctl(id, 0, ipcStat, uintptr(unsafe.Pointer(&ds))); err != nil {
		return nil, fmt.Errorf("semctl(%d, IPC_STAT): %w", id, err)
	}
	return &ds, nil
}

// SemStatIndex returns the set at index idx of the kernel's table and its id (SEM_STAT_ANY, which
// ignores read permission, falling back to SEM_STAT on kernels before 4.17).
func SemStatIndex(idx int) (ID, *SemidDS, error) {
	var ds SemidDS
	id, err := semctl(ID(idx), 0, semStatAny, uintptr(unsafe.Pointer(&ds)))
	if err == unix.EINVAL {
		id, err = semctl(ID(idx), 0, semStat, uintptr(unsafe.Pointer(&ds)))
	}
	if err != nil {
		return -1, nil, fmt.Errorf("semctl(%d, SEM_STAT_ANY): %w", idx, err)
	}
	return ID(id), &ds, nil
}

// SemSetMode changes the permission bits of set id (IPC_SET).
func SemSetMode(id ID, mode uint16) error {
	ds, err := SemStat(id)
	if err != nil {
		return err
	}
	ds.Perm.Mode = ds.Perm.Mode&^0o777 | mode&0o777
	if _, err := semctl(id, 0, ipcSet, uintptr(unsafe.Pointer(ds))); err != nil {
		return fmt.Errorf("semctl(%d, IPC_SET): %w", id, err)
	}
	return nil
}

// SemRemove removes set id at once (IPC_RMID); processes waiting on it get EIDRM.
func SemRemove(id ID) error {
	if _, err := semctl(id, 0, ipcRmid, 0); err != nil {
		return fmt.Errorf("semctl(%d, IPC_RMID): %w", id, err)
	}
	return nil
}

// SemGetVal returns the value of semaphore num of set id (GETVAL).
func SemGetVal(id ID, num int) (int, error) {
	v, err := semctl(id, num, semGetVal, 0)
	if err != nil {
		return -1, fmt.Errorf("semctl(%d, %d, GETVAL): %w", id, num, err)
	}
	return v, nil
}

// SemSetVal sets the value of semaphore num of set id (SETVAL), clearing every process's undo
// adjustment for it. Values above SemVMX give ERANGE.
func SemSetVal(id ID, num, val int) error {
	if val < 0 || val > SemVMX {
		return fmt.Errorf("semctl(%d, %d, SETVAL, %d): %w", id, num, val, unix.ERANGE)
	}
	if _, err := semctl(id, num, semSetVal, uintptr(val)); err != nil {
		return fmt.Errorf("semctl(%d, %d, SETVAL, %d): %w", id, num, val, err)
	}
	return nil
}

// SemGetAll returns the values of every semaphore of set id (GETALL).
func SemGetAll(id ID) ([]uint16, error) {
	ds, err := SemStat(id)
	if err != nil {
		return nil, err
	}
	vals := make([]uint16, ds.Nsems)
	if len(vals) == 0 {
		return vals, nil
	}
	if _, err := semctl(id, 0, semGetAll, uintptr(unsafe.Pointer(&vals[0]))); err != nil {
		return nil, fmt.Errorf("semctl(%d, GETALL): %w", id, err)
	}
	return vals, nil
}

// SemSetAll sets every semaphore of set id (SETALL); vals must have one value per semaphore.
func SemSetAll(id ID, vals []uint16) error {
	ds, err := SemStat(id)
	if err != nil {
		return err
	}
	if uint64(len(vals)) != ds.Nsems {
		return fmt.Errorf("semctl(%d, SETALL): %d values for %d semaphores: %w", id, len(vals), ds.Nsems, unix.EINVAL)
	}
	for _, v := range vals {
		if v > SemVMX {
			return fmt.Errorf("semctl(%d, SETALL): value %d: %w", id, v, unix.ERANGE)
		}
	}
	if _, err := semctl(id, 0, semSetAll, uintptr(unsafe.Pointer(&vals[0]))); err != nil {
		return fmt.Errorf("semctl(%d, SETALL): %w", id, err)
	}
	return nil
}

// SemState is one semaphore of a set as semctl(2) reports it.
type SemState struct {
	Num   int // index in the set
	Value int // GETVAL
	Ncnt  int // processes waiting for the value to increase (GETNCNT)
	Zcnt  int // processes waiting for the value to become zero (GETZCNT)
	Pid   int // the last process that operated on it (GETPID)
}

// SemStates returns every semaphore of set id with its waiters and last pid.
func SemStates(id ID) ([]SemState, error) {
	vals, err := SemGetAll(id)
	if err != nil {
		return nil, err
	}
	out := make([]SemState, len(vals))
	for i, v := range vals {
		s := SemState{Num: i, Value: int(v)}
		for _, q := range []struct {
			cmd  int
			name string
			dst  *int
		}{{semGetNcnt, "GETNCNT", &s.Ncnt}, {semGetZcnt, "GETZCNT", &s.Zcnt}, {semGetPid, "GETPID", &s.Pid}} {
			r, err := semctl(id, i, q.cmd, 0)
			if err != nil {
				return nil, fmt.Errorf("semctl(%d, %d, %s): %w", id, i, q.name, err)
			}
			*q.dst = r
		}
		out[i] = s
	}
	return out, nil
}

// SemSetOf returns set id's state (IPC_STAT) as the same record /proc/sysvipc/sem gives.
func SemSetOf(id ID) (SemSet, error) {
	ds, err := SemStat(id)
	if err != nil {
		return SemSet{}, err
	}
	return SemSet{
		Key: ds.Perm.Key, ID: id, Mode: uint32(ds.Perm.Mode), NSems: int(ds.Nsems),
		Owner: Owner{UID: ds.Perm.UID, GID: ds.Perm.GID, CUID: ds.Perm.CUID, CGID: ds.Perm.CGID},
		OTime: Time(ds.Otime), CTime: Time(ds.Ctime),
	}, nil
}
