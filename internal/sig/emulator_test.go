//go:build linux

package sig

import (
	"testing"

	"github.com/ipcx/ipcx/internal/testns"
)

// Limits of qemu-user that some tests meet when the test binary runs under it
// (scripts/test-arm64). qemu-user keeps the lowest host real-time signals for itself and maps the
// guest's real-time signals two numbers up on the host (guest SIGRTMIN+1, 35, is host 37, as
// /proc/PID/status shows): a real-time signal sent by a native peer, or queued with a siginfo
// through pidfd_send_signal(2) (which it answers EINVAL), is not the one the guest traps.
const (
	qemuRTSignals = "qemu-user maps the guest's real-time signals to other host numbers"
	qemuSigBlk    = "/proc/PID/status shows the emulator's host signal mask, in which qemu-user has moved the real-time signals"
	// A signal the guest has blocked is not blocked on the host: qemu-user takes it in its own
	// handler and queues it for the guest, so the kernel's trace of a burst does not pair with what
	// the guest reads (a later single TERM was reported with 81 sends of the burst).
	qemuHandler = "qemu-user takes host signals in its own handler, so the kernel's signal trace does not pair with the guest's pending signals"
)

// skipUnderEmulator skips t, saying why, when the test binary runs under a user-mode emulator.
func skipUnderEmulator(t *testing.T, why string) {
	t.Helper()
	if emu := testns.Emulator(); emu != "" {
		t.Skipf("not run under %s: %s", emu, why)
	}
}
