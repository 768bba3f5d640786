//go:build linux

package posix

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SemStatAt describes the named semaphore name whose file is path (a glibc sem.NAME file, in Dir
// or in another mount namespace's /dev/shm seen through /proc/PID/root), as SemStat does: without
// mapping it and without following a symlink. Value is -1 when the file is not readable as a
// semaphore.
func SemStatAt(path, name string) (SemInfo, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return SemInfo{}, fmt.Errorf("stat %s: %w", name, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return SemInfo{}, fmt.Errorf("stat %s: not a regular file: %w", name, unix.EINVAL)
	}
	return semInfo(name, path, &st), nil
}
