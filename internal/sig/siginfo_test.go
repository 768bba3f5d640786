//go:build linux

package sig

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestSiginfoLayout(t *testing.T) {
	var si Siginfo
	for _, tt := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(Siginfo)", unsafe.Sizeof(si), 128},
		{"sizeof(signalfd_siginfo)", unsafe.Sizeof(unix.SignalfdSiginfo{}), 128},
		{"si_code", unsafe.Offsetof(si.Code), 8},
		{"si_pid", unsafe.Offsetof(si.Pid), 16},
		{"si_uid", unsafe.Offsetof(si.Uid), 20},
		{"si_value", unsafe.Offsetof(si.Value), 24},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestCodeName(t *testing.T) {
	for _, tt := range []struct {
		s    Signal
		code int32
		want string
	}{
		{10, 0, "user"}, {10, -1, "queue"}, {28, 0x80, "kernel"}, {14, -2, "timer"}, {10, -6, "tkill"},
		{17, 1, "exited"}, {17, 2, "killed"}, {29, 1, "in"}, {11, 1, "kernel(1)"}, {10, -99, "code(-99)"},
	} {
		if got := CodeName(tt.s, tt.code); got != tt.want {
			t.Errorf("CodeName(%v, %d) = %q, want %q", tt.s, tt.code, got, tt.want)
		}
	}
}
