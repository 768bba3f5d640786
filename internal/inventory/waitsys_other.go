//go:build linux && !(amd64 || arm64)

package inventory

// waitCallOf knows no call where the System V calls are not (only) direct system calls (386 and
// others multiplex them through ipc(2)): waiters there are not identified, and System V queues and
// sets that would be orphans are not proven unheld.
func waitCallOf(int64) (waitCall, bool) { return waitCall{}, false }

const waitCallsKnown = false
