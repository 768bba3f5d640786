//go:build linux

package posix

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// SymlinkError says a directory on the way to a file is a symbolic link that was not followed:
// inside another process's root (/proc/PID/root) a link is resolved by whoever reads it, against
// the reader's root, so an absolute link planted there points into the reader's file system.
type SymlinkError struct {
	Path   string // the link, as seen inside the root ("/dev/shm")
	Target string // what it points to ("" when it could not be read)
}

func (e *SymlinkError) Error() string {
	if e.Target == "" {
		return fmt.Sprintf("%s is a symbolic link: not followed", e.Path)
	}
	return fmt.Sprintf("%s is a symbolic link to %s: not followed", e.Path, e.Target)
}

// Unwrap makes a SymlinkError unix.ELOOP, as openat2(2) says it with RESOLVE_NO_SYMLINKS.
func (e *SymlinkError) Unwrap() error { return unix.ELOOP }

// DirFD is an open directory whose entries are listed, examined and removed relative to its
// descriptor (getdents, fstatat, openat, unlinkat with AT_SYMLINK_NOFOLLOW or O_NOFOLLOW): a name
// is never turned back into a path for the kernel to resolve again from the caller's root.
type DirFD struct {
	fd   int
	Path string // the directory as seen inside its root, for messages ("/dev/shm")
}

// OpenDir opens dir, an absolute path resolved the ordinary way (the caller's own /dev/shm may be
// a symlink its administrator made).
func OpenDir(dir string) (*DirFD, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	return &DirFD{fd: fd, Path: dir}, nil
}

// OpenDirInRoot opens the directory dir (absolute, such as "/dev/shm") inside root (such as
// /proc/PID/root, the root directory of another process), resolving it there and following no
// symbolic link on the way: openat2(2) with RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS and
// RESOLVE_NO_SYMLINKS. A link on the way is a *SymlinkError naming it and its target. On a kernel
// without openat2 (before 5.6) the components are opened one by one with O_NOFOLLOW, which is as
// strict.
func OpenDirInRoot(root, dir string) (*DirFD, error) {
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	defer unix.Close(rfd)
	rel := strings.TrimPrefix(path.Clean("/"+dir), "/")
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_SYMLINKS}
	fd, err := unix.Openat2(rfd, rel, &how)
	switch {
	case err == nil:
		return &DirFD{fd: fd, Path: "/" + strings.TrimPrefix(rel, ".")}, nil
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.ENOTDIR):
		// Which component is the link (or, without openat2, the walk itself).
		return walkInRoot(rfd, rel)
	}
	return nil, fmt.Errorf("open %s in %s: %w", dir, root, err)
}

// walkInRoot opens rel below rfd one component at a time, never following a link.
func walkInRoot(rfd int, rel string) (*DirFD, error) {
	cur, err := unix.Dup(rfd)
	if err != nil {
		return nil, err
	}
	seen := ""
	comps := strings.Split(rel, "/")
	for i, c := range comps {
		seen += "/" + c
		var st unix.Stat_t
		if err := unix.Fstatat(cur, c, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			unix.Close(cur)
			return nil, fmt.Errorf("open %s: %w", seen, err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			target := ""
			buf := make([]byte, unix.PathMax)
			if n, err := unix.Readlinkat(cur, c, buf); err == nil {
				target = string(buf[:n])
			}
			unix.Close(cur)
			return nil, &SymlinkError{Path: seen, Target: target}
		}
		flags := unix.O_PATH
		if i == len(comps)-1 {
			flags = unix.O_RDONLY
		}
		next, err := unix.Openat(cur, c, flags|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(cur)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", seen, err)
		}
		cur = next
	}
	return &DirFD{fd: cur, Path: seen}, nil
}

// Close closes the directory.
func (d *DirFD) Close() error { return unix.Close(d.fd) }

// ProcPath is the directory as /proc/self/fd/N: a path that reaches this very directory, for
// code that takes paths, without resolving its name again. A name joined to it is still resolved
// by the kernel, so the caller must not follow a link found there (O_NOFOLLOW, lstat, unlink).
func (d *DirFD) ProcPath() string { return fmt.Sprintf("/proc/self/fd/%d", d.fd) }

// Names returns the names of the directory's entries (not "." and ".."), unsorted.
func (d *DirFD) Names() ([]string, error) {
	// A duplicate, so that os.File may own (and close) it; reading starts at offset 0.
	fd, err := unix.Dup(d.fd)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.Path, err)
	}
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("read %s: %w", d.Path, err)
	}
	f := os.NewFile(uintptr(fd), d.Path)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.Path, err)
	}
	return names, nil
}

// Lstat describes the entry name without following it. See fstatat(2).
func (d *DirFD) Lstat(name string) (unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return st, fmt.Errorf("stat %s/%s: %w", d.Path, name, err)
	}
	return st, nil
}

// Readlink returns the target of the symbolic link name. See readlinkat(2).
func (d *DirFD) Readlink(name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(d.fd, name, buf)
	if err != nil {
		return "", fmt.Errorf("readlink %s/%s: %w", d.Path, name, err)
	}
	return string(buf[:n]), nil
}

// UnlinkRegular removes the entry name if it is still the regular file with the given device and
// inode: a symbolic link, a directory or another file put there meanwhile is left alone
// (unix.EINVAL for a file that is not regular, unix.ENOENT for another one). See unlinkat(2).
func (d *DirFD) UnlinkRegular(name string, dev, ino uint64) error {
	st, err := d.Lstat(name)
	if err != nil {
		return fmt.Errorf("unlink %s/%s: %w", d.Path, name, unwrapAll(err))
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("unlink %s/%s: not a regular file: %w", d.Path, name, unix.EINVAL)
	}
	if (dev != 0 || ino != 0) && (st.Dev != dev || st.Ino != ino) {
		return fmt.Errorf("unlink %s/%s: replaced by another file meanwhile: %w", d.Path, name, unix.ENOENT)
	}
	if err := unix.Unlinkat(d.fd, name, 0); err != nil {
		return fmt.Errorf("unlink %s/%s: %w", d.Path, name, err)
	}
	return nil
}

// SemStat describes the named semaphore name whose file is the entry file (glibc's sem.NAME), as
// SemStatAt does, opened relative to the directory without following a link.
func (d *DirFD) SemStat(file, name string) (SemInfo, error) {
	st, err := d.Lstat(file)
	if err != nil {
		return SemInfo{}, fmt.Errorf("stat %s: %w", name, unwrapAll(err))
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return SemInfo{}, fmt.Errorf("stat %s: not a regular file: %w", name, unix.EINVAL)
	}
	info := SemInfo{
		Name: name, Value: -1, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid,
		Mtime: time.Unix(st.Mtim.Unix()), Ctime: time.Unix(st.Ctim.Unix()),
	}
	fd, err := unix.Openat(d.fd, file, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return info, nil
	}
	defer unix.Close(fd)
	var fst unix.Stat_t
	if unix.Fstat(fd, &fst) != nil || fst.Ino != st.Ino || fst.Mode&unix.S_IFMT != unix.S_IFREG {
		return info, nil
	}
	var b [8]byte
	if n, err := unix.Pread(fd, b[:], 0); err == nil && n == 8 && fst.Size >= SemSize {
		v := binary.NativeEndian.Uint64(b[:])
		info.Value, info.Waiters = int(v&semValueMask), int(v>>32)
	}
	return info, nil
}

// unwrapAll returns the errno at the bottom of err, or err.
func unwrapAll(err error) error {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return err
}
