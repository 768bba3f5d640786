//go:build linux

package inventory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

type devIno struct{ dev, ino uint64 }

// procScan is what one pass over /proc found.
type procScan struct {
	sysvShm map[sysv.ID][]Holder // by shmid, processes in the namespace only
	files   map[devIno][]Holder  // POSIX objects by inode
	comm    map[int]string
	pids    map[int]bool // the processes in /proc when scanned
	live    map[int]bool // alive's answers so far
	partial bool

	// uninspected are the processes some part of which (maps, descriptors, threads' system calls)
	// could not be read: another user's, without root.
	uninspected map[int]*procInfo
	// candidates are the processes in the namespace, or whose namespace could not be read: those
	// that may wait on its System V queues and semaphore sets.
	candidates []int
	waiters    map[waitKey][]Holder // by object, filled by scanWaiters
	waitersOK  bool                 // scanWaiters ran
}

// procInfo is what is known of a process that could not be inspected: its ids (real, effective,
// saved, filesystem) from /proc/PID/status, which anyone may read, and its IPC namespace.
type procInfo struct {
	uids, gids []uint32
	ns         int // 1 the namespace listed, -1 another, 0 unknown
}

// waitKey names a System V queue or set a thread waits on.
type waitKey struct {
	kind Kind
	id   sysv.ID
}

// waitCall is a system call that waits on a System V object of kind, and how a waiter is shown.
type waitCall struct {
	kind Kind
	how  string
}

// uninspect records that pid could not be inspected completely, unless it is gone: a process
// that exited while it was read (its files vanish, or read as denied while it exits) or is a
// zombie holds nothing, and recording it, with ids unknown, made every object it might hold "not
// listed as an orphan" (ls --orphaned while another process exited, a CI run of ls_orphaned).
func (ps *procScan) uninspect(pid, ns int) {
	if ps.uninspected[pid] != nil {
		return
	}
	if !alive(pid) {
		return
	}
	ps.partial = true
	p := &procInfo{ns: ns}
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, _ := strings.Cut(line, ":")
			var dst *[]uint32
			switch k {
			case "Uid":
				dst = &p.uids
			case "Gid":
				dst = &p.gids
			default:
				continue
			}
			for _, f := range strings.Fields(v) {
				if n, err := strconv.ParseUint(f, 10, 32); err == nil {
					*dst = append(*dst, uint32(n))
				}
			}
		}
	}
	ps.uninspected[pid] = p
}

// mayHold reports whether p, a process that could not be inspected, may hold or wait on o, as far
// as its ids and o's permissions tell: a process in another IPC namespace never holds a System V
// object of this one; one with root among its ids (or whose ids are unknown) may hold anything;
// another may hold what it owns or created, and what its group or others may use. Processes all
// of whose ids are the caller's own are not counted: they are the caller's (non-dumpable or
// richer in capabilities, so not readable even by root), and the question is what other users'
// processes hold.
func (p *procInfo) mayHold(o *Object, me uint32) bool {
	if o.Flavor == SysV && p.ns == -1 {
		return false
	}
	if len(p.uids) == 0 {
		return true
	}
	mine := true
	for _, u := range p.uids {
		if u == 0 && me != 0 {
			return true
		}
		if u != me {
			mine = false
		}
	}
	if mine {
		return false
	}
	for _, u := range p.uids {
		if u == o.UID || u == o.CUID {
			return true
		}
	}
	return o.Mode&0o066 != 0
}

// maybeHeld reports whether a process that could not be inspected may hold o.
func (ps *procScan) maybeHeld(o *Object, me uint32) bool {
	for _, p := range ps.uninspected {
		if p.mayHold(o, me) {
			return true
		}
	}
	return false
}

// waitersOf returns the processes with a thread blocked in a system call on the System V queue or
// set (kind, id), scanning the candidates' threads the first time (see scanWaiters).
func (ps *procScan) waitersOf(kind Kind, id sysv.ID) []Holder {
	if !ps.waitersOK {
		ps.scanWaiters()
	}
	return ps.waiters[waitKey{kind, id}]
}

// scanWaiters reads /proc/PID/task/TID/syscall of every thread of the candidates: a thread blocked
// in msgrcv, msgsnd, semop or semtimedop shows the call's number and its first argument, the
// queue's or set's id. The kernel keeps no count of a queue's waiters, and semncnt/semzcnt do not
// say who waits. Reading another process's syscall file needs ptrace access (root, or the same
// user): what cannot be read makes the process uninspected.
func (ps *procScan) scanWaiters() {
	ps.waitersOK = true
	ps.waiters = map[waitKey][]Holder{}
	for _, pid := range ps.candidates {
		dir := "/proc/" + strconv.Itoa(pid)
		tasks, err := os.ReadDir(dir + "/task")
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				ps.uninspect(pid, 0)
			}
			continue
		}
		seen := map[waitKey]bool{}
		for _, task := range tasks {
			b, err := os.ReadFile(dir + "/task/" + task.Name() + "/syscall")
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ESRCH) {
					ps.uninspect(pid, 0)
				}
				continue
			}
			call, id, ok := parseSyscall(b)
			if !ok {
				continue
			}
			wc, ok := waitCalls[call]
			if !ok {
				continue
			}
			k := waitKey{wc.kind, id}
			if seen[k] {
				continue
			}
			seen[k] = true
			ps.waiters[k] = append(ps.waiters[k], Holder{PID: pid, Comm: ps.commOf(pid), How: wc.how})
		}
	}
}

// parseSyscall reads a /proc/PID/task/TID/syscall line of a blocked thread: "NR ARG1 ARG2 ... SP
// PC" in decimal and hex. A running thread shows "running", one outside a call "-1 SP PC".
func parseSyscall(b []byte) (call int64, arg0 sysv.ID, ok bool) {
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0, 0, false
	}
	nr, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || nr < 0 {
		return 0, 0, false
	}
	a, err := strconv.ParseUint(f[1], 0, 64)
	if err != nil || a > 1<<31-1 {
		return nr, 0, false
	}
	return nr, sysv.ID(a), true
}

// alive reports whether pid is a live process, asking /proc once per pid.
func (ps *procScan) alive(pid int) bool {
	if pid <= 0 || !ps.pids[pid] {
		return false
	}
	if v, ok := ps.live[pid]; ok {
		return v
	}
	v := alive(pid)
	ps.live[pid] = v
	return v
}

// assignHolders fills in the holders and orphan flags of inv's objects from a scan. System V
// semaphore sets are asked for their last operators and waiters (semctl GETPID, GETNCNT,
// GETZCNT) here, and the threads of the namespace's processes are looked at for waiters on
// System V queues and sets when there are any (see scanWaiters).
//
// An object with no holder found is an orphan only when no process that could not be inspected
// may hold it (see procInfo.mayHold); otherwise it is MaybeHeld, with HoldersKnown false.
func assignHolders(inv *Inventory, ps *procScan) {
	for i := range inv.Objects {
		o := &inv.Objects[i]
		o.HoldersKnown = true
		switch {
		case o.Flavor == POSIX:
			o.Holders = ps.files[devIno{o.dev, o.ino}]
			o.Orphaned = len(o.Holders) == 0
		case o.Kind == Shm:
			o.Holders = ps.sysvShm[o.ID]
			o.Orphaned = len(o.Holders) == 0 && o.NAttch == 0 && !ps.alive(o.CPID)
		case o.Kind == MQ:
			o.Holders = lastPids(ps, []int{o.LSPID, o.LRPID}, []string{"last-send", "last-recv"})
			o.Holders = addHolders(o.Holders, ps.waitersOf(MQ, o.ID))
			// Without a way to see waiters, a queue nobody last used may still have one.
			o.HoldersKnown = waitCallsKnown || len(o.Holders) > 0
			o.Orphaned = len(o.Holders) == 0 && o.HoldersKnown
		case o.Kind == Sem:
			states, err := sysv.SemStates(o.ID)
			if err != nil {
				o.HoldersKnown = false
				continue
			}
			pids := make([]int, len(states))
			how := make([]string, len(states))
			waiting := false
			for j, s := range states {
				pids[j], how[j] = s.Pid, "last-op"
				waiting = waiting || s.Ncnt > 0 || s.Zcnt > 0
			}
			o.SemPIDs = pids
			o.Holders = lastPids(ps, pids, how)
			o.Holders = addHolders(o.Holders, ps.waitersOf(Sem, o.ID))
			// semncnt and semzcnt count every waiter, even one whose thread was not found.
			o.Orphaned = len(o.Holders) == 0 && !waiting
		}
	}
	me := uint32(os.Geteuid())
	for i := range inv.Objects {
		if o := &inv.Objects[i]; o.Orphaned && ps.maybeHeld(o, me) {
			o.Orphaned, o.HoldersKnown, o.MaybeHeld = false, false, true
		}
	}
	inv.Partial = ps.partial
}

// addHolders adds hs to out, merging the ways of a process already there.
func addHolders(out, hs []Holder) []Holder {
	for _, h := range hs {
		dup := false
		for j := range out {
			if out[j].PID == h.PID {
				dup = true
				if !strings.Contains(out[j].How, h.How) {
					out[j].How += "," + h.How
				}
			}
		}
		if !dup {
			out = append(out, h)
		}
	}
	return out
}

// lastPids turns the live ones of pids into holders, once each.
func lastPids(ps *procScan, pids []int, how []string) []Holder {
	var out []Holder
	for i, pid := range pids {
		if !ps.alive(pid) {
			continue
		}
		dup := false
		for j := range out {
			if out[j].PID == pid {
				dup = true
				if !strings.Contains(out[j].How, how[i]) {
					out[j].How += "," + how[i]
				}
			}
		}
		if !dup {
			out = append(out, Holder{PID: pid, Comm: ps.commOf(pid), How: how[i]})
		}
	}
	return out
}

func (ps *procScan) commOf(pid int) string {
	if c, ok := ps.comm[pid]; ok {
		return c
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// threadIPCNamespace returns the inode of the calling thread's IPC namespace (0 when unknown).
func threadIPCNamespace() uint64 {
	var st unix.Stat_t
	if unix.Stat(fmt.Sprintf("/proc/self/task/%d/ns/ipc", unix.Gettid()), &st) != nil {
		return 0
	}
	return st.Ino
}

// scanProc reads every process's maps and descriptors once, recording what could be an IPC
// object: System V segments (maps "/SYSV…", inode = shmid), mappings of files under /dev/shm, and
// descriptors on /dev/shm files or on POSIX queues (an mqueue descriptor's link reads "/name").
// System V segments count only for processes in the IPC namespace nsIno: shmids repeat across
// namespaces. POSIX objects are matched by device and inode later, which are unique, so any
// process may hold them. It needs nothing from the listing, so it runs alongside it.
func scanProc(nsIno uint64) *procScan {
	ps := &procScan{sysvShm: map[sysv.ID][]Holder{}, files: map[devIno][]Holder{}, comm: map[int]string{},
		pids: map[int]bool{}, live: map[int]bool{}, uninspected: map[int]*procInfo{}}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		ps.partial = true
		return ps
	}
	self := os.Getpid()
	buf := make([]byte, 0, 64<<10)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ps.pids[pid] = true
		if pid == self {
			continue
		}
		dir := "/proc/" + e.Name()
		ns := 0 // unknown
		var nst unix.Stat_t
		if err := unix.Stat(dir+"/ns/ipc", &nst); err == nil && nsIno != 0 {
			ns = -1
			if nst.Ino == nsIno {
				ns = 1
			}
		} else if errors.Is(err, fs.ErrNotExist) {
			continue // gone
		}
		if ns != -1 {
			ps.candidates = append(ps.candidates, pid)
		}
		inNS := ns == 1
		shm, files, ok := scanMaps(dir+"/maps", inNS, buf)
		if !ok {
			ps.uninspect(pid, ns)
		}
		opened := map[devIno]bool{}
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			ps.uninspect(pid, ns)
		}
		for _, fd := range fds {
			l, err := os.Readlink(dir + "/fd/" + fd.Name())
			if err != nil || !ipcLink(l) {
				continue
			}
			var st unix.Stat_t
			if unix.Stat(dir+"/fd/"+fd.Name(), &st) == nil {
				opened[devIno{st.Dev, st.Ino}] = true
			}
		}
		if len(shm) == 0 && len(files) == 0 && len(opened) == 0 {
			continue
		}
		comm, _ := os.ReadFile(dir + "/comm")
		c := strings.TrimSpace(string(comm))
		ps.comm[pid] = c
		for _, id := range shm {
			ps.sysvShm[id] = append(ps.sysvShm[id], Holder{PID: pid, Comm: c, How: "attached"})
		}
		keys := map[devIno]bool{}
		for k := range files {
			keys[k] = true
		}
		for k := range opened {
			keys[k] = true
		}
		for k := range keys {
			how := "mapped"
			switch {
			case files[k] && opened[k]:
				how = "mapped,open"
			case opened[k]:
				how = "open"
			}
			ps.files[k] = append(ps.files[k], Holder{PID: pid, Comm: c, How: how})
		}
	}
	for _, hs := range ps.files {
		sort.Slice(hs, func(i, j int) bool { return hs[i].PID < hs[j].PID })
	}
	return ps
}

// ipcLink reports whether a descriptor's link may be a POSIX object: a file in /dev/shm, or a
// queue ("/name": one slash).
func ipcLink(l string) bool {
	if strings.HasPrefix(l, shmDirPrefix) {
		return true
	}
	return len(l) > 1 && l[0] == '/' && strings.IndexByte(l[1:], '/') < 0 && !strings.HasSuffix(l, " (deleted)")
}

const shmDirPrefix = "/dev/shm/"

// scanMaps reads one maps file: the System V segments attached (when inNS) and the files under
// /dev/shm mapped. ok is false when the file exists but could not be read.
func scanMaps(path string, inNS bool, buf []byte) (shm []sysv.ID, files map[devIno]bool, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, errors.Is(err, fs.ErrNotExist)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(buf, 1<<20)
	seen := map[sysv.ID]bool{}
	for sc.Scan() {
		line := sc.Bytes()
		// start-end perms offset major:minor inode   path: the path is from the first slash on,
		// and most lines name neither a segment nor /dev/shm (splitting each was most of ls)
		if i := bytes.IndexByte(line, '/'); i < 0 || !bytes.HasPrefix(line[i:], []byte("/SYSV")) && !bytes.HasPrefix(line[i:], []byte(shmDirPrefix)) {
			continue
		}
		fields := bytes.Fields(line)
		if len(fields) < 6 {
			continue
		}
		if bytes.HasPrefix(fields[5], []byte("/SYSV")) {
			if !inNS {
				continue
			}
			if id, err := strconv.Atoi(string(fields[4])); err == nil && !seen[sysv.ID(id)] {
				seen[sysv.ID(id)] = true
				shm = append(shm, sysv.ID(id))
			}
			continue
		}
		if !bytes.HasPrefix(fields[5], []byte(shmDirPrefix)) {
			continue
		}
		ino, err := strconv.ParseUint(string(fields[4]), 10, 64)
		if err != nil {
			continue
		}
		maj, min, ok := parseDev(fields[3])
		if !ok {
			continue
		}
		if files == nil {
			files = map[devIno]bool{}
		}
		files[devIno{unix.Mkdev(maj, min), ino}] = true
	}
	if sc.Err() != nil {
		return shm, files, false
	}
	return shm, files, true
}

func parseDev(b []byte) (uint32, uint32, bool) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return 0, 0, false
	}
	maj, err1 := strconv.ParseUint(string(b[:i]), 16, 32)
	min, err2 := strconv.ParseUint(string(b[i+1:]), 16, 32)
	return uint32(maj), uint32(min), err1 == nil && err2 == nil
}
