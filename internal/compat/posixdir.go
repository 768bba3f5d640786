//go:build linux

package compat

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/posix"
	"golang.org/x/sys/unix"
)

// PosixEntry is one entry of /dev/mqueue or /dev/shm as util-linux's lsipc reads it
// (ipcutils.c's posix_ipc_*_get_info): in readdir order, not sorted, stat(2) following symlinks,
// so that a directory or a symlink in /dev/shm is listed as shared memory, and anything the caller
// cannot open is left out.
type PosixEntry struct {
	Kind inventory.Kind
	// Name as lsipc prints it: "/name" for a queue, the file name for shared memory, the name
	// after "sem." for a semaphore.
	Name     string
	UID, GID uint32
	Mode     uint32
	Size     int64 // shared memory: st_size; queues: QSIZE
	Messages int64 // queues: mq_curmsgs
	Value    int32 // semaphores: the value
	MTime    time.Time
	// Regular: lstat(2) says a regular file (what ipcrm -a=pshm removes, unlike util-linux).
	Regular bool
}

// readPosixDirs reads the POSIX objects lsipc lists, in this thread's namespace: the queues of
// the namespace's mqueue filesystem (mqueue the directory, "" when none), then /dev/shm (shmDir).
// Without follow, a symbolic link in shmDir is left out instead of followed.
func readPosixDirs(mqueue, shmDir string, follow bool) []PosixEntry {
	var out []PosixEntry
	if mqueue != "" {
		for _, n := range readdirNames(mqueue) {
			var st unix.Stat_t
			path := mqueue + "/" + n
			if unix.Stat(path, &st) != nil {
				continue
			}
			data, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			var qsize int64
			if _, err := fmt.Sscanf(string(data), "QSIZE:%d", &qsize); err != nil {
				continue
			}
			e := PosixEntry{Kind: inventory.MQ, Name: "/" + n, UID: st.Uid, GID: st.Gid, Mode: st.Mode, Size: qsize,
				MTime: time.Unix(st.Mtim.Sec, 0)}
			if at, err := posix.MqGetAttr(e.Name); err == nil {
				e.Messages = at.CurMsgs
			}
			out = append(out, e)
		}
	}
	for _, n := range readdirNames(shmDir) {
		var st unix.Stat_t
		path := shmDir + "/" + n
		stat := unix.Stat
		if !follow {
			stat = unix.Lstat
		}
		if stat(path, &st) != nil || !follow && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			continue
		}
		e := PosixEntry{Kind: inventory.Shm, Name: n, UID: st.Uid, GID: st.Gid, Mode: st.Mode, Size: st.Size,
			MTime: time.Unix(st.Mtim.Sec, 0)}
		var lst unix.Stat_t
		e.Regular = unix.Lstat(path, &lst) == nil && lst.Mode&unix.S_IFMT == unix.S_IFREG
		if s, ok := strings.CutPrefix(n, "sem."); ok {
			// glibc's sem_open(name, 0): read and write access to a regular file.
			fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				continue
			}
			var b [8]byte
			_, err = unix.Pread(fd, b[:], 0)
			unix.Close(fd)
			if err != nil {
				continue
			}
			e.Kind, e.Name, e.Size = inventory.Sem, s, 0
			e.Value = int32(binary.NativeEndian.Uint32(b[:4]))
		}
		out = append(out, e)
	}
	return out
}

// readdirNames returns a directory's names as getdents(2) gives them, without "." and "..".
func readdirNames(dir string) []string {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return names
}

// cmdline returns /proc/PID/cmdline with the NULs as spaces, or "" with ok false when there is
// none (util-linux's pid_get_cmdline).
func cmdline(pid int) (string, bool) {
	if pid <= 0 {
		return "", false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return "", false
	}
	s := strings.TrimRight(string(b), "\x00")
	if s == "" {
		return "", false
	}
	return strings.ReplaceAll(s, "\x00", " "), true
}
