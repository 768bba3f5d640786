//go:build linux

package posix

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// abis is the kernel's ABI for POSIX message queues on each architecture ipcx is built for,
// written down from the kernel's tables: amd64 arch/x86/entry/syscalls/syscall_64.tbl, arm64 the
// generic include/uapi/asm-generic/unistd.h. mq_attr (four longs and four reserved) and sigevent
// (64 bytes) are the same on both.
var abis = map[string]struct{ sys, sizes map[string]uintptr }{
	"amd64": {
		sys: map[string]uintptr{
			"mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243,
			"mq_notify": 244, "mq_getsetattr": 245, "futex": 202,
		},
		sizes: map[string]uintptr{"mq_attr": 64, "sigevent": 64},
	},
	"arm64": {
		sys: map[string]uintptr{
			"mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183,
			"mq_notify": 184, "mq_getsetattr": 185, "futex": 98,
		},
		sizes: map[string]uintptr{"mq_attr": 64, "sigevent": 64},
	},
}

func TestABI(t *testing.T) {
	want, ok := abis[runtime.GOARCH]
	if !ok {
		t.Fatalf("no POSIX mq ABI written down for GOARCH=%s", runtime.GOARCH)
	}
	sys := map[string]uintptr{
		"mq_open": unix.SYS_MQ_OPEN, "mq_unlink": unix.SYS_MQ_UNLINK, "mq_timedsend": unix.SYS_MQ_TIMEDSEND,
		"mq_timedreceive": unix.SYS_MQ_TIMEDRECEIVE, "mq_notify": unix.SYS_MQ_NOTIFY,
		"mq_getsetattr": unix.SYS_MQ_GETSETATTR, "futex": unix.SYS_FUTEX,
	}
	for name, n := range want.sys {
		if sys[name] != n {
			t.Errorf("%s: SYS_%s is %d, the kernel's table says %d", runtime.GOARCH, name, sys[name], n)
		}
	}
	var attr MqAttr
	var ev sigevent
	sizes := map[string]uintptr{"mq_attr": unsafe.Sizeof(attr), "sigevent": unsafe.Sizeof(ev)}
	for name, n := range want.sizes {
		if sizes[name] != n {
			t.Errorf("%s: sizeof(struct %s) = %d, want %d", runtime.GOARCH, name, sizes[name], n)
		}
	}
	for name, c := range map[string][2]uintptr{
		"mq_attr.mq_flags":      {unsafe.Offsetof(attr.Flags), 0},
		"mq_attr.mq_maxmsg":     {unsafe.Offsetof(attr.MaxMsg), 8},
		"mq_attr.mq_msgsize":    {unsafe.Offsetof(attr.MsgSize), 16},
		"mq_attr.mq_curmsgs":    {unsafe.Offsetof(attr.CurMsgs), 24},
		"sigevent.sigev_signo":  {unsafe.Offsetof(ev.Signo), 8},
		"sigevent.sigev_notify": {unsafe.Offsetof(ev.Notify), 12},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: offsetof(%s) = %d, want %d", runtime.GOARCH, name, c[0], c[1])
		}
	}
}
