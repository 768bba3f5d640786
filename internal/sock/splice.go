//go:build linux

package sock

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/ipcx/ipcx/internal/iostreams"
	"golang.org/x/sys/unix"
)

// relayPipeSize is the capacity asked for the pipe a splice relay moves pages through, and for the
// pipes it splices to and from (growPipe). A larger pipe means fewer system calls per byte; the
// kernel may give less (pipe-user-pages-soft).
const relayPipeSize = 1 << 20

// splicedBytes counts the bytes all Copy calls moved with splice, for tests to see that they did.
var splicedBytes atomic.Int64

// copyBufSize is the buffer of the read/write fallback.
const copyBufSize = 256 << 10

// Copy copies src to dst until EOF on src or an error, and returns the number of bytes copied.
// When both are file descriptors (an *os.File, a *net.TCPConn or a stream *net.UnixConn) it
// moves the data with splice(2) through a pipe, so the bytes never enter user space; otherwise,
// or when the kernel refuses splice for one of them (EINVAL), it reads and writes. Datagram and
// seqpacket sockets are always copied with read and write, one message at a time, to keep their
// boundaries. When count is not nil, bytes are added to it as they move, for progress reports.
func Copy(dst io.Writer, src io.Reader, count *atomic.Int64) (int64, error) {
	if count == nil {
		count = new(atomic.Int64)
	}
	if lw, ok := dst.(*lockedWriter); ok {
		if rc, ok := pollable(src); ok {
			n, err := lw.copyFrom(rc, count)
			return n, dstFailed(dst, err)
		}
	}
	if dst == io.Discard {
		if rc, ok := pollable(src); ok {
			return discard(rc, count)
		}
	}
	var total int64
	if d, s, ok := spliceable(dst, src); ok {
		if c, ok := dst.(*Conn); ok && d.nonblock && c.blockFor(d.rc) {
			defer c.leave()
			d.nonblock = false
		}
		if c, ok := src.(*Conn); ok && any(src) != any(dst) && s.nonblock && c.blockFor(s.rc) {
			defer c.leave()
			s.nonblock = false
		}
		var n int64
		var handled bool
		var err error
		if direct(d, s) {
			n, handled, err = spliceDirect(d, s, count)
		} else {
			n, handled, err = spliceCopy(d, s, count)
		}
		total += n
		if handled {
			return total, dstFailed(dst, err)
		}
	}
	n, err := plainCopy(dst, src, count)
	return total + n, dstFailed(dst, err)
}

// dstError marks a failure of Copy's destination, for Copy to tell it from one of its source.
type dstError struct{ err error }

func (e dstError) Error() string { return e.err.Error() }
func (e dstError) Unwrap() error { return e.err }

// dstFailed is Copy's error: a failed write on standard output is an *iostreams.OutputError, so
// that a full disk there is not taken for a failure of the socket or FIFO read from.
func dstFailed(dst io.Writer, err error) error {
	var de dstError
	if !errors.As(err, &de) {
		return err
	}
	return iostreams.Output(dst, de.err)
}

// outputErrno reports whether errno, from a splice between two descriptors, is one that only
// the writing side gives: a full or over-quota disk, a file too large, a closed pipe.
func outputErrno(err error) bool {
	return err == unix.ENOSPC || err == unix.EDQUOT || err == unix.EFBIG || err == unix.EPIPE
}

type rawFD struct {
	rc       syscall.RawConn
	nonblock bool // the descriptor is non-blocking: waits go through Go's poller
	pipe     bool // the descriptor is a pipe or FIFO
}

func spliceable(dst io.Writer, src io.Reader) (d, s rawFD, ok bool) {
	dc, ok1 := dst.(syscall.Conn)
	sc, ok2 := src.(syscall.Conn)
	if !ok1 || !ok2 {
		return d, s, false
	}
	var err error
	if d, err = inspect(dc); err != nil {
		return d, s, false
	}
	if s, err = inspect(sc); err != nil {
		return d, s, false
	}
	return d, s, true
}

// inspect reports whether c can be spliced and whether it is non-blocking. A socket other than
// SOCK_STREAM cannot: splice would merge its messages.
func inspect(c syscall.Conn) (rawFD, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return rawFD{}, err
	}
	r := rawFD{rc: rc}
	var ierr error
	err = rc.Control(func(fd uintptr) {
		fl, e := unix.FcntlInt(fd, unix.F_GETFL, 0)
		if e != nil {
			ierr = e
			return
		}
		r.nonblock = fl&unix.O_NONBLOCK != 0
		var st unix.Stat_t
		if unix.Fstat(int(fd), &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO {
			r.pipe = true
			growPipe(fd)
		}
		if typ, e := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TYPE); e == nil && typ != unix.SOCK_STREAM {
			ierr = unix.EINVAL
		}
	})
	if err == nil {
		err = ierr
	}
	return r, err
}

// growPipe asks for a capacity of relayPipeSize bytes for the pipe fd when it has less, as a C
// relay at the kernel's limit does: a shell's pipe holds 64 KiB, so a relay splicing from or to
// it wakes 16 times per MiB, and so do the programs at its other end; with 1 MiB it moves a MiB
// per splice (a 4 GiB stream: 4,100 splices instead of 66,000, and a third less CPU time in all,
// scripts/bench streams). Best effort: a user over pipe-user-pages-soft is refused (EPERM) and
// the relay moves what the pipe holds. A pipe is never shrunk.
func growPipe(fd uintptr) {
	if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n < relayPipeSize {
		unix.FcntlInt(fd, unix.F_SETPIPE_SZ, relayPipeSize)
	}
}

// direct reports whether src can be spliced straight into dst, without a pipe in between. One of
// them must be a pipe, and an EAGAIN must come from one known side, the one the poller then waits
// for: so at most one of them is non-blocking, and not when both are pipes, since between two
// pipes the kernel applies one's O_NONBLOCK to both (do_splice), and an EAGAIN could then mean
// either an empty source or a full destination.
func direct(dst, src rawFD) bool {
	if !dst.pipe && !src.pipe {
		return false
	}
	if dst.nonblock && src.nonblock {
		return false
	}
	return !(dst.pipe && src.pipe && (dst.nonblock || src.nonblock))
}

// spliceDirect moves src to dst with splice(2) straight from one to the other. handled is false
// when splice refused before any byte moved.
func spliceDirect(dst, src rawFD, count *atomic.Int64) (written int64, handled bool, err error) {
	// The blocking side (if any) blocks this thread in the kernel; EAGAIN comes from the
	// non-blocking side, and we wait for it through its RawConn.
	wait := src.rc.Read
	if dst.nonblock {
		wait = dst.rc.Write
	}
	for {
		var n int64
		var serr error
		werr := wait(func(_ uintptr) bool {
			dst.rc.Control(func(dfd uintptr) {
				src.rc.Control(func(sfd uintptr) {
					for {
						n, serr = unix.Splice(int(sfd), nil, int(dfd), nil, relayPipeSize, unix.SPLICE_F_MOVE|unix.SPLICE_F_MORE)
						if serr != unix.EINTR {
							break
						}
					}
				})
			})
			return serr != unix.EAGAIN
		})
		if serr == nil {
			serr = werr
		}
		if serr != nil {
			if written == 0 && (serr == unix.EINVAL || serr == unix.ENOSYS) {
				return 0, false, nil
			}
			if outputErrno(serr) {
				return written, true, dstError{serr}
			}
			return written, true, serr
		}
		if n == 0 {
			return written, true, nil
		}
		written += n
		count.Add(n)
		splicedBytes.Add(n)
	}
}

// spliceCopy moves src to dst through a pipe. handled is false when splice refused src before any
// byte moved, so the caller can fall back to read/write.
func spliceCopy(dst, src rawFD, count *atomic.Int64) (written int64, handled bool, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, false, nil
	}
	pr, pw := p[0], p[1]
	defer unix.Close(pr)
	defer unix.Close(pw)
	chunk := relayPipeSize
	if _, err := unix.FcntlInt(uintptr(pw), unix.F_SETPIPE_SZ, relayPipeSize); err != nil {
		chunk = 64 << 10
	}
	for {
		// Fill the pipe from src. The pipe is empty here, so only src can make us wait.
		var n int64
		var serr error
		rerr := src.rc.Read(func(fd uintptr) bool {
			flags := unix.SPLICE_F_MOVE | unix.SPLICE_F_MORE
			if src.nonblock {
				flags |= unix.SPLICE_F_NONBLOCK
			}
			for {
				n, serr = unix.Splice(int(fd), nil, pw, nil, chunk, flags)
				if serr != unix.EINTR {
					break
				}
			}
			return !(serr == unix.EAGAIN && src.nonblock)
		})
		if serr == nil {
			serr = rerr
		}
		if serr != nil {
			if written == 0 && (serr == unix.EINVAL || serr == unix.ENOSYS) {
				return 0, false, nil
			}
			return written, true, serr
		}
		if n == 0 {
			return written, true, nil
		}
		// Drain the pipe into dst.
		for left := int(n); left > 0; {
			var m int64
			werr := dst.rc.Write(func(fd uintptr) bool {
				flags := unix.SPLICE_F_MOVE | unix.SPLICE_F_MORE
				if dst.nonblock {
					flags |= unix.SPLICE_F_NONBLOCK
				}
				for {
					m, serr = unix.Splice(pr, nil, int(fd), nil, left, flags)
					if serr != unix.EINTR {
						break
					}
				}
				return !(serr == unix.EAGAIN && dst.nonblock)
			})
			if serr == nil {
				serr = werr
			}
			if serr == unix.EINVAL || serr == unix.ENOSYS {
				// dst takes no splice (a terminal, say): hand over what the pipe holds, then read
				// and write the rest.
				k, err := drainPipe(dst, pr, left, count)
				written += k
				if err != nil {
					return written, true, err
				}
				return written, false, nil
			}
			if serr != nil {
				return written, true, dstError{serr}
			}
			left -= int(m)
			written += m
			count.Add(m)
			splicedBytes.Add(m)
		}
	}
}

func drainPipe(dst rawFD, pr int, left int, count *atomic.Int64) (int64, error) {
	buf := make([]byte, left)
	var got int
	for got < left {
		n, err := unix.Read(pr, buf[got:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		got += n
	}
	var written int64
	for len(buf) > 0 {
		var n int
		var werr error
		err := dst.rc.Write(func(fd uintptr) bool {
			n, werr = unix.Write(int(fd), buf)
			return !(werr == unix.EAGAIN && dst.nonblock)
		})
		if werr == nil {
			werr = err
		}
		if werr == unix.EINTR {
			continue
		}
		if werr != nil {
			return written, dstError{werr}
		}
		buf = buf[n:]
		written += int64(n)
		count.Add(int64(n))
	}
	return written, nil
}

// countingWriter hides dst's ReadFrom so that io.CopyBuffer really uses the buffer, and counts.
type countingWriter struct {
	w     io.Writer
	count *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.count.Add(int64(n))
	if err != nil {
		err = dstError{err}
	}
	return n, err
}

type onlyReader struct{ io.Reader }

func plainCopy(dst io.Writer, src io.Reader, count *atomic.Int64) (int64, error) {
	n, err := io.CopyBuffer(countingWriter{dst, count}, onlyReader{src}, make([]byte, copyBufSize))
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// pollable returns src's descriptor when src is a socket Go's poller waits on (a non-blocking
// *Conn), for the copies below that read only once data is there.
func pollable(src io.Reader) (syscall.RawConn, bool) {
	c, ok := src.(*Conn)
	if !ok {
		return nil, false
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, false
	}
	nonblock := false
	rc.Control(func(fd uintptr) {
		fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		nonblock = err == nil && fl&unix.O_NONBLOCK != 0
	})
	return rc, nonblock
}

// sharedBufSize is the buffer that the connections served at the same time share (--keep): one
// for all, not copyBufSize each (100 connections held 25 MiB of buffers, scripts/bench memory).
const sharedBufSize = 128 << 10

// copyFrom copies what arrives on rc to the shared output until EOF, each read written whole
// under the output's lock. The read happens under the lock too, into the one buffer all the
// connections share, and only once the poller has said there is data: a connection that waits
// holds neither the lock nor a buffer.
func (l *lockedWriter) copyFrom(rc syscall.RawConn, count *atomic.Int64) (int64, error) {
	var total int64
	for {
		var n int
		var rerr error
		locked := false
		err := rc.Read(func(fd uintptr) bool {
			l.mu.Lock()
			if l.buf == nil {
				l.buf = make([]byte, sharedBufSize)
			}
			for {
				n, rerr = unix.Read(int(fd), l.buf)
				if rerr != unix.EINTR {
					break
				}
			}
			if rerr == unix.EAGAIN {
				l.mu.Unlock()
				return false
			}
			locked = true
			return true
		})
		if !locked {
			return total, err
		}
		if rerr != nil || n <= 0 {
			l.mu.Unlock()
			return total, rerr
		}
		_, werr := l.w.Write(l.buf[:n])
		l.mu.Unlock()
		if werr != nil {
			return total, dstError{werr}
		}
		total += int64(n)
		count.Add(int64(n))
	}
}

// discardBufs are the buffers discard reads into, each taken for one read(2) only.
var discardBufs = sync.Pool{New: func() any { b := make([]byte, sharedBufSize); return &b }}

// discard reads what arrives on rc to EOF and counts it, holding a buffer only while a read(2)
// runs (--keep --json: many connections, nothing written).
func discard(rc syscall.RawConn, count *atomic.Int64) (int64, error) {
	var total int64
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			b := discardBufs.Get().(*[]byte)
			for {
				n, rerr = unix.Read(int(fd), *b)
				if rerr != unix.EINTR {
					break
				}
			}
			discardBufs.Put(b)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil || n <= 0 {
			return total, err
		}
		total += int64(n)
		count.Add(int64(n))
	}
}
