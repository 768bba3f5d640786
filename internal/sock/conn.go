//go:build linux

package sock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"golang.org/x/sys/unix"
)

// ErrNotSocket is wrapped by the error of a connection to, or a listener on, a UNIX path that is a
// file of another kind: a *NotSocketError, which says which.
var ErrNotSocket = errors.New("not a socket")

// Dial connects to a. For unix-dgram the socket is auto-bound to an abstract name first
// (SO_PASSCRED), so that a listener can send replies back; UDP sockets get an ephemeral port.
// It returns unix.ETIMEDOUT when ctx's deadline expires first.
func Dial(ctx context.Context, a Addr) (*Conn, error) {
	d := net.Dialer{}
	if a.Kind == UnixDgram {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
			}); err != nil {
				return err
			}
			return serr
		}
	}
	c, err := d.DialContext(ctx, a.Kind.Network(), a.NetAddr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxErr(ctx)
		}
		err = bareErrno(err)
		if a.Kind.IsUnix() && !a.Abstract && errors.Is(err, unix.ECONNREFUSED) {
			// connect(2) to a file that is not a socket is refused too: say which it is
			if kind := notSocket(a.Path, true); kind != "" {
				return nil, &NotSocketError{Op: "connect", Addr: a, Kind: kind}
			}
		}
		return nil, fmt.Errorf("connect %s: %w", a, err)
	}
	conn := newConn(a.Kind, c)
	conn.Peer.Addr = a
	return conn, nil
}

// CloseWrite shuts down the sending side (shutdown(2) SHUT_WR): the peer reads EOF while this
// side can still read the reply. Datagram sockets have no such thing: it does nothing for them.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok && !c.Kind.IsDatagram() {
		if err := cw.CloseWrite(); err != nil {
			return fmt.Errorf("shutdown %s: %w", c.Peer.Addr, bareErrno(err))
		}
	}
	return nil
}

// Stats counts what a relay moved.
type Stats struct {
	Sent     int64 // bytes from the input to the socket
	Received int64 // bytes from the socket to the output
}

// DatagramLinger is how long a datagram relay waits for replies after its input ends.
const DatagramLinger = 500 * time.Millisecond

// Relay copies in to c and c to out at once. When in reaches EOF the write side of c is shut
// down (half-close), and the reply is still read to its end: Relay returns when c's read side
// reaches EOF, and the input has ended too (an input that is a terminal is not waited for once
// the peer has closed). Datagram sockets send one datagram per read from in and, having no EOF,
// stop DatagramLinger after in ends. A send that fails because the peer went away (EPIPE,
// ECONNRESET) ends the sending only.
func Relay(ctx context.Context, c *Conn, in io.Reader, out io.Writer) (Stats, error) {
	return RelayCounted(ctx, c, in, out, nil, nil)
}

// RelayCounted is Relay adding the bytes to sentCount and receivedCount (when not nil) as they
// move, for a progress display.
func RelayCounted(ctx context.Context, c *Conn, in io.Reader, out io.Writer, sentCount, receivedCount *atomic.Int64) (Stats, error) {
	var st Stats
	sent, received := orNew(sentCount), orNew(receivedCount)
	sendDone := make(chan error, 1)
	recvDone := make(chan error, 1)
	go func() {
		var err error
		if c.Kind.IsDatagram() || c.Kind == UnixSeqpacket {
			err = copyMessages(c, in, sent)
		} else {
			_, err = Copy(c, in, sent)
		}
		if err == nil {
			err = c.CloseWrite()
		}
		sendDone <- err
	}()
	go func() {
		var err error
		if c.Kind.IsDatagram() || c.Kind == UnixSeqpacket {
			err = copyMessagesOut(out, c, received)
		} else {
			_, err = Copy(out, c, received)
		}
		recvDone <- err
	}()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	defer stop()

	var sendErr, recvErr error
	sending, receiving := true, true
	var linger <-chan time.Time
	for sending || receiving {
		select {
		case sendErr = <-sendDone:
			sending = false
			if isPeerGone(sendErr) {
				sendErr = nil
			}
			if c.Kind.IsDatagram() && receiving {
				linger = time.After(DatagramLinger)
			}
		case recvErr = <-recvDone:
			receiving = false
			if sending && isTerminal(in) {
				sending = false
			}
		case <-linger:
			c.SetReadDeadline(aLongTimeAgo)
			<-recvDone
			receiving = false
		case <-ctx.Done():
			c.Close()
			return Stats{Sent: sent.Load(), Received: received.Load()}, ctxErr(ctx)
		}
	}
	st.Sent, st.Received = sent.Load(), received.Load()
	if iostreams.IsOutputError(recvErr) {
		return st, recvErr // the output failed, not the receive
	}
	if recvErr != nil {
		return st, fmt.Errorf("receive from %s: %w", c.Peer.Addr, bareErrno(recvErr))
	}
	if sendErr != nil {
		return st, fmt.Errorf("send to %s: %w", c.Peer.Addr, bareErrno(sendErr))
	}
	return st, nil
}

// orNew is c, or a new counter when c is nil.
func orNew(c *atomic.Int64) *atomic.Int64 {
	if c == nil {
		return new(atomic.Int64)
	}
	return c
}

func isPeerGone(err error) bool {
	return errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.ECONNREFUSED)
}

// isTerminal reports whether r is a terminal, without f.Fd (which would make a non-blocking
// descriptor blocking under a running Copy).
func isTerminal(r io.Reader) bool {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	rc.Control(func(fd uintptr) {
		_, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		tty = err == nil
	})
	return tty
}

// copyMessages sends each read from in as one message.
func copyMessages(c *Conn, in io.Reader, count *atomic.Int64) error {
	buf := make([]byte, MaxDatagram)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return werr
			}
			count.Add(int64(n))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// copyMessagesOut writes each message received on c to out.
func copyMessagesOut(out io.Writer, c *Conn, count *atomic.Int64) error {
	buf := make([]byte, MaxDatagram)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				return iostreams.Output(out, werr)
			}
			count.Add(int64(n))
		}
		if err == io.EOF || (n == 0 && err == nil && c.Kind == UnixSeqpacket) {
			return nil
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return err
		}
	}
}

// maxSendDatagram bounds what Send reads for one datagram; the kernel's limit is lower.
const maxSendDatagram = 16 << 20

// DatagramSizeError is the error of a message too big for one datagram (EMSGSIZE). It wraps
// unix.EMSGSIZE.
type DatagramSizeError struct {
	Addr  Addr
	Size  int  // the message's size in bytes
	More  bool // the input went on beyond Size
	Limit int  // the most one datagram on this socket holds; -1 when unknown
}

func (e *DatagramSizeError) Error() string {
	more := ""
	if e.More {
		more = "more than "
	}
	if e.Limit < 0 {
		return fmt.Sprintf("send to %s: a message of %s%d bytes is too big for one datagram", e.Addr, more, e.Size)
	}
	return fmt.Sprintf("send to %s: a message of %s%d bytes is too big for one datagram, which holds at most %d", e.Addr, more, e.Size, e.Limit)
}

func (e *DatagramSizeError) Unwrap() error { return unix.EMSGSIZE }

// datagramLimit is the largest datagram c can send: for UDP the IP packet limit less the headers
// (65507 bytes over IPv4, 65527 over IPv6); for UNIX datagram and seqpacket sockets the socket's
// send buffer (SO_SNDBUF) less 32 bytes, as unix_dgram_sendmsg checks. -1 when unknown.
func datagramLimit(c *Conn) int {
	if c.Kind == UDP {
		if ua, ok := c.RemoteAddr().(*net.UDPAddr); ok && ua.IP.To4() == nil {
			return 65535 - 8
		}
		return 65535 - 20 - 8
	}
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	limit := -1
	rc.Control(func(fd uintptr) {
		if n, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF); err == nil {
			limit = n - 32
		}
	})
	return limit
}

// ErrPeerStillOpen is wrapped, with the end of the context, by the error of a Send that sent
// everything but ended while it waited for the peer to close the connection.
var ErrPeerStillOpen = errors.New("the peer did not close the connection")

// Send connects to a, sends everything from in and, for stream sockets, shuts down the write side
// and waits for the peer to close without reading its reply into anything. For datagram sockets
// the input is one datagram (at most MaxDatagram bytes).
func Send(ctx context.Context, a Addr, in io.Reader) (int64, error) {
	return SendCounted(ctx, a, in, nil)
}

// SendCounted is Send adding the bytes sent to count (when not nil) as they go, for a progress
// display.
func SendCounted(ctx context.Context, a Addr, in io.Reader, count *atomic.Int64) (int64, error) {
	c, err := Dial(ctx, a)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.blk.solo = true
	stop := context.AfterFunc(ctx, c.interrupt)
	defer stop()
	if a.Kind.IsDatagram() || a.Kind == UnixSeqpacket {
		data, err := io.ReadAll(io.LimitReader(in, maxSendDatagram+1))
		if err != nil {
			return 0, err
		}
		if len(data) > maxSendDatagram {
			return 0, &DatagramSizeError{Addr: a, Size: len(data), Limit: datagramLimit(c), More: true}
		}
		n, err := c.Write(data)
		if count != nil {
			count.Add(int64(n))
		}
		if err != nil {
			if ctx.Err() != nil {
				return int64(n), ctxErr(ctx)
			}
			if errors.Is(err, unix.EMSGSIZE) {
				return 0, &DatagramSizeError{Addr: a, Size: len(data), Limit: datagramLimit(c)}
			}
			return int64(n), fmt.Errorf("send to %s: %w", a, bareErrno(err))
		}
		return int64(n), nil
	}
	n, err := Copy(c, in, count)
	if err != nil {
		if ctx.Err() != nil {
			return n, ctxErr(ctx)
		}
		return n, fmt.Errorf("send to %s: %w", a, bareErrno(err))
	}
	if err := c.CloseWrite(); err != nil {
		return n, err
	}
	// Wait for the peer to finish: closing with unread input would reset the connection. What
	// the peer says meanwhile is not ours to show, nor is a reset then ours to report; but a
	// timeout or Ctrl-C during this wait is.
	Copy(io.Discard, c, nil)
	if ctx.Err() != nil {
		return n, fmt.Errorf("%w: %w", ErrPeerStillOpen, ctxErr(ctx))
	}
	return n, nil
}

// notSocket says what the file at path is ("a regular file") when it exists and is not a socket,
// else "". follow looks through a symbolic link, as connect(2) does; bind(2) sees the link itself.
func notSocket(path string, follow bool) string {
	var st unix.Stat_t
	stat := unix.Lstat
	if follow {
		stat = unix.Stat
	}
	if stat(path, &st) != nil || st.Mode&unix.S_IFMT == unix.S_IFSOCK {
		return ""
	}
	return posix.FileKind(st.Mode)
}
