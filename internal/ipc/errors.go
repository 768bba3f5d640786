//go:build linux

package ipc

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"golang.org/x/sys/unix"
)

// errnoError is a sentinel that stands for an errno in a given situation: errors.Is matches
// both the sentinel and the errno.
type errnoError struct {
	msg   string
	errno unix.Errno
}

func (e *errnoError) Error() string        { return e.msg }
func (e *errnoError) Is(target error) bool { return target == e.errno }

func sentinel(msg string, errno unix.Errno) error { return &errnoError{msg: msg, errno: errno} }

// WouldBlock reports whether err is an operation asked not to wait that would have had to
// (EAGAIN, whether or not it was wrapped as ErrWouldBlock).
func WouldBlock(err error) bool { return errors.Is(err, unix.EAGAIN) }

var (
	// ErrRemoved: the object was removed while in use (EIDRM, or the EINVAL System V calls give
	// on an id that no longer names anything).
	ErrRemoved = sentinel("identifier removed", unix.EIDRM)
	// ErrWouldBlock: the operation would have to wait, and was asked not to (EAGAIN).
	ErrWouldBlock = sentinel("resource temporarily unavailable", unix.EAGAIN)
	// ErrRecvTooLarge: a message on a System V queue is larger than the buffer msgmax allows
	// (E2BIG).
	ErrRecvTooLarge = sentinel("message larger than msgmax", unix.E2BIG)
	// ErrBusy: another process is registered for notification on the POSIX queue (EBUSY).
	ErrBusy = sentinel("another process is registered", unix.EBUSY)
	// ErrSymlink: a POSIX object's file is a symbolic link, which is never followed (ELOOP).
	ErrSymlink = sentinel("is a symbolic link", unix.ELOOP)
	// ErrNotSemaphore: the file in /dev/shm is not a glibc named semaphore (EINVAL).
	ErrNotSemaphore = sentinel("not a semaphore", unix.EINVAL)
	// ErrNotRegular: the file in /dev/shm is not a regular file (EINVAL).
	ErrNotRegular = sentinel("not a regular file", unix.EINVAL)
	// ErrAttrRefused: the system refuses the maxmsg and msgsize asked for a POSIX queue (EINVAL).
	ErrAttrRefused = sentinel("queue attributes refused", unix.EINVAL)
	// ErrQBytesLimit: msg_qbytes above msgmnb needs CAP_SYS_RESOURCE (EPERM).
	ErrQBytesLimit = sentinel("msg_qbytes above msgmnb", unix.EPERM)
	// ErrNSemsRefused: the system refuses a set of that many semaphores (EINVAL, SEMMSL).
	ErrNSemsRefused = sentinel("number of semaphores refused", unix.EINVAL)
	// ErrSizeRefused: the system refuses a System V segment of that size (EINVAL, shmmax,
	// shmall).
	ErrSizeRefused = sentinel("segment size refused", unix.EINVAL)
	// ErrNoRoom: /dev/shm has no room for the size of a new POSIX object (EFBIG or ENOSPC).
	ErrNoRoom = sentinel("no room in /dev/shm", unix.ENOSPC)

	// ErrCreateByID: System V objects are created by key, ftok:PATH:PROJ or private, never by id.
	ErrCreateByID = errors.New("cannot create by id")
	// ErrPrivateNoObject: private names no existing object; it only creates.
	ErrPrivateNoObject = errors.New("private names no existing object")
)

// wrap returns err, marked as sentinel s too (nil stays nil).
// RefusedError is a creation the system refuses for what it was asked: Err wraps the sentinel
// that says which limit (ErrAttrRefused, ErrQBytesLimit, ErrNSemsRefused, ErrSizeRefused,
// ErrNoRoom), and the other fields are the values asked, for the message.
type RefusedError struct {
	MaxMsg, MsgSize int64  // ErrAttrRefused
	MaxBytes        uint64 // ErrQBytesLimit
	NSems           int    // ErrNSemsRefused
	Size            int64  // ErrSizeRefused, ErrNoRoom
	Err             error
}

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// TooBigError is a System V message larger than the receive buffer msgmax allows: it wraps
// ErrRecvTooLarge, with the buffer's size.
type TooBigError struct {
	Max int
	Err error
}

func (e *TooBigError) Error() string { return e.Err.Error() }
func (e *TooBigError) Unwrap() error { return e.Err }

func wrap(err, s error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", err, s)
}

// sysvGone marks the EINVAL of a valid System V call as ErrRemoved: the id no longer names an
// object (it was removed while the call was not waiting on it; a waiting call gets EIDRM itself).
func sysvGone(err error) error {
	if (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM)) && !errors.Is(err, ErrRemoved) {
		return wrap(err, ErrRemoved)
	}
	return err
}

// TooLargeError is a message larger than the queue takes. It Is unix.EMSGSIZE.
type TooLargeError struct {
	Size  int    // the message's size in bytes
	Max   int    // the largest the queue takes
	Limit string // which limit Max is: "its msgsize", "its qbytes", "msgmax (/proc/sys/kernel/msgmax)"
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("message of %d bytes; the queue takes at most %d (%s)", e.Size, e.Max, e.Limit)
}

func (e *TooLargeError) Is(target error) bool { return target == unix.EMSGSIZE }

// KeyError is an address whose System V key cannot be computed: ftok(3) of Addr.Path failed.
type KeyError struct {
	Addr addr.Addr
	Err  error
}

func (e *KeyError) Error() string { return fmt.Sprintf("ftok %s: %v", e.Addr.Path, e.Err) }
func (e *KeyError) Unwrap() error { return e.Err }

// ValueLimitError is a semaphore operation that would pass the largest value the flavor holds:
// SEM_VALUE_MAX for POSIX (EOVERFLOW), SEMVMX for System V (ERANGE).
type ValueLimitError struct {
	Name  string // "SEM_VALUE_MAX", "SEMVMX"
	Max   int
	errno unix.Errno
}

func (e *ValueLimitError) Error() string {
	if e.Name == "SEMVMX" {
		return fmt.Sprintf("the value would pass SEMVMX (%d), the largest a System V semaphore holds", e.Max)
	}
	return fmt.Sprintf("the value would pass %s (%d)", e.Name, e.Max)
}

func (e *ValueLimitError) Is(target error) bool { return target == e.errno }
