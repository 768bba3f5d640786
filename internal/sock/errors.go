//go:build linux

package sock

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// The errnos callers tell apart, under names that say what they mean for a socket. Each is the
// errno itself: errors.Is(err, ErrRefused) and errors.Is(err, unix.ECONNREFUSED) agree. The errors
// of this package wrap them with the call and the address ("connect tcp:127.0.0.1:1: connection
// refused"). A missing UNIX socket file is fs.ErrNotExist (ENOENT), a refused permission
// fs.ErrPermission (EACCES, EPERM), as for any file.
var (
	ErrRefused       error = unix.ECONNREFUSED // nothing listens at the address; see connect(2)
	ErrAddrInUse     error = unix.EADDRINUSE   // another socket is bound to the address; see bind(2)
	ErrAddrNotLocal  error = unix.EADDRNOTAVAIL
	ErrWrongType     error = unix.EPROTOTYPE // the UNIX socket at the path is of another type
	ErrMessageSize   error = unix.EMSGSIZE   // too big for one datagram
	ErrReset         error = unix.ECONNRESET
	ErrNetUnreach    error = unix.ENETUNREACH
	ErrHostUnreach   error = unix.EHOSTUNREACH
	ErrTimedOut      error = unix.ETIMEDOUT // a deadline passed (see Accept, Dial)
	ErrClosedPipe    error = unix.EPIPE     // a write to a peer (or an output) that has gone
	ErrNotADirectory error = unix.ENOTDIR
)

// NotSocketError is the error of a connection to, or a listener on, a UNIX socket path that is a
// file of another kind. It wraps ErrNotSocket.
type NotSocketError struct {
	Op   string // "connect" or "listen"
	Addr Addr
	Kind string // what the file is: "a regular file", "a directory" (see posix.FileKind)
}

func (e *NotSocketError) Error() string {
	return fmt.Sprintf("%s %s: %v (it is %s)", e.Op, e.Addr, ErrNotSocket, e.Kind)
}

func (e *NotSocketError) Unwrap() error { return ErrNotSocket }

// IdleError is Serve's error when nothing arrived within Config.Timeout: no connection, or no
// datagram. It wraps unix.ETIMEDOUT, as an expired wait of Accept does.
type IdleError struct {
	Timeout time.Duration
}

func (e *IdleError) Error() string { return fmt.Sprintf("nothing came within %v", e.Timeout) }

func (e *IdleError) Unwrap() error { return unix.ETIMEDOUT }

// OutputError is Serve's error when the output it prints to failed (for a closed pipe it wraps
// ErrClosedPipe): Serve stops at once, ending every connection.
type OutputError struct {
	Err error
}

func (e *OutputError) Error() string { return "write the output: " + e.Err.Error() }

func (e *OutputError) Unwrap() error { return e.Err }
