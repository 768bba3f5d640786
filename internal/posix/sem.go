//go:build linux

package posix

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// glibc's named semaphore (64-bit, little-endian), as sem_open(3) creates it in /dev/shm/sem.NAME:
//
//	offset 0  uint64 data: low 32 bits the value, high 32 bits the number of waiters
//	offset 8  int32  private: 128 (glibc's FUTEX_SHARED), so futex calls go without the
//	                 private flag and work across processes
//	offset 12 zeros up to 32 bytes (sizeof(sem_t))
//
// post adds 1 to the value with a CAS and, when the waiter count is not zero, wakes one waiter
// (FUTEX_WAKE on the low word). wait takes 1 when the value is not zero; otherwise it registers as
// a waiter (adds 1<<32), sleeps in FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME on the low word while it
// reads 0, and on waking takes a unit and unregisters in one CAS; on timeout or error it only
// unregisters. See glibc nptl/sem_waitcommon.c and sem_post.c.
const (
	// SemSize is sizeof(sem_t): the size of the semaphore file.
	SemSize = 32
	// SemValueMax is SEM_VALUE_MAX.
	SemValueMax = 0x7fffffff

	semShared     = 128
	semValueMask  = 1<<32 - 1
	semWaiterUnit = 1 << 32

	futexWake          = 1
	futexWaitBitset    = 9
	futexClockRealtime = 256
	futexBitsetAny     = 0xffffffff
)

// semWaitSlice bounds each futex sleep so that a cancelled context is noticed; a post still wakes the
// waiter at once, through the futex. It is a variable so that tests can make it long and check that
// a wake-up came through the futex, not through the end of a slice.
var semWaitSlice = 100 * time.Millisecond

// Sem is an open named semaphore: its 32-byte file mapped shared.
type Sem struct {
	name     string
	mem      []byte
	readOnly bool // mapped PROT_READ by SemOpenReadOnly: Value and Waiters only
}

// SemNameMax is the longest semaphore name, without the leading slash: the file name sem.NAME must
// fit in NAME_MAX (255) bytes, as glibc's sem_open(3) requires (ENAMETOOLONG otherwise).
const SemNameMax = NameMax - len(semPrefix)

// ValidSemName checks a semaphore name: a valid POSIX IPC name of at most SemNameMax bytes.
func ValidSemName(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if len(name)-1 > SemNameMax {
		return fmt.Errorf("%w: a semaphore name is at most %d bytes (its file is %s%s in %s), this one is %d",
			ErrBadName, SemNameMax, semPrefix, "NAME", Dir, len(name)-1)
	}
	return nil
}

func semPath(name string) (string, error) {
	if err := ValidSemName(name); err != nil {
		return "", err
	}
	return Dir + "/" + semPrefix + name[1:], nil
}

// SemOpen opens the named semaphore name ("/name") as glibc's sem_open(3) does. With O_CREAT in
// flags it creates the semaphore with value when it does not exist, atomically: the 32-byte image is written to a temporary file that is then linked to the
// final name, so no process ever sees a half-made semaphore and an existing one is never
// overwritten. With O_CREAT|O_EXCL an existing semaphore is EEXIST. Symlinks are not followed; a
// file that is not regular or shorter than 32 bytes is refused (EINVAL) rather than mapped.
//
// Unlike glibc, a new semaphore gets exactly mode, whatever the umask (ipcx sets the modes users
// ask for); the mode is set before the semaphore appears under its name.
func SemOpen(name string, flags int, mode uint32, value uint) (*Sem, error) {
	path, err := semPath(name)
	if err != nil {
		return nil, err
	}
	if flags&unix.O_CREAT != 0 && value > SemValueMax {
		return nil, fmt.Errorf("sem_open %s: value %d over SEM_VALUE_MAX: %w", name, value, unix.EINVAL)
	}
	for {
		if flags&(unix.O_CREAT|unix.O_EXCL) != unix.O_CREAT|unix.O_EXCL {
			mem, err := semMapExisting(path)
			if err == nil {
				return &Sem{name: name, mem: mem}, nil
			}
			if err != unix.ENOENT || flags&unix.O_CREAT == 0 {
				return nil, fmt.Errorf("sem_open %s: %w", name, err)
			}
		}
		mem, err := semCreate(path, mode, uint32(value))
		if err == nil {
			return &Sem{name: name, mem: mem}, nil
		}
		if err == unix.EEXIST && flags&unix.O_EXCL == 0 {
			continue // another process made it first: open theirs
		}
		return nil, fmt.Errorf("sem_open %s: %w", name, err)
	}
}

// SemOpenReadOnly opens the existing semaphore name to read its value, needing only read
// permission: the file is opened O_RDONLY and mapped PROT_READ (glibc's sem_open always asks for
// both, so sem_getvalue of a semaphore one may only read fails with EACCES). Post and the waits
// of such a Sem fail with EBADF.
func SemOpenReadOnly(name string) (*Sem, error) {
	path, err := semPath(name)
	if err != nil {
		return nil, err
	}
	mem, err := semMap(path, false)
	if err != nil {
		return nil, fmt.Errorf("sem_open %s: %w", name, err)
	}
	return &Sem{name: name, mem: mem, readOnly: true}, nil
}

func semMapExisting(path string) ([]byte, error) { return semMap(path, true) }

func semMap(path string, write bool) ([]byte, error) {
	flags, prot := unix.O_RDONLY, unix.PROT_READ
	if write {
		flags, prot = unix.O_RDWR, unix.PROT_READ|unix.PROT_WRITE
	}
	fd, err := unix.Open(path, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < SemSize {
		return nil, unix.EINVAL // mapping a short file would SIGBUS on first touch
	}
	return unix.Mmap(fd, 0, SemSize, prot, unix.MAP_SHARED)
}

func semCreate(path string, mode uint32, value uint32) ([]byte, error) {
	var img [SemSize]byte
	binary.NativeEndian.PutUint64(img[0:], uint64(value))
	binary.NativeEndian.PutUint32(img[8:], semShared)
	dir := path[:strings.LastIndexByte(path, '/')+1]
	for {
		tmp := dir + semPrefix + tempSuffix()
		fd, err := unix.Open(tmp, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode&0o777)
		if err == unix.EEXIST {
			continue
		}
		if err != nil {
			return nil, err
		}
		err = unix.Fchmod(fd, mode&0o777) // exactly the mode asked for, whatever the umask
		var mem []byte
		if err == nil {
			mem, err = semFill(fd, img[:])
		}
		if err == nil {
			err = unix.Link(tmp, path)
		}
		unix.Unlink(tmp)
		unix.Close(fd)
		if err != nil {
			if mem != nil {
				unix.Munmap(mem)
			}
			return nil, err
		}
		return mem, nil
	}
}

func semFill(fd int, img []byte) ([]byte, error) {
	for len(img) > 0 {
		n, err := unix.Write(fd, img)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		img = img[n:]
	}
	return unix.Mmap(fd, 0, SemSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}

// tempSuffix returns six random characters for a temporary name, as mkstemp does.
func tempSuffix() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [6]byte
	for i := range b {
		b[i] = chars[rand.IntN(len(chars))]
	}
	return string(b[:])
}

// SemUnlink removes the named semaphore; processes that have it open keep using it. See
// sem_unlink(3).
func SemUnlink(name string) error {
	path, err := semPath(name)
	if err != nil {
		return err
	}
	if err := unix.Unlink(path); err != nil {
		return fmt.Errorf("sem_unlink %s: %w", name, err)
	}
	return nil
}

// Name returns the semaphore's name as given to SemOpen.
func (s *Sem) Name() string { return s.name }

// Close unmaps the semaphore (sem_close(3)); it stays in /dev/shm.
func (s *Sem) Close() error {
	if s.mem == nil {
		return nil
	}
	err := unix.Munmap(s.mem)
	s.mem = nil
	return err
}

func (s *Sem) data() *uint64 { return (*uint64)(unsafe.Pointer(&s.mem[0])) }

// Value returns the current value (sem_getvalue(3)); -1 when the file was truncated (see
// ErrTruncated).
func (s *Sem) Value() int {
	d, err := s.load()
	if err != nil {
		return -1
	}
	return int(d & semValueMask)
}

// Waiters returns the number of processes or threads registered as waiting; -1 when the file was
// truncated.
func (s *Sem) Waiters() int {
	d, err := s.load()
	if err != nil {
		return -1
	}
	return int(d >> 32)
}

// load reads the value word, ErrTruncated when the file shrank under the mapping.
func (s *Sem) load() (d uint64, err error) {
	defer faultGuard()()
	defer guarded(&err, "sem_getvalue "+s.name)
	return atomic.LoadUint64(s.data()), nil
}

// Post adds n to the value (sem_post(3) n times, in one step) and wakes up to n waiters. It fails
// with EOVERFLOW, changing nothing, when the value would pass SemValueMax.
func (s *Sem) Post(n int) (err error) {
	defer faultGuard()()
	defer guarded(&err, "sem_post "+s.name)
	if n < 1 || n > SemValueMax {
		return fmt.Errorf("sem_post %s: count %d: %w", s.name, n, unix.EINVAL)
	}
	if s.readOnly {
		return fmt.Errorf("sem_post %s: opened read-only: %w", s.name, unix.EBADF)
	}
	p := s.data()
	for {
		d := atomic.LoadUint64(p)
		if d&semValueMask+uint64(n) > SemValueMax {
			return fmt.Errorf("sem_post %s: %w", s.name, unix.EOVERFLOW)
		}
		if atomic.CompareAndSwapUint64(p, d, d+uint64(n)) {
			if d>>32 > 0 {
				s.futex(futexWake, uint32(n), nil)
			}
			return nil
		}
	}
}

// TryWait takes one unit if the value is not zero, and fails with EAGAIN otherwise
// (sem_trywait(3)).
func (s *Sem) TryWait() (err error) {
	defer faultGuard()()
	defer guarded(&err, "sem_trywait "+s.name)
	if s.readOnly {
		return fmt.Errorf("sem_trywait %s: opened read-only: %w", s.name, unix.EBADF)
	}
	p := s.data()
	for {
		d := atomic.LoadUint64(p)
		if d&semValueMask == 0 {
			return fmt.Errorf("sem_trywait %s: %w", s.name, unix.EAGAIN)
		}
		if atomic.CompareAndSwapUint64(p, d, d-1) {
			return nil
		}
	}
}

// Wait takes one unit, blocking while the value is zero (sem_wait(3)). It returns unix.ETIMEDOUT
// when ctx's deadline passes first and ctx.Err() when ctx is cancelled; signals are retried. A file
// truncated by another process, also during the wait, ends it with ErrTruncated (each futex sleep
// lasts at most semWaitSlice, after which the value word is touched again).
func (s *Sem) Wait(ctx context.Context) (err error) {
	defer faultGuard()()
	defer guarded(&err, "sem_wait "+s.name)
	if err := s.TryWait(); err == nil || errors.Is(err, unix.EBADF) {
		return err
	}
	deadline, hasDeadline := ctx.Deadline()
	p := s.data()
	d := atomic.AddUint64(p, semWaiterUnit)
	for {
		if d&semValueMask != 0 {
			if atomic.CompareAndSwapUint64(p, d, d-1-semWaiterUnit) {
				return nil
			}
			d = atomic.LoadUint64(p)
			continue
		}
		now := time.Now()
		if err := ctx.Err(); err != nil || hasDeadline && !now.Before(deadline) {
			atomic.AddUint64(p, ^uint64(semWaiterUnit-1))
			if err == nil || err == context.DeadlineExceeded {
				return fmt.Errorf("sem_timedwait %s: %w", s.name, unix.ETIMEDOUT)
			}
			return fmt.Errorf("sem_wait %s: %w", s.name, err)
		}
		end := now.Add(semWaitSlice)
		if hasDeadline && deadline.Before(end) {
			end = deadline
		}
		ts := unix.NsecToTimespec(end.UnixNano())
		switch err := s.futex(futexWaitBitset|futexClockRealtime, 0, &ts); err {
		case 0, unix.EAGAIN, unix.EINTR, unix.ETIMEDOUT:
			// woken, the value changed, a signal, or the slice ended: look again
		case unix.EFAULT:
			return fmt.Errorf("sem_wait %s: %w", s.name, ErrTruncated) // the page is gone
		default:
			atomic.AddUint64(p, ^uint64(semWaiterUnit-1))
			return fmt.Errorf("sem_wait %s: futex: %w", s.name, err)
		}
		d = atomic.LoadUint64(p)
	}
}

// futex calls futex(2) on the value word, shared between processes (no FUTEX_PRIVATE_FLAG).
func (s *Sem) futex(op int, val uint32, ts *unix.Timespec) unix.Errno {
	_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&s.mem[0])), uintptr(op),
		uintptr(val), uintptr(unsafe.Pointer(ts)), 0, futexBitsetAny)
	return errno
}

// SemInfo describes a named semaphore.
type SemInfo struct {
	Name    string // "/name"
	Value   int    // -1 when the file is not a valid semaphore
	Waiters int
	Mode    uint32 // permission bits
	UID     uint32
	GID     uint32
	Mtime   time.Time
	Ctime   time.Time
}

// SemStat describes the semaphore name, reading its file without mapping it and without following
// a symlink.
func SemStat(name string) (*SemInfo, error) {
	path, err := semPath(name)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", name, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil, fmt.Errorf("stat %s: a symbolic link: %w", name, unix.ELOOP) // as open with O_NOFOLLOW says
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("stat %s: not a regular file: %w", name, unix.EINVAL)
	}
	info := semInfo(name, path, &st)
	return &info, nil
}

func semInfo(name, path string, st *unix.Stat_t) SemInfo {
	info := SemInfo{
		Name: name, Value: -1, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid,
		Mtime: time.Unix(st.Mtim.Unix()), Ctime: time.Unix(st.Ctim.Unix()),
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return info
	}
	defer unix.Close(fd)
	var b [8]byte
	if n, err := unix.Pread(fd, b[:], 0); err == nil && n == 8 && st.Size >= SemSize {
		d := binary.NativeEndian.Uint64(b[:])
		info.Value, info.Waiters = int(d&semValueMask), int(d>>32)
	}
	return info
}

// SemList lists the named semaphores in Dir (glibc's sem.* files), sorted by name.
func SemList() ([]SemInfo, error) {
	var out []SemInfo
	err := eachShmFile(func(file string, st *unix.Stat_t) {
		if name, ok := strings.CutPrefix(file, semPrefix); ok && name != "" {
			out = append(out, semInfo("/"+name, Dir+"/"+file, st))
		}
	})
	return out, err
}
