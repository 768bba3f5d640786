//go:build linux

package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
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
	procs   []proc       // the processes in /proc when scanned, by pid
	live    map[int]bool // alive's answers so far
	partial bool

	// uninspected are the processes some part of which (maps, descriptors, threads' system calls)
	// could not be read: another user's, without root.
	uninspected map[int]*procInfo
	waiters     map[waitKey][]Holder // by object, filled by scanWaiters
	waitersOK   bool                 // scanWaiters ran

	dir   *procDir // /proc, open until done
	nsIno uint64   // the IPC namespace listed (0 unknown)
	self  int
}

// proc is a process of the scan and what is known of it so far.
type proc struct {
	pid int
	ns  int8 // 1 the namespace listed, -1 another, 0 unknown, nsUnread not looked at yet
	// kind: whether the process is a kernel thread (which has no memory map, descriptors or
	// system calls of its own), has exited, or may not be inspected; kindUnread not looked at yet.
	kind int8
}

const nsUnread = 2

const (
	kindUnread int8 = iota
	kindUser        // an ordinary process (or one that could not be told apart)
	kindKernel      // a kernel thread
	kindGone        // exited
	kindDenied      // its memory and descriptors may not be read (another user's, without root)
)

// scanNeed is what the listed objects need to know of each process. Nothing of a process says
// which System V queue or semaphore set it uses: those need only the list of live processes (their
// last operators) and, when asked, their threads' system calls (waiters, see scanWaiters).
type scanNeed struct {
	fds     bool // a POSIX object is listed: descriptors on queues and /dev/shm files
	shmMaps bool // a /dev/shm object is listed: files under /dev/shm mapped
	sysvShm bool // a System V segment is listed: segments attached, in the namespace listed
}

func (n scanNeed) any() bool { return n.fds || n.shmMaps || n.sysvShm }

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

// scanWaiters reads /proc/PID/task/TID/syscall of every thread of the candidates: the processes
// in the namespace, or whose namespace could not be read, but kernel threads. A thread blocked in
// msgrcv, msgsnd, semop or semtimedop shows the call's number and its first argument, the queue's
// or set's id. The kernel keeps no count of a queue's waiters, and semncnt/semzcnt do not say who
// waits. Reading another process's syscall file needs ptrace access (root, or the same user): what
// cannot be read makes the process uninspected, and a process whose memory could not be read
// (kindDenied: a weaker check than the syscall file's) is not read again.
func (ps *procScan) scanWaiters() {
	ps.waitersOK = true
	ps.waiters = map[waitKey][]Holder{}
	if ps.dir == nil {
		return
	}
	var seen []waitKey
	for i := range ps.procs {
		p := &ps.procs[i]
		if p.pid == ps.self || ps.kindOf(p) != kindUser || ps.nsOf(p) == -1 {
			if p.kind == kindDenied {
				ps.uninspect(p.pid, int(ps.nsOf(p)))
			}
			continue
		}
		pid := p.pid
		fd, err := ps.dir.open(pid, "task", unix.O_DIRECTORY)
		if err != nil {
			if !gone(err) {
				ps.uninspect(pid, int(ps.nsOf(p)))
			}
			continue
		}
		var tids []int
		if err := ps.dir.names(fd, func(name []byte) bool {
			if tid, ok := atoi(name); ok {
				tids = append(tids, tid)
			}
			return true
		}); err != nil && !gone(err) {
			ps.uninspect(pid, int(ps.nsOf(p)))
		}
		unix.Close(fd)
		seen = seen[:0]
		for _, tid := range tids {
			b, err := ps.dir.readRecord(pid, "task/"+strconv.Itoa(tid)+"/syscall")
			if err != nil {
				if !gone(err) {
					ps.uninspect(pid, int(ps.nsOf(p)))
				}
				continue
			}
			call, id, ok := parseSyscall(b)
			if !ok {
				continue
			}
			wc, ok := waitCallOf(call)
			if !ok {
				continue
			}
			k := waitKey{wc.kind, id}
			if slices.Contains(seen, k) {
				continue
			}
			seen = append(seen, k)
			ps.waiters[k] = append(ps.waiters[k], Holder{PID: pid, Comm: ps.commOf(pid), How: wc.how})
		}
	}
	for _, hs := range ps.waiters {
		sortByPIDText(hs)
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
	if pid <= 0 || ps.find(pid) == nil {
		return false
	}
	if v, ok := ps.live[pid]; ok {
		return v
	}
	v := alive(pid)
	ps.live[pid] = v
	return v
}

// find returns the process pid of the scan, nil when it was not in /proc.
func (ps *procScan) find(pid int) *proc {
	i, ok := slices.BinarySearchFunc(ps.procs, pid, func(p proc, pid int) int { return p.pid - pid })
	if !ok {
		return nil
	}
	return &ps.procs[i]
}

// nsOf returns whether p is in the namespace listed (1), in another (-1) or not known (0),
// reading /proc/PID/ns/ipc the first time. A process that exited meanwhile is kindGone.
func (ps *procScan) nsOf(p *proc) int8 {
	if p.ns != nsUnread {
		return p.ns
	}
	p.ns = 0
	var st unix.Stat_t
	err := unix.Fstatat(ps.dir.fd, ps.dir.at(p.pid, "ns/ipc"), &st, 0)
	switch {
	case err == nil && ps.nsIno != 0:
		p.ns = -1
		if st.Ino == ps.nsIno {
			p.ns = 1
		}
	case gone(err):
		p.kind = kindGone
	}
	return p.ns
}

// kindOf tells p's kind, the first time from its /proc/PID/exe: a kernel thread has none (nor
// has a zombie, or a process whose first thread exited: their /proc/PID/stat flags tell them
// apart), and a process whose memory and descriptors may not be read may not read it either (the
// same ptrace check).
func (ps *procScan) kindOf(p *proc) int8 {
	if p.kind != kindUnread {
		return p.kind
	}
	p.kind = kindUser
	_, err := ps.dir.readlinkAt(ps.dir.fd, []byte(ps.dir.at(p.pid, "exe")))
	switch {
	case err == nil:
	case denied(err):
		p.kind = kindDenied
	case errors.Is(err, unix.ENOENT):
		b, err := ps.dir.readRecord(p.pid, "stat")
		if gone(err) {
			p.kind = kindGone
		} else if flags, ok := statFlags(b); err == nil && ok && flags&pfKthread != 0 {
			p.kind = kindKernel
		}
	}
	return p.kind
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
			if waiting {
				// A thread blocked in semop on the set is counted in its semncnt or semzcnt:
				// without one, no thread needs looking for.
				o.Holders = addHolders(o.Holders, ps.waitersOf(Sem, o.ID))
			}
			// semncnt and semzcnt count every waiter, even one whose thread was not found.
			o.Orphaned = len(o.Holders) == 0 && !waiting
		}
	}
	me := uint32(os.Geteuid())
	for i := range inv.Objects {
		if inv.Objects[i].Orphaned {
			ps.census()
			break
		}
	}
	for i := range inv.Objects {
		if o := &inv.Objects[i]; o.Orphaned && ps.maybeHeld(o, me) {
			o.Orphaned, o.HoldersKnown, o.MaybeHeld = false, false, true
		}
	}
	inv.Partial = ps.partial
}

// census records as uninspected every process whose memory and descriptors may not be read, as
// the scan (or the waiters') would have found had it read them: an orphan is one only if none of
// them may hold it.
func (ps *procScan) census() {
	if ps.dir == nil {
		return
	}
	for i := range ps.procs {
		if p := &ps.procs[i]; p.pid != ps.self && ps.kindOf(p) == kindDenied {
			ps.uninspect(p.pid, int(ps.nsOf(p)))
		}
	}
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
	if ps.dir == nil {
		return ""
	}
	b, _ := ps.dir.readRecord(pid, "comm")
	c := strings.TrimSpace(string(b))
	ps.comm[pid] = c
	return c
}

// threadIPCNamespace returns the inode of the calling thread's IPC namespace (0 when unknown).
func threadIPCNamespace() uint64 {
	var st unix.Stat_t
	if unix.Stat(fmt.Sprintf("/proc/self/task/%d/ns/ipc", unix.Gettid()), &st) != nil {
		return 0
	}
	return st.Ino
}

// newScan lists the processes in /proc, to be scanned for what the listing needs (scan) once it
// is known. The listing's objects do not change what is listed: it runs alongside the listing.
func newScan(nsIno uint64) *procScan {
	ps := &procScan{sysvShm: map[sysv.ID][]Holder{}, files: map[devIno][]Holder{}, comm: map[int]string{},
		live: map[int]bool{}, uninspected: map[int]*procInfo{}, nsIno: nsIno, self: os.Getpid()}
	dir, err := openProcDir()
	if err != nil {
		ps.partial = true
		return ps
	}
	pids, err := dir.pids()
	if err != nil {
		dir.close()
		ps.partial = true
		return ps
	}
	slices.Sort(pids)
	ps.dir = dir
	ps.procs = make([]proc, len(pids))
	for i, pid := range pids {
		ps.procs[i] = proc{pid: pid, ns: nsUnread}
	}
	return ps
}

// done releases what the scan holds open.
func (ps *procScan) done() {
	if ps.dir != nil {
		ps.dir.close()
		ps.dir = nil
	}
}

// scan reads what need asks of every process once, recording what could be an IPC object: System
// V segments (maps "/SYSV…", inode = shmid), mappings of files under /dev/shm, and descriptors on
// /dev/shm files or on POSIX queues (an mqueue descriptor's link reads "/name"). System V segments
// count only for processes in the IPC namespace listed: shmids repeat across namespaces. POSIX
// objects are matched by device and inode later, which are unique, so any process may hold them.
// Kernel threads are passed over: they have no maps and no descriptors.
func (ps *procScan) scan(need scanNeed) {
	if ps.dir == nil || !need.any() {
		return
	}
	var shm []sysv.ID
	var files, opened []devIno
	for i := range ps.procs {
		p := &ps.procs[i]
		pid := p.pid
		if pid == ps.self {
			continue
		}
		switch ps.kindOf(p) {
		case kindGone, kindKernel:
			continue
		case kindDenied:
			ps.uninspect(pid, int(ps.nsOf(p)))
			continue
		}
		inNS := false
		if need.sysvShm {
			inNS = ps.nsOf(p) == 1
			if p.kind == kindGone {
				continue
			}
		}
		opened = opened[:0]
		if need.fds {
			var ok bool
			if opened, ok = ps.scanFDs(pid, opened); !ok {
				ps.uninspect(pid, int(ps.nsOf(p)))
			}
		}
		shm, files = shm[:0], files[:0]
		if need.shmMaps || inNS {
			var ok bool
			b, err := ps.dir.readAll(pid, "maps")
			if err != nil && !gone(err) {
				ps.uninspect(pid, int(ps.nsOf(p)))
			} else if shm, files, ok = scanMaps(b, inNS, need.shmMaps, shm, files); !ok {
				ps.uninspect(pid, int(ps.nsOf(p)))
			}
		}
		if len(shm) == 0 && len(files) == 0 && len(opened) == 0 {
			continue
		}
		c := ps.commOf(pid)
		for _, id := range shm {
			ps.sysvShm[id] = append(ps.sysvShm[id], Holder{PID: pid, Comm: c, How: "attached"})
		}
		keys := map[devIno]bool{}
		for _, k := range files {
			keys[k] = true
		}
		for _, k := range opened {
			keys[k] = true
		}
		for k := range keys {
			how := "mapped"
			switch m, o := slices.Contains(files, k), slices.Contains(opened, k); {
			case m && o:
				how = "mapped,open"
			case o:
				how = "open"
			}
			ps.files[k] = append(ps.files[k], Holder{PID: pid, Comm: c, How: how})
		}
	}
	for _, hs := range ps.files {
		sort.Slice(hs, func(i, j int) bool { return hs[i].PID < hs[j].PID })
	}
	for _, hs := range ps.sysvShm {
		sortByPIDText(hs)
	}
}

// scanFDs adds to opened the device and inode of each of pid's descriptors that may be a POSIX
// object (see ipcLink). ok is false when the descriptors could not be read (the process exited
// meanwhile is not a failure).
func (ps *procScan) scanFDs(pid int, opened []devIno) (_ []devIno, ok bool) {
	fd, err := ps.dir.open(pid, "fd", unix.O_DIRECTORY)
	if err != nil {
		return opened, gone(err)
	}
	defer unix.Close(fd)
	ok = true
	err = ps.dir.names(fd, func(name []byte) bool {
		l, err := ps.dir.readlinkAt(fd, name)
		if err != nil {
			if denied(err) {
				// Every other descriptor answers the same (ptrace access).
				ok = false
				return false
			}
			return true // closed meanwhile
		}
		if !ipcLink(l) {
			return true
		}
		var st unix.Stat_t
		if unix.Fstatat(fd, string(name), &st, 0) == nil {
			if k := (devIno{st.Dev, st.Ino}); !slices.Contains(opened, k) {
				opened = append(opened, k)
			}
		}
		return true
	})
	if err != nil && !gone(err) {
		ok = false
	}
	return opened, ok
}

// sortByPIDText orders holders by their pids as text ("10" before "9"), the order a scan of
// /proc sorted by name found them in before it read /proc in the kernel's order: listings keep
// the order they had.
func sortByPIDText(hs []Holder) {
	if len(hs) < 2 {
		return
	}
	slices.SortStableFunc(hs, func(a, b Holder) int {
		var x, y [20]byte
		return bytes.Compare(strconv.AppendInt(x[:0], int64(a.PID), 10), strconv.AppendInt(y[:0], int64(b.PID), 10))
	})
}

// ipcLink reports whether a descriptor's link may be a POSIX object: a file in /dev/shm, or a
// queue ("/name": one slash).
func ipcLink(l []byte) bool {
	if bytes.HasPrefix(l, []byte(shmDirPrefix)) {
		return true
	}
	return len(l) > 1 && l[0] == '/' && bytes.IndexByte(l[1:], '/') < 0 && !bytes.HasSuffix(l, []byte(" (deleted)"))
}

const shmDirPrefix = "/dev/shm/"

// scanMaps reads one maps file: the System V segments attached (when inNS) and the files under
// /dev/shm mapped (when shmFiles), appended to shm and files. ok is false when a line is cut short
// (the file was not read to its end).
//
// Lines are "start-end perms offset major:minor inode   path", the path from the first slash on.
// Most lines name neither a segment nor /dev/shm: the file is searched for the two prefixes as a
// whole, and only the lines where one starts the path are split.
func scanMaps(b []byte, inNS, shmFiles bool, shm []sysv.ID, files []devIno) (_ []sysv.ID, _ []devIno, ok bool) {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return shm, files, false
	}
	for _, prefix := range [...]struct {
		want bool
		p    []byte
	}{{inNS, []byte("/SYSV")}, {shmFiles, []byte(shmDirPrefix)}} {
		if !prefix.want {
			continue
		}
		for off := 0; ; {
			i := bytes.Index(b[off:], prefix.p)
			if i < 0 {
				break
			}
			i += off
			start := bytes.LastIndexByte(b[:i], '\n') + 1
			end := i + bytes.IndexByte(b[i:], '\n')
			off = end + 1
			line := b[start:end]
			if bytes.IndexByte(line, '/') != i-start {
				continue // the prefix is not where the path starts
			}
			fields := bytes.Fields(line)
			if len(fields) < 6 || !bytes.HasPrefix(fields[5], prefix.p) {
				continue
			}
			if prefix.p[1] == 'S' {
				if id, err := strconv.Atoi(string(fields[4])); err == nil && !slices.Contains(shm, sysv.ID(id)) {
					shm = append(shm, sysv.ID(id))
				}
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
			if k := (devIno{unix.Mkdev(maj, min), ino}); !slices.Contains(files, k) {
				files = append(files, k)
			}
		}
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
