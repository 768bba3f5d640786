//go:build linux

package sock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Cred is a peer's credentials as the kernel reports them (SO_PEERCRED, SCM_CREDENTIALS).
type Cred struct {
	PID int `json:"pid"`
	UID int `json:"uid"`
	GID int `json:"gid"`
}

// Peer describes the other end of a connection or the sender of a datagram.
type Peer struct {
	// Addr is the peer's address; an unbound UNIX socket has none (Addr.Path is empty).
	Addr Addr
	// Cred is set for UNIX sockets: SO_PEERCRED for connections, SCM_CREDENTIALS for datagrams.
	Cred *Cred
}

// Listener is a listening stream socket or a bound datagram socket.
type Listener struct {
	addr   Addr
	stream net.Listener   // Unix, UnixSeqpacket, TCP
	packet net.PacketConn // UnixDgram, UDP

	// the socket file this listener created, removed by Close if it is still the same file
	path     string
	dev, ino uint64
}

// DefaultMode is the permission of the socket files Listen makes when given mode 0: only the owner
// may connect.
const DefaultMode = 0o600

// Listen binds a and, for stream and seqpacket kinds, listens on it. Port 0 lets the kernel pick
// a port: Addr reports the one it chose. A UNIX socket file is made with the permission bits mode
// (DefaultMode when 0; connecting needs write permission). A UNIX socket path that exists
// already gives EADDRINUSE when it is a socket, and an error wrapping ErrNotSocket when it is any
// other file: Listen never removes a file it did not create.
func Listen(a Addr, mode uint32) (*Listener, error) {
	l := &Listener{addr: a}
	if mode == 0 {
		mode = DefaultMode
	}
	if a.Kind.IsUnix() && !a.Abstract {
		// bind(2) makes the file with 0777 &^ umask: narrow the umask around it. The umask is the
		// process's: listen makes no other file meanwhile.
		old := unix.Umask(int(0o777 &^ (mode & 0o777)))
		defer unix.Umask(old)
	}
	var err error
	switch a.Kind {
	case Unix, UnixSeqpacket:
		var ul *net.UnixListener
		ul, err = net.ListenUnix(a.Kind.Network(), &net.UnixAddr{Name: a.NetAddr(), Net: a.Kind.Network()})
		if err == nil {
			ul.SetUnlinkOnClose(false) // Close decides, after checking the file is still ours
			l.stream = ul
		}
	case TCP:
		l.stream, err = net.Listen("tcp", a.NetAddr())
	case UnixDgram:
		var uc *net.UnixConn
		uc, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: a.NetAddr(), Net: "unixgram"})
		if err == nil {
			l.packet = uc
			err = setPassCred(uc)
		}
	case UDP:
		l.packet, err = net.ListenPacket("udp", a.NetAddr())
	default:
		return nil, fmt.Errorf("listen %s: %w", a, unix.EINVAL)
	}
	if err != nil {
		if l.packet != nil {
			l.packet.Close()
		}
		err = bareErrno(err)
		if a.Kind.IsUnix() && !a.Abstract && errors.Is(err, unix.EADDRINUSE) {
			// bind(2) refuses any existing file, not only a socket: say when it is something else
			if kind := notSocket(a.Path, false); kind != "" {
				return nil, &NotSocketError{Op: "listen", Addr: a, Kind: kind}
			}
		}
		return nil, fmt.Errorf("listen %s: %w", a, err)
	}
	if a.Kind.IsUnix() && !a.Abstract {
		var st unix.Stat_t
		if err := unix.Lstat(a.Path, &st); err == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			l.path, l.dev, l.ino = a.Path, st.Dev, st.Ino
		}
	}
	if l.stream != nil {
		l.addr = FromNet(a.Kind, l.stream.Addr())
	} else {
		l.addr = FromNet(a.Kind, l.packet.LocalAddr())
	}
	if a.Kind.IsUnix() {
		l.addr = a // Go reports the name as given; keep the user's spelling
	}
	if base, _, zoned := strings.Cut(a.Host, "%"); zoned && l.addr.Host == base {
		// getsockname's scope id does not always come back as a zone: keep the one bound to
		l.addr.Host = a.Host
	}
	return l, nil
}

// Addr is the address the listener is bound to, with the port the kernel chose for port 0.
func (l *Listener) Addr() Addr { return l.addr }

// Close closes the socket and removes the UNIX socket file Listen created. A file at that path
// that is not the one Listen created (replaced since) is left alone.
func (l *Listener) Close() error {
	var err error
	if l.stream != nil {
		err = l.stream.Close()
	} else if l.packet != nil {
		err = l.packet.Close()
	}
	if l.path != "" {
		var st unix.Stat_t
		if e := unix.Lstat(l.path, &st); e == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK && st.Dev == l.dev && st.Ino == l.ino {
			if e := unix.Unlink(l.path); e != nil && err == nil {
				err = fmt.Errorf("remove %s: %w", l.path, e)
			}
		}
		l.path = ""
	}
	return err
}

// Conn is an accepted or dialed connection with its peer.
type Conn struct {
	net.Conn
	Kind Kind
	Peer Peer

	blk blocking // a relay's blocking mode (blocking.go)
}

// SyscallConn gives the socket's descriptor, so that Copy can splice to and from it.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("%s: no file descriptor: %w", c.Peer.Addr, unix.EINVAL)
	}
	return sc.SyscallConn()
}

// Accept waits for the next connection. It returns ctx's error (unix.ETIMEDOUT for a deadline)
// when ctx ends first.
func (l *Listener) Accept(ctx context.Context) (*Conn, error) {
	if l.stream == nil {
		return nil, fmt.Errorf("accept on %s: %w", l.addr, unix.EOPNOTSUPP)
	}
	stop := context.AfterFunc(ctx, func() { setDeadline(l.stream) })
	defer stop()
	c, err := l.stream.Accept()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxErr(ctx)
		}
		return nil, fmt.Errorf("accept on %s: %w", l.addr, bareErrno(err))
	}
	return newConn(l.addr.Kind, c), nil
}

// aLongTimeAgo is a deadline in the past: setting it wakes every blocked Read, Write and Accept.
var aLongTimeAgo = time.Unix(1, 0)

func setDeadline(x any) {
	if d, ok := x.(interface{ SetDeadline(t time.Time) error }); ok {
		d.SetDeadline(aLongTimeAgo)
	}
}

func newConn(k Kind, c net.Conn) *Conn {
	conn := &Conn{Conn: c, Kind: k, Peer: Peer{Addr: FromNet(k, c.RemoteAddr())}}
	if uc, ok := c.(*net.UnixConn); ok {
		conn.Peer.Cred = peerCred(uc)
	}
	return conn
}

// peerCred reads SO_PEERCRED: the credentials of the process that connected or listened, taken
// when it did.
func peerCred(c syscall.Conn) *Cred {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	var cred *Cred
	rc.Control(func(fd uintptr) {
		u, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		if err == nil {
			cred = &Cred{PID: int(u.Pid), UID: int(u.Uid), GID: int(u.Gid)}
		}
	})
	return cred
}

func setPassCred(c syscall.Conn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
	}); err != nil {
		return err
	}
	return serr
}

// MaxDatagram is the largest datagram ReadDatagram takes whole.
const MaxDatagram = 1 << 16

// DatagramBufSize is the buffer ReadDatagram needs to take every datagram whole: MaxDatagram for
// UDP; for UNIX datagram sockets, whose datagrams are bounded by the sender's send buffer, twice
// net.core.wmem_max (the largest SO_SNDBUF an unprivileged sender can set), at least MaxDatagram.
func (l *Listener) DatagramBufSize() int {
	if !l.addr.Kind.IsUnix() {
		return MaxDatagram
	}
	b, err := os.ReadFile("/proc/sys/net/core/wmem_max")
	if err != nil {
		return MaxDatagram
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || 2*n < MaxDatagram {
		return MaxDatagram
	}
	return 2 * n
}

// ReadDatagram waits for the next datagram on a datagram listener and reads it into buf, with its
// sender (and, on UNIX sockets, the sender's credentials). n may be less than the datagram when
// buf is short: use MaxDatagram bytes.
func (l *Listener) ReadDatagram(ctx context.Context, buf []byte) (int, Peer, error) {
	if l.packet == nil {
		return 0, Peer{}, fmt.Errorf("read datagram on %s: %w", l.addr, unix.EOPNOTSUPP)
	}
	stop := context.AfterFunc(ctx, func() { setDeadline(l.packet) })
	defer stop()
	var (
		n    int
		peer Peer
		err  error
	)
	if uc, ok := l.packet.(*net.UnixConn); ok {
		oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
		var oobn int
		var from *net.UnixAddr
		n, oobn, _, from, err = uc.ReadMsgUnix(buf, oob)
		if from != nil {
			peer.Addr = FromNet(l.addr.Kind, from)
		} else {
			peer.Addr = Addr{Kind: l.addr.Kind}
		}
		if msgs, e := unix.ParseSocketControlMessage(oob[:oobn]); e == nil {
			for _, m := range msgs {
				if u, e := unix.ParseUnixCredentials(&m); e == nil {
					peer.Cred = &Cred{PID: int(u.Pid), UID: int(u.Uid), GID: int(u.Gid)}
				}
			}
		}
	} else {
		var from net.Addr
		n, from, err = l.packet.ReadFrom(buf)
		if from != nil {
			peer.Addr = FromNet(l.addr.Kind, from)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, Peer{}, ctxErr(ctx)
		}
		return 0, Peer{}, fmt.Errorf("read datagram on %s: %w", l.addr, bareErrno(err))
	}
	return n, peer, nil
}

// WriteDatagram sends p to to from the listener's socket (an echo reply).
func (l *Listener) WriteDatagram(p []byte, to Addr) error {
	if l.packet == nil {
		return fmt.Errorf("send datagram on %s: %w", l.addr, unix.EOPNOTSUPP)
	}
	var na net.Addr
	if to.Kind.IsUnix() {
		if to.Path == "" {
			return fmt.Errorf("reply to an unbound UNIX socket: %w", unix.EDESTADDRREQ)
		}
		na = &net.UnixAddr{Name: to.NetAddr(), Net: "unixgram"}
	} else {
		ua, err := net.ResolveUDPAddr("udp", to.NetAddr())
		if err != nil {
			return err
		}
		na = ua
	}
	if _, err := l.packet.WriteTo(p, na); err != nil {
		return fmt.Errorf("send datagram to %s: %w", to, bareErrno(err))
	}
	return nil
}

// ctxErr turns the end of ctx into the error commands map: unix.ETIMEDOUT for an expired
// deadline, context.Canceled otherwise (Ctrl-C).
func ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return unix.ETIMEDOUT
	}
	return ctx.Err()
}

// bareErrno unwraps net and os errors down to the errno, so callers can errors.Is it, keeping
// any other error as it is.
func bareErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return unix.ETIMEDOUT
	}
	return err
}
