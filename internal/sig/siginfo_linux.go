package sig

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Siginfo is the kernel's siginfo_t on 64-bit Linux, with the fields of the kill/sigqueue member of
// its union. unix.Siginfo hides them, so the layout is declared here. It is what pidfd_send_signal(2)
// and rt_sigqueueinfo(2) take.
type Siginfo struct {
	Signo int32
	Errno int32
	Code  int32
	_     int32 // the union is 8-aligned
	Pid   int32
	Uid   uint32
	Value uint64 // union sigval: sival_int in the low 4 bytes, or sival_ptr
	_     [96]byte
}

const siginfoSize = 128

var _ [siginfoSize]byte = [unsafe.Sizeof(Siginfo{})]byte{}
var _ [siginfoSize]byte = [unsafe.Sizeof(unix.SignalfdSiginfo{})]byte{}

// si_code values (asm-generic/siginfo.h).
const (
	SIUser     = 0
	SIKernel   = 0x80
	SIQueue    = -1
	SITimer    = -2
	SIMesgq    = -3
	SIAsyncio  = -4
	SISigio    = -5
	SITkill    = -6
	SIDethread = -7
	SIAsyncnl  = -60
)

// CodeName names a si_code for signal s: user (kill), queue (sigqueue), tkill, kernel, timer, mesgq
// (mq_notify), asyncio, sigio, asyncnl; for CHLD exited, killed, dumped, trapped, stopped,
// continued; for IO in, out, msg, err, pri, hup. Other positive codes are faults raised by the
// kernel: "kernel(N)".
func CodeName(s Signal, code int32) string {
	switch code {
	case SIUser:
		return "user"
	case SIKernel:
		return "kernel"
	case SIQueue:
		return "queue"
	case SITimer:
		return "timer"
	case SIMesgq:
		return "mesgq"
	case SIAsyncio:
		return "asyncio"
	case SISigio:
		return "sigio"
	case SITkill:
		return "tkill"
	case SIDethread:
		return "dethread"
	case SIAsyncnl:
		return "asyncnl"
	}
	if code > 0 {
		var names []string
		switch s {
		case 17:
			names = []string{"", "exited", "killed", "dumped", "trapped", "stopped", "continued"}
		case 29:
			names = []string{"", "in", "out", "msg", "err", "pri", "hup"}
		}
		if int(code) < len(names) {
			return names[code]
		}
		return fmt.Sprintf("kernel(%d)", code)
	}
	return fmt.Sprintf("code(%d)", code)
}

// sendsPid reports whether a siginfo with this code carries the sender's pid and uid.
func sendsPid(s Signal, code int32) bool {
	switch code {
	case SIUser, SIQueue, SITkill, SIMesgq:
		return true
	}
	return s == 17 && code > 0 // CHLD: the child's pid
}

func sigset(set Set) unix.Sigset_t {
	var ss unix.Sigset_t
	ss.Val[0] = uint64(set)
	return ss
}

// pidfdSendSignal is pidfd_send_signal(2) with this package's Siginfo (unix.PidfdSendSignal takes
// unix.Siginfo, whose sender fields are hidden). A nil info sends as kill(2) does.
func pidfdSendSignal(fd int, s Signal, info *Siginfo) error {
	_, _, e := unix.Syscall6(unix.SYS_PIDFD_SEND_SIGNAL, uintptr(fd), uintptr(s), uintptr(unsafe.Pointer(info)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
