//go:build linux

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

// ErrNotFIFO is wrapped by errors about a path that exists but is not a FIFO: a *NotFIFOError.
var ErrNotFIFO = errors.New("not a FIFO")

// ErrEmptyPath is the error of a FIFO named by the empty path: it names no file (open(2) would
// say ENOENT, as if a file were missing).
var ErrEmptyPath = errors.New("an empty path names no file")

// CreateFIFO makes a FIFO at path with exactly the permission bits mode, as mkfifo -m does: the
// umask narrows the mode mkfifo(3) gives, so the new FIFO's mode is then set through a descriptor
// of the FIFO itself (O_PATH|O_NOFOLLOW, never a symbolic link planted meanwhile). An existing file
// of any kind gives EEXIST and is left alone. A FIFO whose mode cannot be set is removed again.
func CreateFIFO(path string, mode uint32) error {
	if path == "" {
		return ErrEmptyPath
	}
	mode &= 0o7777
	if err := unix.Mkfifo(path, mode); err != nil {
		return fmt.Errorf("mkfifo %s: %w", path, err)
	}
	if err := chmodFIFO(path, mode); err != nil {
		unix.Unlink(path)
		return err
	}
	return nil
}

// chmodFIFO sets the mode of the FIFO at path, not following a symbolic link. fchmod(2) refuses an
// O_PATH descriptor, so it goes through the descriptor's /proc/self/fd link, which names the
// opened inode itself.
func chmodFIFO(path string, mode uint32) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("fstat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return &NotFIFOError{Path: path, Kind: FileKind(st.Mode), Became: true}
	}
	if err := unix.Chmod(fmt.Sprintf("/proc/self/fd/%d", fd), mode); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	return nil
}

// DeniedDir finds the directory that refuses the caller access to path (by its effective ids): the
// first one on the way that cannot be searched or, when path does not exist, its parent when it
// cannot be written. why says which ("cannot search it", "cannot write it"); parent whether dir is
// path's own directory. dir is "" when the directories let the caller through.
func DeniedDir(path string) (dir, why string, parent bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	up := filepath.Dir(abs)
	var chain []string
	for d := up; ; d = filepath.Dir(d) {
		chain = append(chain, d)
		if d == "/" || d == "." {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if unix.Faccessat(unix.AT_FDCWD, chain[i], unix.X_OK, unix.AT_EACCESS) == unix.EACCES {
			return chain[i], "cannot search it", i == 0
		}
	}
	var st unix.Stat_t
	if unix.Lstat(abs, &st) == unix.ENOENT && unix.Faccessat(unix.AT_FDCWD, up, unix.W_OK, unix.AT_EACCESS) == unix.EACCES {
		return up, "cannot write it", true
	}
	return "", "", false
}

// RemoveFIFO unlinks the FIFO at path. A file that is not a FIFO is refused with ErrNotFIFO, a
// symbolic link too, even to a FIFO: only the FIFO itself is removed.
func RemoveFIFO(path string) error {
	if path == "" {
		return ErrEmptyPath
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return fmt.Errorf("lstat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return &NotFIFOError{Path: path, Kind: FileKind(st.Mode)}
	}
	if err := unix.Unlink(path); err != nil {
		return fmt.Errorf("unlink %s: %w", path, err)
	}
	return nil
}

// FileKind names the type of file a mode is, for messages: "a regular file", "a FIFO".
func FileKind(mode uint32) string {
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
// The wait never uses a blocking open(2), which could only be abandoned by opening the other end
// and so would release other processes waiting on the same FIFO into a FIFO with no peer (a
// waiting writer killed by SIGPIPE, a waiting reader given end of file). A writer retries a
// non-blocking open until a reader is there (ENXIO until then); a reader opens its end at once,
// without waiting, and then waits for a writer with WaitForWriter.
//
// A path that is not a FIFO is refused with ErrNotFIFO before it is opened.
func OpenFIFO(ctx context.Context, path string, dir Direction, nonblock bool) (*os.File, error) {
	if path == "" {
		return nil, ErrEmptyPath
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return nil, &NotFIFOError{Path: path, Kind: FileKind(st.Mode)}
	}
	if dir == Write {
		return openWriter(ctx, path, st, nonblock)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s for %s: %w", path, dir, err)
	}
	f, err := newFIFOFile(fd, path, st)
	if err != nil || nonblock {
		return f, err
	}
	if err := WaitForWriter(ctx, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openWriter opens the write end with O_NONBLOCK, again and again with a growing pause while
// there is no reader (ENXIO), until one comes or ctx ends. It never holds the FIFO open while it
// waits, so nobody else notices it.
func openWriter(ctx context.Context, path string, want unix.Stat_t, nonblock bool) (*os.File, error) {
	pause := time.Millisecond
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		switch {
		case err == nil:
			return newFIFOFile(fd, path, want)
		case err == unix.EINTR:
			continue
		case err != unix.ENXIO || nonblock:
			return nil, fmt.Errorf("open %s for writing: %w", path, err)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("open %s for writing: %w", path, waitErr(ctx))
		case <-t.C:
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

func waitErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return unix.ETIMEDOUT
	}
	return ctx.Err()
}

// WaitForWriter waits until the read end f of a FIFO, opened with O_NONBLOCK, has met a writer:
// the FIFO holds data, or a writer opened it and closed it again, as poll(2) reports with POLLIN
// and POLLHUP. (Linux reports POLLHUP on a FIFO's read end only once a writer has come and gone
// since the end was opened, so a reader that is early sees nothing until a writer comes.) Then a
// read of f returns data or end of file as it would after a blocking open(2).
//
// A writer that opens the FIFO and stays silent is not seen by poll(2); when ctx ends, WaitForWriter
// looks in /proc for a process holding the FIFO open for writing, and returns nil when it finds one
// (its blocking open would have returned), unix.ETIMEDOUT or context.Canceled otherwise.
func WaitForWriter(ctx context.Context, f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	// A pipe of our own wakes poll(2) when ctx ends.
	var wake [2]int
	if err := unix.Pipe2(wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return fmt.Errorf("pipe2: %w", err)
	}
	woken := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		unix.Write(wake[1], []byte{0})
		close(woken)
	})
	defer func() {
		if !stop() {
			<-woken
		}
		unix.Close(wake[0])
		unix.Close(wake[1])
	}()
	for {
		var revents int16
		var perr error
		if err := rc.Control(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(wake[0]), Events: unix.POLLIN}}
			_, perr = unix.Poll(fds, -1)
			revents = fds[0].Revents
		}); err != nil {
			return err
		}
		switch {
		case perr == unix.EINTR:
			continue
		case perr != nil:
			return fmt.Errorf("poll %s: %w", f.Name(), perr)
		case revents != 0:
			return nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	var st unix.Stat_t
	if err := fstatFile(f, &st); err == nil {
		for _, h := range fifoHolders(st.Dev, st.Ino) {
			if h.Write && h.PID != os.Getpid() {
				return nil
			}
		}
	}
	return fmt.Errorf("open %s for reading: %w", f.Name(), waitErr(ctx))
}

func fstatFile(f *os.File, st *unix.Stat_t) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), st) }); err != nil {
		return err
	}
	return serr
}

func newFIFOFile(fd int, path string, want unix.Stat_t) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("fstat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO || st.Dev != want.Dev || st.Ino != want.Ino {
		unix.Close(fd)
		return nil, &NotFIFOError{Path: path}
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

// WriteNow writes p to the FIFO or pipe f without waiting for room: it writes what fits and
// returns EAGAIN with the number of bytes written when the rest does not fit now (a reader that
// does not read). A write of at most PipeBuf bytes is all or nothing, as pipe(7) promises.
func WriteNow(f *os.File, p []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, err := unix.Write(int(fd), p[n:])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				werr = err
				return true
			}
			n += m
		}
		return true
	}); err != nil {
		return n, err
	}
	if werr != nil {
		return n, fmt.Errorf("write %s: %w", f.Name(), werr)
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
	if path == "" {
		return FIFOInfo{}, ErrEmptyPath
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return FIFOInfo{}, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return FIFOInfo{}, fmt.Errorf("%s: %w (it is %s)", path, ErrNotFIFO, FileKind(st.Mode))
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
