//go:build linux

package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/posix"
	"golang.org/x/sys/unix"
)

// Namespace is the IPC namespace an inventory reads and removes in. The zero value is the calling
// process's own.
type Namespace struct {
	// PID is a process whose IPC namespace and root directory are used; 0 for none.
	PID int
	// File is the ipc namespace file to join (/proc/PID/ns/ipc, or a bind mount of one).
	File string
}

// ErrNoRoot says a namespace given by a file alone has no known root directory, so its POSIX
// semaphores and shared memory cannot be found.
var ErrNoRoot = errors.New("POSIX shm and semaphores need a process's root: give a pid, not a namespace file")

// ParseNamespace reads the --ns argument: a pid, or a path to an ipc namespace file. A path of the
// form /proc/PID/ns/ipc also gives the process's root.
func ParseNamespace(s string) (Namespace, error) {
	if s == "" {
		return Namespace{}, nil
	}
	if pid, err := strconv.Atoi(s); err == nil {
		if pid <= 0 {
			return Namespace{}, fmt.Errorf("invalid pid %d", pid)
		}
		if pid > math.MaxInt32 {
			return Namespace{}, fmt.Errorf("pid %d out of range (a pid is at most %d)", pid, math.MaxInt32)
		}
		return Namespace{PID: pid, File: fmt.Sprintf("/proc/%d/ns/ipc", pid)}, nil
	}
	if !strings.Contains(s, "/") {
		// neither a number nor a path: a typo more likely than a file in the working directory
		return Namespace{}, fmt.Errorf("%q is neither a pid nor a path (a path has a /, as ./%s)", s, s)
	}
	ns := Namespace{File: s}
	if rest, ok := strings.CutPrefix(filepath.Clean(s), "/proc/"); ok {
		if p, ok := strings.CutSuffix(rest, "/ns/ipc"); ok {
			if pid, err := strconv.Atoi(p); err == nil && pid > 0 {
				ns.PID = pid
			}
		}
	}
	return ns, nil
}

// Own reports whether ns is the caller's own namespace.
func (ns Namespace) Own() bool { return ns.File == "" }

// String names the namespace for messages.
func (ns Namespace) String() string {
	switch {
	case ns.Own():
		return "this IPC namespace"
	case ns.PID != 0:
		return fmt.Sprintf("the IPC namespace of pid %d", ns.PID)
	}
	return "the IPC namespace " + ns.File
}

// OpenShmDir opens the namespace's /dev/shm. Another process's is resolved inside its root
// (/proc/PID/root) following no symbolic link: a target whose /dev or /dev/shm is a link (to a
// directory of the host, when read from outside) gives a *posix.SymlinkError naming the link, and
// nothing there is listed or removed. The caller's own /dev/shm is opened as the system has it.
func (ns Namespace) OpenShmDir() (*posix.DirFD, error) {
	switch {
	case ns.Own():
		return posix.OpenDir(posix.Dir)
	case ns.PID != 0:
		d, err := posix.OpenDirInRoot(fmt.Sprintf("/proc/%d/root", ns.PID), posix.Dir)
		var le *posix.SymlinkError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("in the root of pid %d: %w", ns.PID, err)
		}
		return d, err
	}
	return nil, ErrNoRoot
}

// Do runs fn inside the namespace: for another namespace on a locked OS thread that joined it
// with setns(2), and then rejoins the caller's. fn must not start goroutines that make IPC calls:
// only its own thread is in the namespace.
func (ns Namespace) Do(fn func() error) error {
	if ns.Own() {
		return fn()
	}
	target, err := unix.Open(ns.File, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", ns.File, err)
	}
	defer unix.Close(target)
	runtime.LockOSThread()
	self, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/ipc", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("open own ipc namespace: %w", err)
	}
	defer unix.Close(self)
	if err := unix.Setns(target, unix.CLONE_NEWIPC); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("setns %s: %w", ns.File, err)
	}
	ferr := fn()
	if err := unix.Setns(self, unix.CLONE_NEWIPC); err != nil {
		// The thread stays locked, so the runtime ends it with this goroutine rather than
		// handing it to other code in the wrong namespace.
		return errors.Join(ferr, fmt.Errorf("rejoin own ipc namespace: %w", err))
	}
	runtime.UnlockOSThread()
	return ferr
}

// mqueueDir returns an mqueue directory of the namespace the calling thread is in. For another
// namespace it is always a fresh detached mount: a mounted /dev/mqueue belongs to the namespace
// that mounted it.
func (ns Namespace) mqueueDir() (string, func(), error) {
	if ns.Own() {
		return posix.MqueueDir()
	}
	return posix.DetachedMqueue()
}

// alive reports whether pid is a live process (zombies count as gone).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Open("/proc/"+strconv.Itoa(pid)+"/stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	// One read is the whole line (a single_open file), or at least past the comm (at most 64
	// bytes), whose last ')' is the line's.
	var buf [1024]byte
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, buf[:]) })
	if err != nil {
		return false
	}
	b := buf[:n]
	// pid (comm) S ...: the state follows the last ')'.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// What a failure of Do (or of what ran inside it) says about the namespace asked for: the
// process or file is missing (ENOENT, ESRCH), entering it was refused (EPERM, EACCES), or the file
// is not an IPC namespace (EINVAL).
func NSMissing(err error) bool { return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) }

// NSDenied: see NSMissing.
func NSDenied(err error) bool { return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) }

// NSNotIPC: see NSMissing.
func NSNotIPC(err error) bool { return errors.Is(err, unix.EINVAL) }

// Gone reports whether err from Remove says the object no longer exists (removed meanwhile, or
// its id reused by another object).
func Gone(err error) bool { return errors.Is(err, unix.ENOENT) }
