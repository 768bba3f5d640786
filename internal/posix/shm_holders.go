//go:build linux

package posix

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Holder is a process that has a POSIX shared memory object or semaphore open or mapped.
type Holder struct {
	PID    int
	Comm   string // the process's name (/proc/PID/comm)
	FDs    []int  // descriptors open on the object
	Mapped bool   // whether the object is mapped (/proc/PID/maps)
}

// ShmHolders returns the processes that hold the object name open or mapped.
func ShmHolders(name string) ([]Holder, error) {
	path, err := shmPath(name)
	if err != nil {
		return nil, err
	}
	return holders(path)
}

// SemHolders returns the processes that have the semaphore name mapped (glibc's sem_open closes
// the file once it is mapped, so only the mapping remains).
func SemHolders(name string) ([]Holder, error) {
	path, err := semPath(name)
	if err != nil {
		return nil, err
	}
	return holders(path)
}

// holders scans /proc for descriptors open on path's inode and mappings of it. Processes that
// vanish mid-scan or whose /proc entries are not readable (another user's, without root) are
// skipped.
func holders(path string) ([]Holder, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []Holder
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := "/proc/" + p.Name()
		h := Holder{PID: pid}
		if fds, err := os.ReadDir(dir + "/fd"); err == nil {
			for _, fd := range fds {
				var fst unix.Stat_t
				if unix.Stat(dir+"/fd/"+fd.Name(), &fst) != nil || fst.Dev != st.Dev || fst.Ino != st.Ino {
					continue
				}
				if n, err := strconv.Atoi(fd.Name()); err == nil {
					h.FDs = append(h.FDs, n)
				}
			}
		}
		h.Mapped = mapsInode(dir+"/maps", st.Dev, st.Ino)
		if len(h.FDs) == 0 && !h.Mapped {
			continue
		}
		sort.Ints(h.FDs)
		if comm, err := os.ReadFile(dir + "/comm"); err == nil {
			h.Comm = strings.TrimSpace(string(comm))
		}
		out = append(out, h)
	}
	return out, nil
}

// mapsInode reports whether the maps file lists a mapping of the file with device dev and inode
// ino. A maps line is "start-end perms offset major:minor inode   path"; the path is not compared
// because a semaphore is mapped through the temporary file it was created as ("/dev/shm/sem.XXXXXX
// (deleted)"), and a process in another mount namespace sees another path.
func mapsInode(maps string, dev, ino uint64) bool {
	f, err := os.Open(maps)
	if err != nil {
		return false
	}
	defer f.Close()
	wantDev := []byte(fmt.Sprintf("%02x:%02x", unix.Major(dev), unix.Minor(dev)))
	wantIno := []byte(strconv.FormatUint(ino, 10))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) >= 6 && bytes.Equal(fields[4], wantIno) && bytes.Equal(fields[3], wantDev) {
			return true
		}
	}
	return false
}
