//go:build linux

package posix

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// MqueueMagic is the statfs type of an mqueue filesystem.
const MqueueMagic = 0x19800202

// ErrNoMqueueFS is returned when no mqueue filesystem is mounted and one cannot be made.
var ErrNoMqueueFS = errors.New("no mqueue filesystem is mounted")

// MqInfo describes a POSIX message queue as the mqueue filesystem shows it.
type MqInfo struct {
	Name  string `json:"name"`
	Mode  uint32 `json:"mode"`
	UID   uint32 `json:"uid"`
	GID   uint32 `json:"gid"`
	Bytes int64  `json:"bytes"` // QSIZE: bytes of all messages on the queue
	// StatusRead says Bytes, NotifyPID and Signo are known: the queue's status could be read (it
	// cannot without read permission; mode, owner and times come from the directory then).
	StatusRead bool      `json:"-"`
	NotifyPID  int       `json:"notifyPid"`
	Signo      int       `json:"notifySigno"`
	CTime      time.Time `json:"ctime"`
	MTime      time.Time `json:"mtime"`
	Dev        uint64    `json:"-"` // the inode in the mqueue filesystem, to match holders
	Ino        uint64    `json:"-"`
}

// MqueueDir returns a directory of the mqueue filesystem of this IPC namespace and a function that
// releases it. It is the first mounted one (found in /proc/self/mountinfo); when none is mounted and
// the caller may mount (root), it is a private detached mount made with fsopen(2)/fsmount(2),
// reachable through /proc/self/fd and gone when released. Otherwise the error wraps ErrNoMqueueFS.
func MqueueDir() (string, func(), error) {
	if dir := mountedMqueue(); dir != "" {
		return dir, func() {}, nil
	}
	dir, release, err := DetachedMqueue()
	if err != nil {
		return "", nil, fmt.Errorf("%w (mount one with: mount -t mqueue none /dev/mqueue)", err)
	}
	return dir, release, nil
}

// DetachedMqueue makes a private detached mount of the mqueue filesystem of the calling thread's
// IPC namespace with fsopen(2)/fsmount(2) (which needs CAP_SYS_ADMIN) and returns its directory,
// reachable through /proc/self/fd, and a function that releases it (the mount is gone then).
// Errors wrap ErrNoMqueueFS (and not the errno, which would read as a problem with a queue).
func DetachedMqueue() (string, func(), error) {
	fsfd, err := unix.Fsopen("mqueue", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return "", nil, fmt.Errorf("%w: fsopen: %v", ErrNoMqueueFS, err)
	}
	defer unix.Close(fsfd)
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return "", nil, fmt.Errorf("%w: fsconfig: %v", ErrNoMqueueFS, err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("%w: fsmount: %v", ErrNoMqueueFS, err)
	}
	// Reading the mount descriptor itself gives EBADF: open its root.
	dfd, err := unix.Openat(mfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	unix.Close(mfd)
	if err != nil {
		return "", nil, fmt.Errorf("%w: open detached mount: %v", ErrNoMqueueFS, err)
	}
	return fmt.Sprintf("/proc/self/fd/%d", dfd), func() { unix.Close(dfd) }, nil
}

// mountedMqueue returns the mount point of an mqueue filesystem, preferring /dev/mqueue.
func mountedMqueue() string {
	var st unix.Statfs_t
	if unix.Statfs("/dev/mqueue", &st) == nil && st.Type == MqueueMagic {
		return "/dev/mqueue"
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
		fields := strings.Fields(sc.Text())
		for i, fld := range fields {
			if fld == "-" && i+1 < len(fields) && fields[i+1] == "mqueue" && len(fields) > 4 {
				return unescapeMount(fields[4])
			}
		}
	}
	return ""
}

func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// MqList lists the queues in the mqueue directory dir (see MqueueDir), sorted by name.
func MqList(dir string) ([]MqInfo, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	qs := []MqInfo{}
	for _, e := range ents {
		info, err := MqStatIn(dir, "/"+e.Name())
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // removed meanwhile
			}
			return nil, err
		}
		qs = append(qs, info)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name })
	return qs, nil
}

// MqStatIn describes the queue name from the mqueue directory dir: its inode (mode, owner, times)
// and the status line the kernel gives as its content. It uses plain system calls: an os.File
// would register each queue with the poller, which costs more than the rest in a long listing.
// A queue the caller may not read is described from the directory alone (StatusRead false).
//
// The times are taken before the status is read, and reading it makes the kernel set the queue's
// ctime (and atime) to now: see mqTimes for how an earlier read is told from a real change.
func MqStatIn(dir, name string) (MqInfo, error) {
	if err := ValidName(name); err != nil {
		return MqInfo{}, err
	}
	fd, err := unix.Open(filepath.Join(dir, name[1:]), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EACCES) {
		var st unix.Stat_t
		if err := unix.Fstatat(unix.AT_FDCWD, filepath.Join(dir, name[1:]), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return MqInfo{}, &os.PathError{Op: "stat", Path: name, Err: err}
		}
		return mqInfoOf(name, &st), nil
	}
	if err != nil {
		return MqInfo{}, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return MqInfo{}, err
	}
	info := mqInfoOf(name, &st)
	var buf [256]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return MqInfo{}, err
	}
	info.StatusRead = true
	for _, kv := range strings.Fields(string(buf[:n])) {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			continue
		}
		x, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "QSIZE":
			info.Bytes = x
		case "NOTIFY_PID":
			info.NotifyPID = int(x)
		case "SIGNO":
			info.Signo = int(x)
		}
	}
	return info, nil
}

func mqInfoOf(name string, st *unix.Stat_t) MqInfo {
	ctime, mtime := mqTimes(st)
	return MqInfo{Name: name, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid, CTime: ctime, MTime: mtime,
		Dev: st.Dev, Ino: st.Ino}
}

// mqTimes returns a queue's ctime and mtime. The kernel sets a queue's mtime and ctime on creation
// and on every send and receive, ctime alone on chmod/chown, and atime and ctime together (the
// same instant) whenever its status file is read (ipcx mq ls/stat, cat /dev/mqueue/q). When atime
// equals ctime and differs from mtime, the last ctime change was such a read, not a change of the
// queue: ctime is then reported as mtime (creation or last send/receive), so that looking at a
// queue does not change what is reported. A chmod/chown followed by a read is reported as mtime.
func mqTimes(st *unix.Stat_t) (ctime, mtime time.Time) {
	mtime = time.Unix(st.Mtim.Unix()).UTC()
	ctime = time.Unix(st.Ctim.Unix()).UTC()
	if st.Atim == st.Ctim && st.Ctim != st.Mtim {
		ctime = mtime
	}
	return ctime, mtime
}
