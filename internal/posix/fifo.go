package posix

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// PipeBuf is PIPE_BUF on Linux: a write of at most this many bytes to a pipe or FIFO is atomic,
// never interleaved with the writes of other writers. See pipe(7).
const PipeBuf = 4096

// ErrNotFIFO is wrapped by errors about a path that exists but is not a FIFO.
var ErrNotFIFO = errors.New("not a FIFO")

// CreateFIFO makes a FIFO at path with the given permission bits (filtered by the umask). An
// existing file of any kind gives EEXIST and is left alone. See mkfifo(3).
func CreateFIFO(path string, mode uint32) error {
	if err := unix.Mkfifo(path, mode&0o7777); err != nil {
		return fmt.Errorf("mkfifo %s: %w", path, err)
	}
	return nil
}

// RemoveFIFO unlinks the FIFO at path. A file that is not a FIFO is refused with ErrNotFIFO, a
// symbolic link too, even to a FIFO: only the FIFO itself is removed.
func RemoveFIFO(path string) error {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return fmt.Errorf("lstat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return fmt.Errorf("%s: %w (it is %s)", path, ErrNotFIFO, fileKind(st.Mode))
	}
	if err := unix.Unlink(path); err != nil {
		return fmt.Errorf("unlink %s: %w", path, err)
	}
	return nil
}

func fileKind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "a regular file"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFLNK:
		return "a symbolic link"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFIFO:
		return "a FIFO"
	}
	return "of unknown type"
}

// Direction says which end of a FIFO to open.
type Direction int

// The ends of a FIFO.
const (
	Read Direction = iota
	Write
)

func (d Direction) flag() int {
	if d == Write {
		return unix.O_WRONLY
	}
	return unix.O_RDONLY
}

func (d Direction) String() string {
	if d == Write {
		return "writing"
	}
	return "reading"
}

// OpenFIFO opens the FIFO at path for reading or writing and returns it as a non-blocking
// *os.File served by Go's poller (reads and writes wait there, and honour deadlines).
//
// With nonblock, the open never waits (O_NONBLOCK, fifo(7)): opening for reading always
// succeeds, opening for writing with no reader fails with ENXIO. Without it the open waits, as
// open(2) does, for the other end to be opened by someone, until ctx ends: then it returns
// unix.ETIMEDOUT for an expired deadline and context.Canceled for a cancellation.
//
// A path that is not a FIFO is refused with ErrNotFIFO before it is opened.
func OpenFIFO(ctx context.Context, path string, dir Direction, nonblock bool) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return nil, fmt.Errorf("%s: %w (it is %s)", path, ErrNotFIFO, fileKind(st.Mode))
	}
	if dir == Read && !nonblock {
		// A blocking open for reading returns once there is a writer. Not even a quick
		// non-blocking try: that would release writers waiting in open(2) with no reader left
		// once it closed.
		return openWaiting(ctx, path, dir, st)
	}
	fd, err := unix.Open(path, dir.flag()|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	switch {
	case err == nil:
		// a writer found a reader, or a reader asked not to wait
	case err == unix.ENXIO && !nonblock:
		return openWaiting(ctx, path, dir, st)
	default:
		return nil, fmt.Errorf("open %s for %s: %w", path, dir, err)
	}
	return newFIFOFile(fd, path, st)
}

// openWaiting does the blocking open(2) on a thread of its own. When ctx ends first it releases
// that open by briefly opening the other end itself with O_NONBLOCK (a reader's open never
// fails; a writer's succeeds because the waiting opener counts as a reader), then closes what the
// released open returned. Other processes waiting in open(2) on the same FIFO at that moment are
// released too, and find the FIFO without a peer.
func openWaiting(ctx context.Context, path string, dir Direction, want unix.Stat_t) (*os.File, error) {
	type result struct {
		fd  int
		err error
	}
	done := make(chan result, 1)
	go func() {
		for {
			fd, err := unix.Open(path, dir.flag()|unix.O_CLOEXEC, 0)
			if err == unix.EINTR {
				continue
			}
			done <- result{fd, err}
			return
		}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("open %s for %s: %w", path, dir, r.err)
		}
		return newFIFOFile(r.fd, path, want)
	case <-ctx.Done():
	}
	other := Write
	if dir == Write {
		other = Read
	}
	for {
		select {
		case r := <-done:
			if r.err == nil {
				unix.Close(r.fd)
			}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("open %s for %s: %w", path, dir, unix.ETIMEDOUT)
			}
			return nil, fmt.Errorf("open %s for %s: %w", path, dir, ctx.Err())
		default:
		}
		if fd, err := unix.Open(path, other.flag()|unix.O_CLOEXEC|unix.O_NONBLOCK, 0); err == nil {
			unix.Close(fd)
		}
		// The waiting open may not have reached the kernel yet: try again shortly.
		select {
		case r := <-done:
			done <- r
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func newFIFOFile(fd int, path string, want unix.Stat_t) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("fstat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO || st.Dev != want.Dev || st.Ino != want.Ino {
		unix.Close(fd)
		return nil, fmt.Errorf("%s was replaced while it was opened: %w", path, ErrNotFIFO)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// ReadNow reads what the FIFO or pipe f holds without waiting: EAGAIN when it is empty and a
// writer has it open, 0 and io.EOF when it is empty and no writer has it open.
func ReadNow(f *os.File, p []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	if err := rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = unix.Read(int(fd), p)
			if rerr != unix.EINTR {
				return true
			}
		}
	}); err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, fmt.Errorf("read %s: %w", f.Name(), rerr)
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// WriteLines copies r to the FIFO or pipe w a line at a time: every write(2) holds whole lines
// and at most PipeBuf bytes, so lines from many concurrent writers never interleave. Lines are
// gathered into one write while r has more of them buffered. A line longer than PipeBuf is
// written on its own, and the kernel may interleave it with others. It returns the number of
// bytes written.
func WriteLines(w io.Writer, r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	batch := make([]byte, 0, PipeBuf)
	var total int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := w.Write(batch)
		total += int64(n)
		batch = batch[:0]
		return err
	}
	for {
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			// a line longer than the reader's buffer: gather it whole
			long := append([]byte(nil), line...)
			line, err = br.ReadSlice('\n')
			line = append(long, line...)
		}
		if len(line) > 0 {
			if len(batch)+len(line) > PipeBuf {
				if ferr := flush(); ferr != nil {
					return total, ferr
				}
			}
			if len(line) > PipeBuf {
				n, werr := w.Write(line)
				total += int64(n)
				if werr != nil {
					return total, werr
				}
			} else {
				batch = append(batch, line...)
			}
		}
		if err == io.EOF {
			return total, flush()
		}
		if err != nil {
			flush()
			return total, err
		}
		if br.Buffered() == 0 {
			// the next read may wait: let the reader have what we hold first
			if ferr := flush(); ferr != nil {
				return total, ferr
			}
		}
	}
}

// FIFOInfo describes a FIFO and who holds it open.
type FIFOInfo struct {
	Path string
	Mode uint32 // permission bits
	UID  int
	GID  int
	// Open reports whether any process holds the FIFO open; only then has it a buffer.
	Open bool
	// Buffered is the number of bytes written and not yet read (FIONREAD); -1 when it could
	// not be learnt without disturbing the FIFO's users.
	Buffered int
	// Capacity is the pipe buffer's size (F_GETPIPE_SZ); for a FIFO nobody holds open, the
	// size the next opener will get. -1 when unknown.
	Capacity int
	Holders  []FIFOHolder
}

// FIFOHolder is one open file descriptor on a FIFO.
type FIFOHolder struct {
	PID     int
	Command string // /proc/PID/comm
	FD      int
	Read    bool
	Write   bool
}

// StatFIFO reports on the FIFO at path. The holders come from /proc/PID/fd (processes this user
// may not inspect are left out). The bytes buffered and the capacity are read from a duplicate
// of a holder's descriptor (pidfd_getfd) when allowed; otherwise from an extra read end opened
// only when a reader exists already, since opening a reader would otherwise release writers
// blocked in open(2).
func StatFIFO(path string) (FIFOInfo, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return FIFOInfo{}, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return FIFOInfo{}, fmt.Errorf("%s: %w (it is %s)", path, ErrNotFIFO, fileKind(st.Mode))
	}
	info := FIFOInfo{Path: path, Mode: st.Mode & 0o7777, UID: int(st.Uid), GID: int(st.Gid), Buffered: -1, Capacity: -1}
	info.Holders = fifoHolders(st.Dev, st.Ino)
	info.Open = len(info.Holders) > 0
	if !info.Open {
		info.Buffered = 0
		info.Capacity = DefaultPipeCapacity()
		return info, nil
	}
	fd := -1
	for _, h := range info.Holders {
		if fd = dupFromProcess(h.PID, h.FD); fd >= 0 {
			break
		}
	}
	if fd < 0 {
		for _, h := range info.Holders {
			if h.Read {
				fd, _ = unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
				break
			}
		}
	}
	if fd >= 0 {
		if n, err := unix.IoctlGetInt(fd, unix.TIOCINQ); err == nil {
			info.Buffered = n
		}
		if n, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0); err == nil {
			info.Capacity = n
		}
		unix.Close(fd)
	}
	return info, nil
}

// dupFromProcess duplicates descriptor fd of process pid into this one (pidfd_getfd(2)), or
// returns -1.
func dupFromProcess(pid, fd int) int {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1
	}
	defer unix.Close(pidfd)
	nfd, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return -1
	}
	unix.CloseOnExec(nfd)
	return nfd
}

// fifoHolders scans /proc/PID/fd for descriptors on the inode (dev, ino), with their access mode
// from /proc/PID/fdinfo. Processes that vanish or may not be inspected are skipped.
func fifoHolders(dev, ino uint64) []FIFOHolder {
	procs, _ := os.ReadDir("/proc")
	var hs []FIFOHolder
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, f := range fds {
			var st unix.Stat_t
			if unix.Stat(filepath.Join(dir, f.Name()), &st) != nil || st.Dev != dev || st.Ino != ino {
				continue
			}
			n, _ := strconv.Atoi(f.Name())
			h := FIFOHolder{PID: pid, FD: n, Command: procComm(pid)}
			switch fdinfoFlags(pid, n) & unix.O_ACCMODE {
			case unix.O_RDONLY:
				h.Read = true
			case unix.O_WRONLY:
				h.Write = true
			case unix.O_RDWR:
				h.Read, h.Write = true, true
			}
			hs = append(hs, h)
		}
	}
	return hs
}

func procComm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSuffix(string(b), "\n")
}

// fdinfoFlags reads the octal "flags:" line of /proc/PID/fdinfo/FD.
func fdinfoFlags(pid, fd int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/fdinfo/" + strconv.Itoa(fd))
	if err != nil {
		return -1
	}
	return parseFdinfoFlags(string(b))
}

func parseFdinfoFlags(s string) int {
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			if err != nil {
				return -1
			}
			return int(n)
		}
	}
	return -1
}
