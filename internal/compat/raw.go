//go:build linux

package compat

// The calls ipcrm and ipcmk make, as util-linux makes them through glibc: the System V calls
// with util-linux's arguments, and glibc's shm_open, shm_unlink, mq_open, mq_unlink, sem_open and
// sem_unlink with glibc's name rules (see glibc's __shm_get_name). The compat tools must fail
// where util-linux fails, with the same errno, so these are not ipcx's safer wrappers.

import (
	"encoding/binary"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// IPC_* commands x/sys does not name.
const (
	ipcRmid = 0
	msgStat = 11
	msgInfo = 12
	shmStat = 13
	shmInfo = 14
	semStat = 18
	semInfo = 19
)

func errno(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func msgctl(id, cmd int, buf unsafe.Pointer) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_MSGCTL, uintptr(id), uintptr(cmd), uintptr(buf))
	return int(r), errno(e)
}

func shmctl(id, cmd int, buf unsafe.Pointer) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_SHMCTL, uintptr(id), uintptr(cmd), uintptr(buf))
	return int(r), errno(e)
}

func semctl(id, num, cmd int, arg unsafe.Pointer) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), uintptr(num), uintptr(cmd), uintptr(arg), 0, 0)
	return int(r), errno(e)
}

// ipcGet is msgget(2), shmget(2) or semget(2) with util-linux's arguments.
func msgget(key int32, flags int) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_MSGGET, uintptr(key), uintptr(flags), 0)
	return int(r), errno(e)
}

func shmget(key int32, size uint64, flags int) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_SHMGET, uintptr(key), uintptr(size), uintptr(flags))
	return int(r), errno(e)
}

func semget(key int32, nsems, flags int) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_SEMGET, uintptr(key), uintptr(nsems), uintptr(flags))
	return int(r), errno(e)
}

// rmid is IPC_RMID on a queue ("msg"), a segment ("shm") or a semaphore set ("sem").
func rmid(kind string, id int) error {
	var err error
	switch kind {
	case "shm":
		_, err = shmctl(id, ipcRmid, nil)
	case "msg":
		_, err = msgctl(id, ipcRmid, nil)
	default:
		_, err = semctl(id, 0, ipcRmid, nil)
	}
	return err
}

// statAll returns the ids ipcrm -a visits for kind: *_STAT of every index up to what *_INFO
// says, skipping those that fail (unreadable ones among them).
func statAll(kind string) ([]int, error) {
	var buf [512]byte
	p := unsafe.Pointer(&buf[0])
	var info, stat func(int) (int, error)
	switch kind {
	case "shm":
		info = func(i int) (int, error) { return shmctl(i, shmInfo, p) }
		stat = func(i int) (int, error) { return shmctl(i, shmStat, p) }
	case "msg":
		info = func(i int) (int, error) { return msgctl(i, msgInfo, p) }
		stat = func(i int) (int, error) { return msgctl(i, msgStat, p) }
	default:
		info = func(i int) (int, error) { return semctl(i, 0, semInfo, p) }
		stat = func(i int) (int, error) { return semctl(i, 0, semStat, p) }
	}
	maxid, err := info(0)
	if err != nil {
		return nil, err
	}
	var ids []int
	for i := 0; i <= maxid; i++ {
		if id, err := stat(i); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// shmPath is glibc's __shm_get_name: the file in dir of a POSIX shared memory object (prefix
// "") or semaphore (prefix "sem."), or EINVAL.
func shmPath(dir, name, prefix string) (string, error) {
	n := strings.TrimLeft(name, "/")
	if n == "" || len(prefix)+len(n)+1 >= 255 || strings.Contains(n, "/") {
		return "", unix.EINVAL
	}
	if dir == "" {
		return "", unix.ENOENT // another namespace's /dev/shm that could not be opened safely
	}
	return dir + "/" + prefix + n, nil
}

func eaccesForEperm(err error) error {
	if err == unix.EPERM {
		return unix.EACCES
	}
	return err
}

// shmUnlink is glibc's shm_unlink(3) (prefix "") or sem_unlink(3) (prefix "sem.").
func shmUnlink(dir, name, prefix string) error {
	path, err := shmPath(dir, name, prefix)
	if err != nil {
		return err
	}
	return eaccesForEperm(unix.Unlink(path))
}

// mqName is glibc's check of a queue name: it must start with a slash, which the kernel is not
// given.
func mqName(name string) (*byte, error) {
	if !strings.HasPrefix(name, "/") {
		return nil, unix.EINVAL
	}
	return unix.BytePtrFromString(name[1:])
}

// mqUnlink is glibc's mq_unlink(3).
func mqUnlink(name string) error {
	p, err := mqName(name)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(p)), 0, 0)
	return eaccesForEperm(errno(e))
}

// mqOpenCreate is glibc's mq_open(name, O_RDWR|O_CREAT, mode, NULL), closed at once.
func mqOpenCreate(name string, mode uint32) error {
	p, err := mqName(name)
	if err != nil {
		return err
	}
	r, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)), uintptr(unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC), uintptr(mode), 0, 0, 0)
	if e != 0 {
		return e
	}
	unix.Close(int(r))
	return nil
}

// shmOpenCreate is glibc's shm_open(name, O_RDWR|O_CREAT, mode) and ftruncate(size).
func shmOpenCreate(dir, name string, size uint64, mode uint32) error {
	path, err := shmPath(dir, name, "")
	if err != nil {
		return err
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if int64(size) < 0 {
		return unix.EINVAL
	}
	return unix.Ftruncate(fd, int64(size))
}

// semOpenCreate is glibc's sem_open(name, O_CREAT, mode, 0): an existing semaphore is opened
// (it must be readable and writable); a new one is written to a temporary file made with mode
// (the umask applies) and linked to its name.
func semOpenCreate(dir, name string, mode uint32) error {
	path, err := shmPath(dir, name, "sem.")
	if err != nil {
		return err
	}
	for {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
			return nil
		}
		if err != unix.ENOENT {
			return err
		}
		var b [8]byte
		if _, err := unix.Getrandom(b[:], 0); err != nil {
			return err
		}
		tmp := dir + "/sem." + string(encode64(binary.NativeEndian.Uint64(b[:])))[:6]
		fd, err = unix.Open(tmp, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
		if err == unix.EEXIST {
			continue
		}
		if err != nil {
			return err
		}
		var img [32]byte // value 0, no waiters, shared
		_, werr := unix.Write(fd, img[:])
		unix.Close(fd)
		if werr == nil {
			werr = unix.Link(tmp, path)
		}
		unix.Unlink(tmp)
		if werr == unix.EEXIST {
			continue // made meanwhile: open that one
		}
		return werr
	}
}

func encode64(n uint64) []byte {
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	var out []byte
	for i := 0; i < 8; i++ {
		out = append(out, digits[n%uint64(len(digits))])
		n /= uint64(len(digits))
	}
	return out
}
