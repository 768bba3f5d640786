//go:build linux

package inventory

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// procDir reads /proc for the holder scan through one descriptor of it, with buffers reused from
// process to process. Paths are relative to it ("PID/maps"), so no lookup starts again at /; the
// calls are unix's, not os's (an os.File tries the runtime's poller: four fcntl and an epoll_ctl
// for each file opened, and os.ReadDir sorts what it reads); directories are read with getdents
// into one buffer.
type procDir struct {
	fd    int
	path  []byte // "PID/rest" while it is built
	buf   []byte // the last file read
	dents []byte // getdents records
	link  []byte // readlinkat's answers
}

func openProcDir() (*procDir, error) {
	fd, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &procDir{fd: fd, buf: make([]byte, 64<<10), dents: make([]byte, 16<<10), link: make([]byte, 512)}, nil
}

func (p *procDir) close() { unix.Close(p.fd) }

// at is "PID/rest", relative to /proc.
func (p *procDir) at(pid int, rest string) string {
	p.path = append(strconv.AppendInt(p.path[:0], int64(pid), 10), '/')
	p.path = append(p.path, rest...)
	return string(p.path)
}

// open opens pid's file rest for reading.
func (p *procDir) open(pid int, rest string, flags int) (int, error) {
	return ignoringEINTR(func() (int, error) {
		return unix.Openat(p.fd, p.at(pid, rest), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY|flags, 0)
	})
}

// readAll reads pid's file rest to its end. The bytes are valid until the next read.
func (p *procDir) readAll(pid int, rest string) ([]byte, error) {
	fd, err := p.open(pid, rest, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for {
		if n == len(p.buf) {
			p.buf = append(p.buf, make([]byte, len(p.buf))...)
		}
		m, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, p.buf[n:]) })
		if err != nil {
			return p.buf[:n], err
		}
		if m == 0 {
			return p.buf[:n], nil
		}
		n += m
	}
}

// readRecord reads pid's file rest that the kernel makes in one piece (stat, status, comm,
// syscall: single_open files, whose first read returns all of it when the buffer holds it), so a
// short read is the whole file and no second read is needed to see its end.
func (p *procDir) readRecord(pid int, rest string) ([]byte, error) {
	fd, err := p.open(pid, rest, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, p.buf) })
	if err != nil {
		return nil, err
	}
	for n == len(p.buf) {
		p.buf = append(p.buf, make([]byte, len(p.buf))...)
		m, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, p.buf[n:]) })
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return p.buf[:n], nil
}

// names calls fn with each name in the directory fd but . and .., in the kernel's order; fn's
// name is valid only during the call. It stops early when fn returns false.
func (p *procDir) names(fd int, fn func(name []byte) bool) error {
	for {
		n, err := ignoringEINTR(func() (int, error) { return unix.Getdents(fd, p.dents) })
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		for b := p.dents[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name NUL-terminated
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				return errors.New("getdents: bad record")
			}
			name := b[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			b = b[reclen:]
			if string(name) == "." || string(name) == ".." {
				continue
			}
			if !fn(name) {
				return nil
			}
		}
	}
}

// readlinkAt reads the link name in the directory fd. The bytes are valid until the next call.
func (p *procDir) readlinkAt(fd int, name []byte) ([]byte, error) {
	n, err := ignoringEINTR(func() (int, error) { return unix.Readlinkat(fd, string(name), p.link) })
	if err != nil {
		return nil, err
	}
	return p.link[:n], nil
}

// pids lists the processes in /proc, in the kernel's order (ascending).
func (p *procDir) pids() ([]int, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Openat(p.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	pids := make([]int, 0, 256)
	err = p.names(fd, func(name []byte) bool {
		if pid, ok := atoi(name); ok {
			pids = append(pids, pid)
		}
		return true
	})
	return pids, err
}

// atoi parses a decimal pid or fd number without allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func ignoringEINTR(fn func() (int, error)) (int, error) {
	for {
		n, err := fn()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// gone reports whether an error reading a process's /proc files says it exited meanwhile.
func gone(err error) bool { return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) }

// denied reports whether an error reading a process's /proc files says it may not be inspected.
func denied(err error) bool { return errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) }

// pfKthread is PF_KTHREAD in the flags of /proc/PID/stat (field 9).
const pfKthread = 0x00200000

// statFlags returns the flags field of a /proc/PID/stat line.
func statFlags(b []byte) (uint64, bool) {
	i := len(b) - 1
	for i >= 0 && b[i] != ')' {
		i--
	}
	if i < 0 {
		return 0, false
	}
	// ") S ppid pgrp session tty_nr tpgid flags": the flags are the 7th field after the comm.
	f := 0
	start := -1
	for j := i + 1; j <= len(b); j++ {
		if j == len(b) || b[j] == ' ' || b[j] == '\n' {
			if start >= 0 {
				f++
				if f == 7 {
					v, err := strconv.ParseUint(string(b[start:j]), 10, 64)
					return v, err == nil
				}
				start = -1
			}
			continue
		}
		if start < 0 {
			start = j
		}
	}
	return 0, false
}
