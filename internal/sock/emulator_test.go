//go:build linux

package sock

import (
	"errors"
	"testing"

	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

// diagUnderEmulator reports whether err is a user-mode emulator refusing the sock_diag netlink
// socket: qemu-user translates the messages of only the netlink protocols it knows (route,
// uevent, audit) and answers EPROTONOSUPPORT for NETLINK_SOCK_DIAG. The /proc/net half of a test
// still runs; the sock_diag half is logged as not run.
func diagUnderEmulator(t *testing.T, err error) bool {
	t.Helper()
	if emu := testns.Emulator(); emu != "" && errors.Is(err, unix.EPROTONOSUPPORT) {
		t.Logf("sock_diag not tested: %s does not emulate NETLINK_SOCK_DIAG sockets: %v", emu, err)
		return true
	}
	return false
}
