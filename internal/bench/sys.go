//go:build linux

package bench

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cpuSetBits (parse.go) is the number of CPUs a unix.CPUSet names.
var _ [cpuSetBits - len(unix.CPUSet{})*64]struct{}
var _ [len(unix.CPUSet{})*64 - cpuSetBits]struct{}

// pin binds the calling OS thread (locked by the caller) to cpu.
func pin(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	return unix.SchedSetaffinity(0, &set)
}

// getcpu is the CPU the calling thread runs on now (sched_getcpu(3)).
func getcpu() int {
	var cpu, node uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0); e != 0 {
		return -1
	}
	return int(cpu)
}

// allowedCPUs is the set of CPUs this process may run on.
func allowedCPUs() (unix.CPUSet, error) {
	var set unix.CPUSet
	err := unix.SchedGetaffinity(0, &set)
	return set, err
}

const (
	futexWait = 0
	futexWake = 1
)

// futexWaitFor sleeps while *addr == val, at most one second (ts), shared between processes.
func futexWaitFor(addr *uint32, val uint32, ts *unix.Timespec) unix.Errno {
	_, _, e := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWait, uintptr(val), uintptr(unsafe.Pointer(ts)), 0, 0)
	return e
}

// futexWakeOne wakes one sleeper on addr.
func futexWakeOne(addr *uint32) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWake, 1, 0, 0, 0)
}

// second is the longest a blocking call of a measuring loop sleeps before it looks whether the
// other end is gone; a message wakes it at once.
var second = unix.Timespec{Sec: 1}

// gone is set when the other end of a run has ended (or the run is stopped): a loop that wakes
// from a bounded sleep, or whose call fails, returns errPeerGone.
type gone = atomic.Bool

// machine reads the facts that decide the numbers.
func machine() Machine {
	m := Machine{GoVersion: runtime.Version(), CPUModel: cpuModel()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
		m.Arch = unix.ByteSliceToString(u.Machine[:])
	}
	if set, err := allowedCPUs(); err == nil {
		m.CPUs = set.Count()
	} else {
		m.CPUs = runtime.NumCPU()
	}
	return m
}

// cpuModel is /proc/cpuinfo's "model name" (x86) or its implementer and part (arm64).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	var impl, part string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name", "Model":
			return v
		case "CPU implementer":
			impl = v
		case "CPU part":
			if part == "" {
				part = v
			}
		}
	}
	if impl != "" {
		return "implementer " + impl + " part " + part
	}
	return "unknown"
}
