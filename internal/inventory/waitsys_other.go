//go:build linux && !(amd64 || arm64)

package inventory

// waitCalls is empty where the System V calls are not (only) direct system calls (386 and others
// multiplex them through ipc(2)): waiters there are not identified, and System V queues and sets
// that would be orphans are not proven unheld.
var waitCalls = map[int64]waitCall{}

const waitCallsKnown = false
