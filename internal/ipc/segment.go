//go:build linux

package ipc

import (
	"errors"
	"io"
	"os"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// Segment is open shared memory of either flavor: a POSIX object's descriptor, or a System V
// segment attached.
type Segment struct {
	file *os.File // POSIX
	mem  []byte   // System V, attached
	size int64
}

// PosixShmError reads the errnos of opening a POSIX shared memory object: ELOOP is ErrSymlink,
// EINVAL ErrNotRegular.
func PosixShmError(err error) error {
	switch {
	case errors.Is(err, unix.ELOOP):
		return wrap(err, ErrSymlink)
	case errors.Is(err, unix.EINVAL):
		return wrap(err, ErrNotRegular)
	}
	return err
}

// OpenSegment opens the shared memory a names, for writing when write is set: shm_open(3), or
// shmat(2) of the segment (read-only unless write).
func OpenSegment(a addr.Addr, write bool) (*Segment, error) {
	if a.Kind == addr.POSIX {
		flags := unix.O_RDONLY
		if write {
			flags = unix.O_RDWR
		}
		f, err := posix.ShmOpen(a.Name, flags, 0)
		if err != nil {
			return nil, PosixShmError(err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		return &Segment{file: f, size: fi.Size()}, nil
	}
	id, err := SysVID(a, KindSegment, IDOptions{})
	if err != nil {
		return nil, err
	}
	mem, err := sysv.ShmAttach(id, !write)
	if err != nil {
		return nil, err
	}
	return &Segment{mem: mem, size: int64(len(mem))}, nil
}

// Size is the segment's size in bytes, as it was when opened.
func (s *Segment) Size() int64 { return s.size }

// Close closes a POSIX object's descriptor or detaches a System V segment.
func (s *Segment) Close() error {
	if s.file != nil {
		return s.file.Close()
	}
	if s.mem != nil {
		return sysv.ShmDetach(s.mem)
	}
	return nil
}

const copyChunk = 1 << 20

// ReadTo copies length bytes from off to w (off+length within Size). A POSIX object that shrank
// meanwhile gives what is left.
func (s *Segment) ReadTo(w io.Writer, off, length int64) error {
	if s.mem != nil {
		for length > 0 {
			k := min(length, copyChunk)
			if _, err := w.Write(s.mem[off : off+k]); err != nil {
				return iostreams.Output(w, err)
			}
			off, length = off+k, length-k
		}
		return nil
	}
	buf := make([]byte, min(max(length, 1), copyChunk))
	for length > 0 {
		k, err := s.file.ReadAt(buf[:min(length, int64(len(buf)))], off)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return iostreams.Output(w, werr)
			}
			off, length = off+int64(k), length-int64(k)
		}
		if err == io.EOF {
			return nil // shrunk meanwhile
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteFrom copies n bytes from r into the segment at off (off+n within Size) and returns how many
// it wrote. An r shorter than n (a file truncated meanwhile) ends the copy without error.
func (s *Segment) WriteFrom(r io.Reader, n, off int64) (written int64, err error) {
	if s.mem != nil {
		k, err := io.ReadFull(r, s.mem[off:off+n])
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return int64(k), err
		}
		return int64(k), nil
	}
	buf := make([]byte, min(n, copyChunk))
	for n > 0 {
		k, err := io.ReadFull(r, buf[:min(n, int64(len(buf)))])
		if k > 0 {
			w, werr := posix.ShmWriteAt(s.file, buf[:k], off)
			written += int64(w)
			if werr != nil {
				return written, PosixShmError(werr)
			}
			off, n = off+int64(k), n-int64(k)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return written, nil
		}
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// Zero clears length bytes from off.
func (s *Segment) Zero(off, length int64) error {
	if s.mem != nil {
		clear(s.mem[off : off+length])
		return nil
	}
	return PosixShmError(posix.ShmZero(s.file, off, length))
}

// ResizeSegment sets a POSIX object's size (ftruncate(2)). System V segments have a fixed size
// (EINVAL).
func ResizeSegment(a addr.Addr, size int64) error {
	if a.Kind != addr.POSIX {
		return unix.EINVAL
	}
	return PosixShmError(posix.ShmResize(a.Name, size))
}

// SegmentInfo is what CreateSegment made or found.
type SegmentInfo struct {
	Made
	Size int64
}

// CreateSegment creates shared memory of size bytes for a, or finds the existing one (EEXIST
// with exclusive) and reports it unchanged, whatever its size. No room in /dev/shm for a new POSIX
// object is ErrNoRoom; a System V size the system refuses ErrSizeRefused.
func CreateSegment(a addr.Addr, size int64, mode uint32, exclusive bool) (SegmentInfo, error) {
	if a.Kind == addr.POSIX {
		f, created, err := posix.ShmCreate(a.Name, posix.ShmCreateOptions{Mode: mode, Size: size, Exclusive: exclusive})
		if created && (errors.Is(err, unix.EFBIG) || errors.Is(err, unix.ENOSPC)) {
			return SegmentInfo{}, &RefusedError{Size: size, Err: wrap(err, ErrNoRoom)}
		}
		if err != nil {
			return SegmentInfo{}, PosixShmError(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return SegmentInfo{}, err
		}
		return SegmentInfo{Made: Made{Flavor: "posix", Name: a.Name, Mode: uint32(fi.Mode().Perm()), Created: created}, Size: fi.Size()}, nil
	}
	id, created, err := sysvCreate(a, KindSegment, IDOptions{Exclusive: exclusive, Mode: mode, Size: size})
	if err != nil {
		if errors.Is(err, unix.EINVAL) {
			return SegmentInfo{}, &RefusedError{Size: size, Err: wrap(err, ErrSizeRefused)}
		}
		return SegmentInfo{}, err
	}
	info, err := sysv.ShmSegOf(id)
	if err != nil {
		return SegmentInfo{}, err
	}
	return SegmentInfo{Made: Made{Flavor: "sysv", Key: info.Key, ID: id, Mode: info.Mode & 0o777, Created: created}, Size: int64(info.Size)}, nil
}

// RemoveSegment removes the shared memory a names: shm_unlink(3), or shmctl(2) IPC_RMID, which
// only marks a segment still attached. It returns how many processes are still attached.
func RemoveSegment(a addr.Addr) (attached uint64, err error) {
	if a.Kind == addr.POSIX {
		return 0, PosixShmError(posix.ShmUnlink(a.Name))
	}
	id, err := SysVID(a, KindSegment, IDOptions{})
	if err != nil {
		return 0, err
	}
	if err := sysv.ShmRemove(id); err != nil {
		return 0, err
	}
	info, err := sysv.ShmSegOf(id)
	if err != nil {
		return 0, nil // gone at once: nobody was attached
	}
	return info.NAttch, nil
}
