//go:build linux && (amd64 || arm64)

package inventory

import "golang.org/x/sys/unix"

// waitCallOf says whether call is one of the system calls a process blocks in while it waits on a
// System V queue or semaphore set, each taking the object's id as its first argument (see
// /proc/PID/syscall), and which.
func waitCallOf(call int64) (waitCall, bool) {
	switch call {
	case unix.SYS_MSGRCV:
		return waitCall{MQ, "waiting:msgrcv"}, true
	case unix.SYS_MSGSND:
		return waitCall{MQ, "waiting:msgsnd"}, true
	case unix.SYS_SEMOP, unix.SYS_SEMTIMEDOP:
		return waitCall{Sem, "waiting:semop"}, true
	}
	return waitCall{}, false
}

// waitCallsKnown says whether waitCallOf covers this architecture.
const waitCallsKnown = true
