//go:build linux

package sig

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A trace instance is named for the process that made it, so that one left behind (its maker
// killed with SIGKILL: an instance is the kernel's and outlives every process and namespace) can
// be told from one in use:
//
//	ipcx-sig-PID-START-PIDNS[-N]
//
// PID is the maker's pid in its own pid namespace, START its start time (field 22 of
// /proc/PID/stat, clock ticks since boot: a reused pid has another), PIDNS the inode of its pid
// namespace (pids repeat across namespaces), N a sequence number for a process's second trace.
const instancePrefix = "ipcx-sig-"

// initPidNS is the inode of the initial pid namespace (PROC_PID_INIT_INO), from which every
// process is visible.
const initPidNS = 0xEFFFFFFC

// procIdent identifies a process across pid namespaces.
type procIdent struct {
	pidns uint64
	pid   int // in its own namespace
}

// selfIdent returns the calling process's identity and start time.
func selfIdent() (procIdent, uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil {
		return procIdent{}, 0, fmt.Errorf("stat /proc/self/ns/pid: %w", err)
	}
	start, err := startTime("self")
	if err != nil {
		return procIdent{}, 0, err
	}
	return procIdent{st.Ino, os.Getpid()}, start, nil
}

// instanceName names the instance of the process id started at start; seq > 0 for a further one.
func instanceName(id procIdent, start uint64, seq int) string {
	name := fmt.Sprintf("%s%d-%d-%d", instancePrefix, id.pid, start, id.pidns)
	if seq > 0 {
		name += "-" + strconv.Itoa(seq)
	}
	return name
}

// parseInstanceName reads an instance name made by instanceName.
func parseInstanceName(name string) (procIdent, uint64, bool) {
	rest, ok := strings.CutPrefix(name, instancePrefix)
	if !ok {
		return procIdent{}, 0, false
	}
	f := strings.Split(rest, "-")
	if len(f) != 3 && len(f) != 4 {
		return procIdent{}, 0, false
	}
	var n [4]uint64
	for i, s := range f {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return procIdent{}, 0, false
		}
		n[i] = v
	}
	if n[0] == 0 || n[0] > 1<<22 {
		return procIdent{}, 0, false
	}
	return procIdent{pidns: n[2], pid: int(n[0])}, n[1], true
}

// startTime reads the start time (field 22) of /proc/PID/stat, pid a number or "self".
func startTime(pid string) (uint64, error) {
	path := "/proc/" + pid + "/stat"
	b, err := readProcStat(pid)
	if err != nil {
		return 0, err
	}
	// pid (comm) state ppid ...: comm may hold anything, so count from the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	return strconv.ParseUint(f[19], 10, 64) // field 22: the 20th after comm
}

// readProcStat reads /proc/PID/stat through a descriptor of /proc rather than by its absolute
// path: qemu-user answers the absolute paths of its own process (/proc/self/stat, /proc/PID/stat)
// itself, with a start time of its own, often a tick off the kernel's, which made a process's
// own identity look stale under the emulator (scripts/test-arm64: TestInstanceName failed in 6
// of 10 runs). Through a directory descriptor every process, this one too, reads the kernel's.
func readProcStat(pid string) ([]byte, error) {
	dir, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "/proc", Err: err}
	}
	defer unix.Close(dir)
	name := pid + "/stat"
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "/proc/" + name, Err: err}
	}
	f := os.NewFile(uintptr(fd), "/proc/"+name)
	defer f.Close()
	return io.ReadAll(f)
}

// liveProcs is one pass over /proc: the start time of every process by identity, the pid
// namespaces seen, and whether some process in a nested namespace could not be placed.
type liveProcs struct {
	start     map[procIdent]uint64
	seen      map[uint64]bool
	uncertain bool
	self      uint64 // our pid namespace
}

func scanLiveProcs(self uint64) *liveProcs {
	lp := &liveProcs{start: map[procIdent]uint64{}, seen: map[uint64]bool{}, self: self}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		lp.uncertain = true
		return lp
	}
	// The pid namespace /proc shows (its processes have one NSpid): ours when ours has one.
	procNS := uint64(0)
	if nsp := nsPids("/proc/self/status"); len(nsp) == 1 {
		procNS = self
	}
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		dir := "/proc/" + e.Name()
		nsp := nsPids(dir + "/status")
		if len(nsp) == 0 {
			continue // gone, or a kernel without NSpid
		}
		var ns uint64
		var st unix.Stat_t
		switch {
		case unix.Stat(dir+"/ns/pid", &st) == nil:
			ns = st.Ino
		case len(nsp) == 1 && procNS != 0:
			ns = procNS
		default:
			lp.uncertain = true
			continue
		}
		start, err := startTime(e.Name())
		if err != nil {
			continue
		}
		lp.seen[ns] = true
		lp.start[procIdent{ns, nsp[len(nsp)-1]}] = start
	}
	return lp
}

// nsPids reads the NSpid line of a /proc/PID/status file: the process's pid in the namespace of
// the /proc mount and in each nested one, its own last.
func nsPids(path string) []int {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "NSpid:"); ok {
			var out []int
			for _, f := range strings.Fields(v) {
				n, err := strconv.Atoi(f)
				if err != nil {
					return nil
				}
				out = append(out, n)
			}
			return out
		}
	}
	return nil
}

// stale reports whether the maker of an instance (id, start) is gone for sure: a process with its
// identity has another start time (its pid was reused), or none has it while its pid namespace
// is visible (or, from the initial namespace, where every process is visible, at all).
func (lp *liveProcs) stale(id procIdent, start uint64) bool {
	if s, ok := lp.start[id]; ok {
		return s != start
	}
	return lp.seen[id.pidns] || lp.self == initPidNS && !lp.uncertain
}

// RemoveStaleInstances removes the trace instances under the tracefs mount root that ipcx
// processes made and left behind when they were killed (SIGKILL leaves no chance to clean up): an
// instance whose name says its maker, and whose maker no longer runs. It returns the names
// removed. Instances of live processes, of processes it cannot see (another pid namespace not
// below its own) and of other programs are left alone.
func RemoveStaleInstances(root string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(root, "instances"))
	if err != nil {
		return nil, fmt.Errorf("read %s/instances: %w", root, err)
	}
	var lp *liveProcs
	var removed []string
	for _, e := range ents {
		id, start, ok := parseInstanceName(e.Name())
		if !ok {
			continue
		}
		if lp == nil {
			self, _, err := selfIdent()
			if err != nil {
				return nil, err
			}
			lp = scanLiveProcs(self.pidns)
		}
		if !lp.stale(id, start) {
			continue
		}
		// rmdir disables the instance's events and frees its buffers; EBUSY while a reader
		// still has its trace_pipe open (then it was not stale after all).
		if err := unix.Rmdir(filepath.Join(root, "instances", e.Name())); err == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}
