//go:build linux

package posix

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Dir is the tmpfs where glibc keeps POSIX shared memory objects and named semaphores.
const Dir = "/dev/shm"

// semPrefix starts the file name glibc's sem_open gives a semaphore in Dir.
const semPrefix = "sem."

func shmPath(name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", err
	}
	return Dir + name, nil
}

// ShmOpen opens the shared memory object name ("/name") the way glibc's shm_open(3) does:
// open(2) of /dev/shm/name with flags plus O_NOFOLLOW and O_CLOEXEC, so a symlink planted in
// /dev/shm is refused (ELOOP) rather than followed. flags take O_RDONLY or O_RDWR, O_CREAT, O_EXCL
// and O_TRUNC; mode applies when it creates (filtered by the umask). The object is created empty:
// give it a size with Truncate.
func ShmOpen(name string, flags int, mode uint32) (*os.File, error) {
	path, err := shmPath(name)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(path, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
	if err != nil {
		return nil, fmt.Errorf("shm_open %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("shm_open %s: fstat: %w", name, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		f.Close()
		return nil, fmt.Errorf("shm_open %s: not a regular file: %w", name, unix.EINVAL)
	}
	return f, nil
}

// ShmCreateOptions say how ShmCreate makes an object.
type ShmCreateOptions struct {
	Mode      uint32 // permission bits, set exactly (fchmod) unless Umask
	Umask     bool   // let the umask narrow Mode, as shm_open(3) does
	Size      int64  // the size of a new object
	Exclusive bool   // refuse an object that exists (EEXIST) instead of opening it
}

// ShmCreate creates the object name with o.Mode and o.Size and returns it open read-write
// (created true). An object that exists is opened read-only as it is (created false), or refused
// with EEXIST when o.Exclusive. A new object that cannot get its mode or size (a full /dev/shm:
// ENOSPC or EFBIG) is removed again, so nothing half-made stays behind.
func ShmCreate(name string, o ShmCreateOptions) (f *os.File, created bool, err error) {
	f, err = ShmOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, o.Mode)
	if errors.Is(err, unix.EEXIST) && !o.Exclusive {
		f, err = ShmOpen(name, unix.O_RDONLY, 0)
		return f, false, err
	}
	if err != nil {
		return nil, false, err
	}
	if !o.Umask {
		if err = unix.Fchmod(int(f.Fd()), o.Mode); err != nil {
			err = fmt.Errorf("fchmod %s: %w", name, err)
		}
	}
	if err == nil {
		if err = unix.Ftruncate(int(f.Fd()), o.Size); err != nil {
			err = fmt.Errorf("ftruncate %s to %d: %w", name, o.Size, err)
		}
	}
	if err != nil {
		f.Close()
		ShmUnlink(name)
		return nil, true, err
	}
	return f, true, nil
}

// ShmUnlink removes the object name; processes that have it open or mapped keep it until they let
// go. See shm_unlink(3).
func ShmUnlink(name string) error {
	path, err := shmPath(name)
	if err != nil {
		return err
	}
	if err := unix.Unlink(path); err != nil {
		return fmt.Errorf("shm_unlink %s: %w", name, err)
	}
	return nil
}

// ShmResize sets the size of the object name (ftruncate(2)): growing adds zeros, shrinking drops
// the tail.
func ShmResize(name string, size int64) error {
	f, err := ShmOpen(name, unix.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Ftruncate(int(f.Fd()), size); err != nil {
		return fmt.Errorf("ftruncate %s to %d: %w", name, size, err)
	}
	return nil
}

// ShmMap maps size bytes of f from offset off (any offset: the mapping starts at the page below),
// shared, writable when write is set. unmap releases it; size 0 maps nothing. Another process may
// truncate the object: touching a page past its new end raises SIGBUS, so read and write the
// mapping with MappedCopy, which turns that into ErrTruncated.
func ShmMap(f *os.File, off, size int64, write bool) (data []byte, unmap func() error, err error) {
	if size == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	prot := unix.PROT_READ
	if write {
		prot |= unix.PROT_WRITE
	}
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	b, err := unix.Mmap(int(f.Fd()), start, int(size+off-start), prot, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %s: %w", f.Name(), err)
	}
	return b[off-start:], func() error { return unix.Munmap(b) }, nil
}

// ShmWriteAt writes b into f at off with pwrite(2) and returns how much it wrote, also when it
// stops midway (a full /dev/shm): os.File's WriteAt reports 0 bytes written when its second
// pwrite fails after a first short one.
func ShmWriteAt(f *os.File, b []byte, off int64) (int, error) {
	fd, n := int(f.Fd()), 0
	for n < len(b) {
		k, err := unix.Pwrite(fd, b[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("pwrite %s at %d: %w", f.Name(), off+int64(n), err)
		}
		n += k
	}
	return n, nil
}

// ShmZero clears length bytes of f from off. It punches a hole (fallocate(2)), which tmpfs answers
// by freeing the pages (they read back as zeros), and writes zeros where that is refused.
func ShmZero(f *os.File, off, length int64) error {
	if length == 0 {
		return nil
	}
	if unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, length) == nil {
		return nil
	}
	zeros := make([]byte, min(length, 1<<20))
	for length > 0 {
		k := min(length, int64(len(zeros)))
		if _, err := ShmWriteAt(f, zeros[:k], off); err != nil {
			return err
		}
		off, length = off+k, length-k
	}
	return nil
}

// ShmInfo describes a POSIX shared memory object.
type ShmInfo struct {
	Name  string // "/name"
	Size  int64
	Mode  uint32 // permission bits
	UID   uint32
	GID   uint32
	Mtime time.Time // last change of the contents or size
	Ctime time.Time // last change of the inode
}

func infoFromStat(name string, st *unix.Stat_t) ShmInfo {
	return ShmInfo{
		Name: name, Size: st.Size, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid,
		Mtime: time.Unix(st.Mtim.Unix()), Ctime: time.Unix(st.Ctim.Unix()),
	}
}

// ShmStat describes the object name without opening it and without following a symlink.
func ShmStat(name string) (*ShmInfo, error) {
	path, err := shmPath(name)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", name, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("stat %s: not a regular file: %w", name, unix.EINVAL)
	}
	info := infoFromStat(name, &st)
	return &info, nil
}

// ShmList lists the shared memory objects in Dir: its regular files except glibc's semaphores
// (sem.*), sorted by name.
func ShmList() ([]ShmInfo, error) {
	var out []ShmInfo
	err := eachShmFile(func(file string, st *unix.Stat_t) {
		if !strings.HasPrefix(file, semPrefix) {
			out = append(out, infoFromStat("/"+file, st))
		}
	})
	return out, err
}

// eachShmFile calls fn for every regular file in Dir (not following symlinks), sorted by name.
func eachShmFile(fn func(file string, st *unix.Stat_t)) error {
	ents, err := os.ReadDir(Dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", Dir, unwrapPathErr(err))
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, e := range ents {
		var st unix.Stat_t
		if err := unix.Lstat(Dir+"/"+e.Name(), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue // gone meanwhile, or not an object
		}
		fn(e.Name(), &st)
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
