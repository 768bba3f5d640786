//go:build linux && (amd64 || arm64)

package inventory

import "golang.org/x/sys/unix"

// waitCalls are the system calls a process blocks in while it waits on a System V queue or
// semaphore set, each taking the object's id as its first argument (see /proc/PID/syscall).
var waitCalls = map[int64]waitCall{
	unix.SYS_MSGRCV:     {MQ, "waiting:msgrcv"},
	unix.SYS_MSGSND:     {MQ, "waiting:msgsnd"},
	unix.SYS_SEMOP:      {Sem, "waiting:semop"},
	unix.SYS_SEMTIMEDOP: {Sem, "waiting:semop"},
}

// waitCallsKnown says whether waitCalls covers this architecture.
const waitCallsKnown = true
