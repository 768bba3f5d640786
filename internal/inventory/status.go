//go:build linux

package inventory

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The *_INFO commands of msgctl, shmctl and semctl (x/sys/unix does not define them).
const (
	msgInfo = 12
	shmInfo = 14
	semInfo = 19
)

// msginfo is struct msginfo (msgctl MSG_INFO fills msgpool, msgmap and msgtql with use).
type msginfo struct {
	Msgpool, Msgmap, Msgmax, Msgmnb, Msgmni, Msgssz, Msgtql int32
	Msgseg                                                  uint16
	_                                                       uint16
}

// shminfo is struct shm_info (shmctl SHM_INFO).
type shminfo struct {
	UsedIDs                                             int32
	_                                                   int32
	ShmTot, ShmRss, ShmSwp, SwapAttempts, SwapSuccesses uint64
}

// seminfo is struct seminfo (semctl SEM_INFO fills semusz and semaem with use).
type seminfo struct {
	Semmap, Semmni, Semmns, Semmnu, Semmsl, Semopm, Semume, Semusz, Semvmx, Semaem int32
}

var (
	_ [unsafe.Sizeof(msginfo{}) - 32]struct{}
	_ [32 - unsafe.Sizeof(msginfo{})]struct{}
	_ [unsafe.Sizeof(shminfo{}) - 48]struct{}
	_ [48 - unsafe.Sizeof(shminfo{})]struct{}
	_ [unsafe.Sizeof(seminfo{}) - 40]struct{}
	_ [40 - unsafe.Sizeof(seminfo{})]struct{}
)

// Status is the kernel's own account of System V use, as ipcs -u prints it. Call it inside
// ns.Do.
type Status struct {
	MsgQueues  int    // allocated queues (msgpool: in use, despite the name)
	MsgHeaders int    // messages queued in all (msgmap)
	MsgBytes   int    // bytes queued in all (msgtql)
	ShmSegs    int    // segments
	ShmPages   uint64 // pages allocated
	ShmRSS     uint64 // pages resident
	ShmSwap    uint64 // pages swapped
	ShmSwapTry uint64
	ShmSwapOK  uint64
	SemSets    int // semusz: sets in use
	SemSems    int // semaem: semaphores in use
}

// ReadStatus asks the kernel with MSG_INFO, SHM_INFO and SEM_INFO.
func ReadStatus() (Status, error) {
	var st Status
	var mi msginfo
	if _, _, e := unix.Syscall(unix.SYS_MSGCTL, 0, msgInfo, uintptr(unsafe.Pointer(&mi))); e != 0 {
		return st, fmt.Errorf("msgctl(MSG_INFO): %w", e)
	}
	st.MsgQueues, st.MsgHeaders, st.MsgBytes = int(mi.Msgpool), int(mi.Msgmap), int(mi.Msgtql)
	var si shminfo
	if _, _, e := unix.Syscall(unix.SYS_SHMCTL, 0, shmInfo, uintptr(unsafe.Pointer(&si))); e != 0 {
		return st, fmt.Errorf("shmctl(SHM_INFO): %w", e)
	}
	st.ShmSegs, st.ShmPages, st.ShmRSS, st.ShmSwap = int(si.UsedIDs), si.ShmTot, si.ShmRss, si.ShmSwp
	st.ShmSwapTry, st.ShmSwapOK = si.SwapAttempts, si.SwapSuccesses
	var sm seminfo
	if _, _, e := unix.Syscall6(unix.SYS_SEMCTL, 0, 0, semInfo, uintptr(unsafe.Pointer(&sm)), 0, 0); e != 0 {
		return st, fmt.Errorf("semctl(SEM_INFO): %w", e)
	}
	st.SemSets, st.SemSems = int(sm.Semusz), int(sm.Semaem)
	return st, nil
}
