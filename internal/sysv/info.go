//go:build linux

package sysv

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The *_INFO commands of msgctl, shmctl and semctl (x/sys/unix does not define them), from the
// kernel's include/uapi/linux/msg.h, shm.h and sem.h.
const (
	msgInfo = 12 // MSG_INFO
	shmInfo = 14 // SHM_INFO
	semInfo = 19 // SEM_INFO
)

// MsgInfo is struct msginfo as msgctl MSG_INFO fills it: the limits, with Msgpool (queues in
// use), Msgmap (messages queued in all) and Msgtql (bytes queued in all) in place of three of them.
type MsgInfo struct {
	Msgpool, Msgmap, Msgmax, Msgmnb, Msgmni, Msgssz, Msgtql int32
	Msgseg                                                  uint16
	_                                                       uint16
}

// ShmInfo is struct shm_info (shmctl SHM_INFO): segments in use and pages allocated, resident and
// swapped.
type ShmInfo struct {
	UsedIDs                                             int32
	_                                                   int32
	ShmTot, ShmRss, ShmSwp, SwapAttempts, SwapSuccesses uint64
}

// SemInfo is struct seminfo as semctl SEM_INFO fills it: the limits, with Semusz (sets in use)
// and Semaem (semaphores in use) in place of two of them.
type SemInfo struct {
	Semmap, Semmni, Semmns, Semmnu, Semmsl, Semopm, Semume, Semusz, Semvmx, Semaem int32
}

// GetMsgInfo returns the kernel's account of message queue use. See msgctl(2) MSG_INFO.
func GetMsgInfo() (*MsgInfo, error) {
	var mi MsgInfo
	if _, _, e := unix.Syscall(unix.SYS_MSGCTL, 0, msgInfo, uintptr(unsafe.Pointer(&mi))); e != 0 {
		return nil, fmt.Errorf("msgctl(MSG_INFO): %w", e)
	}
	return &mi, nil
}

// GetShmInfo returns the kernel's account of shared memory use. See shmctl(2) SHM_INFO.
func GetShmInfo() (*ShmInfo, error) {
	var si ShmInfo
	if _, _, e := unix.Syscall(unix.SYS_SHMCTL, 0, shmInfo, uintptr(unsafe.Pointer(&si))); e != 0 {
		return nil, fmt.Errorf("shmctl(SHM_INFO): %w", e)
	}
	return &si, nil
}

// GetSemInfo returns the kernel's account of semaphore use. See semctl(2) SEM_INFO.
func GetSemInfo() (*SemInfo, error) {
	var sm SemInfo
	if _, _, e := unix.Syscall6(unix.SYS_SEMCTL, 0, 0, semInfo, uintptr(unsafe.Pointer(&sm)), 0, 0); e != 0 {
		return nil, fmt.Errorf("semctl(SEM_INFO): %w", e)
	}
	return &sm, nil
}
