//go:build linux

package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/ipcx/ipcx/internal/posix"
	"golang.org/x/sys/unix"
)

// hdr is the headroom before the payload of every frame a run passes to an end: a System V
// message's mtype goes there, so no end copies a message to send it.
const hdr = 8

// newFrame is the frame both ends of a run pass to their mechanism for size-byte messages: hdr
// bytes of headroom, then the payload, which starts a page, then a spare byte (udp's end
// marker) past len. Where a buffer sits decides what the kernel's copy of it costs: on the
// project's EPYC (rep movsb), a 4 KiB pipe round trip takes 11.3 µs with the payload at the
// start of a page and 14.5 µs with it 16 bytes in, in C and in Go alike; a heap slice puts it
// wherever the allocator did (ipcx's frame was 8 bytes into one: 19.7 µs against C's 16.4 µs,
// 2026-12-02). The C peer (scripts/bench.d/ipcbench.c) places its payload the same way, so the
// two measure the mechanism, not their allocators.
func newFrame(size int) []byte {
	page := os.Getpagesize()
	b := make([]byte, 2*page+hdr+size+1)
	off := page - int(uintptr(unsafe.Pointer(&b[hdr]))%uintptr(page))
	return b[off : off+hdr+size : off+hdr+size+1]
}

// fdStream is a byte stream (pipe, FIFO, stream socket): a message is len(payload) bytes, read
// until all have come.
type fdStream struct {
	r, w int
	g    *gone
}

func (e *fdStream) send(f []byte, _ uint64) error {
	p := f[hdr:]
	for len(p) > 0 {
		n, err := rawWrite(e.w, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return e.fail(err)
		}
		p = p[n:]
	}
	return nil
}

func (e *fdStream) recv(f []byte, _ uint64) error {
	p := f[hdr:]
	for len(p) > 0 {
		n, err := rawRead(e.r, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return e.fail(err)
		}
		if n == 0 {
			return errPeerGone
		}
		p = p[n:]
	}
	return nil
}

func (e *fdStream) fail(err error) error {
	if e.g.Load() || err == unix.EPIPE || err == unix.ECONNRESET {
		return errPeerGone
	}
	return err
}

func (e *fdStream) close() {
	unix.Close(e.r)
	if e.w != e.r {
		unix.Close(e.w)
	}
}

// fdDgram is a message socket (datagram, seqpacket): one message per call.
type fdDgram struct {
	fd   int
	g    *gone
	size int
}

func (e *fdDgram) send(f []byte, _ uint64) error {
	for {
		_, err := rawWrite(e.fd, f[hdr:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if e.g.Load() || err == unix.EPIPE || err == unix.ECONNRESET || err == unix.ECONNREFUSED {
				return errPeerGone
			}
			return err
		}
		return nil
	}
}

func (e *fdDgram) recv(f []byte, _ uint64) error {
	n, err := e.recvAny(f)
	if err != nil {
		return err
	}
	if n != len(f)-hdr {
		return errWrongMessage
	}
	return nil
}

// recvAny receives one datagram into f[hdr:], which has room for one more byte than a message
// (udp's end marker), and returns its length.
func (e *fdDgram) recvAny(f []byte) (int, error) {
	for {
		n, err := rawRead(e.fd, f[hdr:cap(f)])
		if err == unix.EINTR {
			continue
		}
		if e.g.Load() {
			return 0, errPeerGone
		}
		if err == unix.EAGAIN {
			return 0, errLost
		}
		if err != nil {
			if err == unix.ECONNRESET || err == unix.ECONNREFUSED {
				return 0, errPeerGone
			}
			return 0, err
		}
		if n == 0 && e.size > 0 {
			return 0, errPeerGone // shut down
		}
		return n, nil
	}
}

// sendEnd sends udp's end of stream: a datagram one byte longer than a message.
func (e *fdDgram) sendEnd(f []byte) error {
	_, err := unix.Write(e.fd, f[hdr:cap(f)])
	return err
}

func (e *fdDgram) close() { unix.Close(e.fd) }

var errLost = errors.New("a datagram was lost (no answer within 1s)")

// fdHalf is the parent's side of a descriptor mechanism.
type fdHalf struct {
	child   []*os.File // given to the child
	own     []int      // the parent's descriptors, closed by cleanup
	shut    []int      // sockets to shut down on abort
	paths   []string   // files to remove
	dir     string     // the run's directory, removed
	connect func(info int64) (end, error)
	onAbort func()
}

func (h *fdHalf) files() []*os.File { return h.child }

func (h *fdHalf) abort() {
	for _, fd := range h.shut {
		unix.Shutdown(fd, unix.SHUT_RDWR)
	}
	if h.onAbort != nil {
		h.onAbort()
	}
}

func (h *fdHalf) cleanup() {
	for _, f := range h.child {
		f.Close()
	}
	h.child = nil
	for _, fd := range h.own {
		unix.Close(fd)
	}
	h.own = nil
	h.removeNames()
}

// removeNames removes the run's files and directory: as soon as both ends hold what they name.
func (h *fdHalf) removeNames() {
	for _, p := range h.paths {
		os.Remove(p)
	}
	h.paths = nil
	if h.dir != "" {
		os.Remove(h.dir)
		h.dir = ""
	}
}

// fdHalfAdapter makes an *fdHalf a half.
type fdHalfAdapter struct{ *fdHalf }

func (a fdHalfAdapter) connect(info int64) (end, error) { return a.fdHalf.connect(info) }

// runDir makes the run's private directory for FIFOs and socket files.
func runDir(h *fdHalf) (string, error) {
	d, err := os.MkdirTemp("", "ipcx-bench-")
	if err != nil {
		return "", fmt.Errorf("make a directory for the run: %w", err)
	}
	h.dir = d
	return d, nil
}

func newFile(fd int, name string) *os.File { return os.NewFile(uintptr(fd), name) }

func startPipe(sp *spec, g *gone) (half, error) {
	var p2c, c2p [2]int
	if err := unix.Pipe2(p2c[:], unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	if err := unix.Pipe2(c2p[:], unix.O_CLOEXEC); err != nil {
		unix.Close(p2c[0])
		unix.Close(p2c[1])
		return nil, fmt.Errorf("pipe: %w", err)
	}
	h := &fdHalf{
		child: []*os.File{newFile(p2c[0], "p2c"), newFile(c2p[1], "c2p")},
		own:   []int{c2p[0], p2c[1]},
	}
	sp.Files = 2
	h.connect = func(int64) (end, error) { return &fdStream{r: c2p[0], w: p2c[1], g: g}, nil }
	return fdHalfAdapter{h}, nil
}

func childPipe(sp *spec, files []*os.File) (end, int64, error) {
	return &fdStream{r: int(files[0].Fd()), w: int(files[1].Fd()), g: new(gone)}, 0, nil
}

func startFIFO(sp *spec, g *gone) (half, error) {
	h := &fdHalf{}
	dir, err := runDir(h)
	if err != nil {
		return nil, err
	}
	p2c, c2p := filepath.Join(dir, "p2c"), filepath.Join(dir, "c2p")
	for _, p := range []string{p2c, c2p} {
		if err := posix.CreateFIFO(p, 0o600); err != nil {
			h.cleanup()
			return nil, fmt.Errorf("make FIFO %s: %w", p, err)
		}
		h.paths = append(h.paths, p)
	}
	sp.Names = []string{p2c, c2p}
	// The reading end first, without waiting: the child's open for writing then returns at once.
	r, err := unix.Open(c2p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		h.cleanup()
		return nil, fmt.Errorf("open FIFO %s: %w", c2p, err)
	}
	h.own = append(h.own, r)
	h.connect = func(int64) (end, error) {
		// The child has opened p2c for reading: opening it for writing does not wait.
		w, err := unix.Open(p2c, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("open FIFO %s: %w", p2c, err)
		}
		h.own = append(h.own, w)
		h.removeNames()
		if err := blocking(r, w); err != nil {
			return nil, err
		}
		return &fdStream{r: r, w: w, g: g}, nil
	}
	return fdHalfAdapter{h}, nil
}

func childFIFO(sp *spec, _ []*os.File) (end, int64, error) {
	r, err := unix.Open(sp.Names[0], unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("open FIFO %s: %w", sp.Names[0], err)
	}
	w, err := unix.Open(sp.Names[1], unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("open FIFO %s: %w", sp.Names[1], err)
	}
	return &fdStream{r: r, w: w, g: new(gone)}, 0, blocking(r, w)
}

// blocking clears O_NONBLOCK on fds.
func blocking(fds ...int) error {
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, false); err != nil {
			return err
		}
	}
	return nil
}

// sockKind is one socket mechanism.
type sockKind struct {
	family, typ int
	loopback    string // tcp, udp: the address to listen on
}

func (k sockKind) sockaddr(port int) unix.Sockaddr {
	a := netip.MustParseAddr(k.loopback)
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}
	}
	return &unix.SockaddrInet6{Port: port, Addr: a.As16()}
}

func portOf(fd int) int {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return 0
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return a.Port
	case *unix.SockaddrInet6:
		return a.Port
	}
	return 0
}

// tune sets what a measured socket needs: no Nagle delay (tcp), room for big datagrams.
func (k sockKind) tune(fd, size int) {
	if k.typ == unix.SOCK_STREAM && k.family != unix.AF_UNIX {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	if k.typ != unix.SOCK_STREAM {
		buf := max(4<<20, 4*size)
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, buf) != nil {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, buf)
		}
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, buf) != nil {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, buf)
		}
	}
	if k.family != unix.AF_UNIX && k.typ == unix.SOCK_DGRAM {
		tv := unix.Timeval{Sec: 1}
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	}
}

func (k sockKind) socket() (int, error) {
	fd, err := unix.Socket(k.family, k.typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	return fd, nil
}

func (k sockKind) end(fd, size int, g *gone) end {
	if k.typ == unix.SOCK_STREAM {
		return &fdStream{r: fd, w: fd, g: g}
	}
	return &fdDgram{fd: fd, g: g, size: size}
}

// startSock: a stream or seqpacket socket listens (the child connects; the parent accepts); a
// datagram socket is bound on both sides and each connects to the other.
func (k sockKind) start(sp *spec, g *gone) (half, error) {
	h := &fdHalf{}
	fd, err := k.socket()
	if err != nil {
		return nil, err
	}
	h.own = append(h.own, fd)
	h.shut = append(h.shut, fd)
	var sa unix.Sockaddr
	if k.family == unix.AF_UNIX {
		dir, err := runDir(h)
		if err != nil {
			h.cleanup()
			return nil, err
		}
		p := filepath.Join(dir, "p")
		sa = &unix.SockaddrUnix{Name: p}
		sp.Names = []string{p, filepath.Join(dir, "c")}
		h.paths = append(h.paths, sp.Names...)
	} else {
		sa = k.sockaddr(0)
		if k.typ == unix.SOCK_STREAM {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		h.cleanup()
		return nil, fmt.Errorf("bind: %w", err)
	}
	sp.Port = portOf(fd)
	if k.typ != unix.SOCK_DGRAM {
		if err := unix.Listen(fd, 1); err != nil {
			h.cleanup()
			return nil, fmt.Errorf("listen: %w", err)
		}
	} else {
		k.tune(fd, sp.Size)
	}
	h.connect = func(info int64) (end, error) {
		defer h.removeNames()
		if k.typ == unix.SOCK_DGRAM {
			var peer unix.Sockaddr
			if k.family == unix.AF_UNIX {
				peer = &unix.SockaddrUnix{Name: sp.Names[1]}
			} else {
				peer = k.sockaddr(int(info))
			}
			if err := unix.Connect(fd, peer); err != nil {
				return nil, fmt.Errorf("connect: %w", err)
			}
			return k.end(fd, sp.Size, g), nil
		}
		// The child connected before it said it was ready: accept does not wait.
		c, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("accept: %w", err)
		}
		h.own = append(h.own, c)
		h.shut = append(h.shut, c)
		k.tune(c, sp.Size)
		return k.end(c, sp.Size, g), nil
	}
	return fdHalfAdapter{h}, nil
}

func (k sockKind) child(sp *spec, _ []*os.File) (end, int64, error) {
	fd, err := k.socket()
	if err != nil {
		return nil, 0, err
	}
	var peer unix.Sockaddr
	if k.family == unix.AF_UNIX {
		peer = &unix.SockaddrUnix{Name: sp.Names[0]}
	} else {
		peer = k.sockaddr(sp.Port)
	}
	var info int64
	if k.typ == unix.SOCK_DGRAM {
		var self unix.Sockaddr
		if k.family == unix.AF_UNIX {
			self = &unix.SockaddrUnix{Name: sp.Names[1]}
		} else {
			self = k.sockaddr(0)
		}
		if err := unix.Bind(fd, self); err != nil {
			return nil, 0, fmt.Errorf("bind: %w", err)
		}
		info = int64(portOf(fd))
	}
	k.tune(fd, sp.Size)
	if err := unix.Connect(fd, peer); err != nil {
		return nil, 0, fmt.Errorf("connect: %w", err)
	}
	return k.end(fd, sp.Size, new(gone)), info, nil
}

// eventfdEnd sends seq+1 through one eventfd and receives through another: each read must give
// exactly the one value written.
type eventfdEnd struct {
	r, w int
	g    *gone
	v    [8]byte
}

func (e *eventfdEnd) send(_ []byte, seq uint64) error {
	*(*uint64)(unsafe.Pointer(&e.v[0])) = seq + 1
	for {
		_, err := rawWrite(e.w, e.v[:])
		if err == unix.EINTR {
			continue
		}
		return err
	}
}

func (e *eventfdEnd) recv(_ []byte, seq uint64) error {
	for {
		_, err := rawRead(e.r, e.v[:])
		if err == unix.EINTR {
			continue
		}
		if e.g.Load() {
			return errPeerGone
		}
		if err != nil {
			return err
		}
		if *(*uint64)(unsafe.Pointer(&e.v[0])) != seq+1 {
			return errWrongMessage
		}
		return nil
	}
}

func (e *eventfdEnd) close() {}

// abortValue is what abort writes to wake a parent reading an eventfd: never a sequence number.
const abortValue = 1 << 62

func startEventfd(sp *spec, g *gone) (half, error) {
	p2c, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	c2p, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(p2c)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	sp.Files = 2
	h := &fdHalf{child: []*os.File{newFile(p2c, "p2c"), newFile(c2p, "c2p")}}
	// The parent keeps its own descriptors of both: dup before the child's copies are closed.
	pw, _ := unix.FcntlInt(uintptr(p2c), unix.F_DUPFD_CLOEXEC, 0)
	pr, _ := unix.FcntlInt(uintptr(c2p), unix.F_DUPFD_CLOEXEC, 0)
	h.own = []int{pw, pr}
	h.onAbort = func() {
		var v [8]byte
		*(*uint64)(unsafe.Pointer(&v[0])) = abortValue
		unix.Write(pr, v[:])
	}
	h.connect = func(int64) (end, error) { return &eventfdEnd{r: pr, w: pw, g: g}, nil }
	return fdHalfAdapter{h}, nil
}

func childEventfd(sp *spec, files []*os.File) (end, int64, error) {
	return &eventfdEnd{r: int(files[0].Fd()), w: int(files[1].Fd()), g: new(gone)}, 0, nil
}
