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
// semaphore sets are asked for their last operators (semctl GETPID) here.
func assignHolders(inv *Inventory, ps *procScan) {
	inv.Partial = ps.partial
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
			o.Orphaned = len(o.Holders) == 0
		case o.Kind == Sem:
			states, err := sysv.SemStates(o.ID)
			if err != nil {
				o.HoldersKnown = false
				continue
			}
			pids := make([]int, len(states))
			how := make([]string, len(states))
			for j, s := range states {
				pids[j], how[j] = s.Pid, "last-op"
			}
			o.SemPIDs = pids
			o.Holders = lastPids(ps, pids, how)
			o.Orphaned = len(o.Holders) == 0
		}
	}
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
		pids: map[int]bool{}, live: map[int]bool{}}
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
		var nst unix.Stat_t
		inNS := nsIno != 0 && unix.Stat(dir+"/ns/ipc", &nst) == nil && nst.Ino == nsIno
		shm, files, ok := scanMaps(dir+"/maps", inNS, buf)
		if !ok {
			ps.partial = true
		}
		opened := map[devIno]bool{}
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			ps.partial = true
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
		// start-end perms offset major:minor inode   path
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
