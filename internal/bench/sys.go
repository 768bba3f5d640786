//go:build linux

package bench

import (
	"bufio"
	"fmt"
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

// The calls of the timed loops are raw system calls (unix.RawSyscall): they do not tell the Go
// scheduler that the thread enters the kernel. Each end runs alone on its locked thread, with
// nothing else for the scheduler to run, and the bookkeeping of a scheduled call (entersyscall,
// exitsyscall, and sysmon taking the P away when a wait outlasts its 20 µs tick, then the slow
// way back) cost the streams up to a quarter of C's rate (scripts/bench ipcbench, 2026-12-02:
// unix 64 B 1.26 -> 1.08 of C's time per message, pipe 4 KiB 1.31 -> 1.12). Every wait ends: a
// message, the other end's exit (end of file, EPIPE, a removed queue), or a one-second timeout.

// onOwnThread runs fn, a timed loop of the measuring end, on a new OS thread with a descriptor
// table of its own (unshare(2) CLONE_FILES), pinned to cpu when cpu >= 0, and ends that thread
// when fn returns. A process whose threads share one table pays for every call on a descriptor:
// fdget takes a reference on the file (two atomic operations) where a table no other thread
// uses lets it skip them, and read and write on a file with a position take its lock. A Go
// program always has several threads, a C ping-pong one: a 64-byte write(2) to /dev/null costs
// 312 ns from a Go thread, 254 ns from one with its own table, 234 ns from C (2026-12-02). The
// loop's descriptors are all open before, and the thread ends with the loop (its goroutine
// never unlocks it), so no other code runs with its copy of the table: not the runtime's either
// (a thread with a private table that restarts the world after a GC polls an epoll descriptor
// made later, which its copy lacks, and the runtime dies: EBADF). Each end's loops run here; the
// GC is off while they run.
func onOwnThread(cpu int, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if err := privateFiles(); err != nil {
			errc <- err
			return
		}
		if cpu >= 0 {
			if err := pin(cpu); err != nil {
				errc <- fmt.Errorf("pin to CPU %d: %w", cpu, err)
				return
			}
		}
		errc <- fn()
	}()
	return <-errc
}

// privateFiles gives the calling thread, locked to its goroutine for the rest of its life, a
// copy of the descriptor table of its own (see onOwnThread).
func privateFiles() error {
	if err := unix.Unshare(unix.CLONE_FILES); err != nil {
		return fmt.Errorf("unshare the descriptor table: %w", err)
	}
	return nil
}

// scheduled makes the ends' calls ordinary (scheduled) system calls, for tests that run both
// ends in one process: a raw call blocked waiting for the other goroutine would hold its P
// through a stop of the world (testing.AllocsPerRun's ReadMemStats), and the other goroutine
// could never reach it. A run's ends are two processes, each its only caller.
var scheduled = false

// syscall6 is unix.RawSyscall6, or unix.Syscall6 when scheduled is set.
func syscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err unix.Errno) {
	if scheduled {
		return unix.Syscall6(trap, a1, a2, a3, a4, a5, a6)
	}
	return unix.RawSyscall6(trap, a1, a2, a3, a4, a5, a6)
}

// rawRead is read(2) as a raw system call.
func rawRead(fd int, p []byte) (int, error) {
	n, _, e := syscall6(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawWrite is write(2) as a raw system call.
func rawWrite(fd int, p []byte) (int, error) {
	n, _, e := syscall6(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

const (
	futexWait = 0
	futexWake = 1
)

// futexWaitFor sleeps while *addr == val, at most one second (ts), shared between processes.
func futexWaitFor(addr *uint32, val uint32, ts *unix.Timespec) unix.Errno {
	_, _, e := syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWait, uintptr(val), uintptr(unsafe.Pointer(ts)), 0, 0)
	return e
}

// futexWakeOne wakes one sleeper on addr.
func futexWakeOne(addr *uint32) {
	syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWake, 1, 0, 0, 0)
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
