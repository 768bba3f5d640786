package inventory

import "github.com/ipcx/ipcx/internal/sysv"

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
	mi, err := sysv.GetMsgInfo()
	if err != nil {
		return st, err
	}
	st.MsgQueues, st.MsgHeaders, st.MsgBytes = int(mi.Msgpool), int(mi.Msgmap), int(mi.Msgtql)
	si, err := sysv.GetShmInfo()
	if err != nil {
		return st, err
	}
	st.ShmSegs, st.ShmPages, st.ShmRSS, st.ShmSwap = int(si.UsedIDs), si.ShmTot, si.ShmRss, si.ShmSwp
	st.ShmSwapTry, st.ShmSwapOK = si.SwapAttempts, si.SwapSuccesses
	sm, err := sysv.GetSemInfo()
	if err != nil {
		return st, err
	}
	st.SemSets, st.SemSems = int(sm.Semusz), int(sm.Semaem)
	return st, nil
}
