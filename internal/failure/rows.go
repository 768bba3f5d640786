package failure

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// row is one line of the table: the errors it matches (for the nouns it names, all when empty),
// the exit code, and the words. say fills in Msg and Hint (and may change Code); leaving Msg empty
// passes the error on to the next row.
type row struct {
	nouns string
	match func(error) bool
	code  int
	say   func(o Object, err error, e *Error)
}

// is matches errors that are any of targets.
func is(targets ...error) func(error) bool {
	return func(err error) bool {
		for _, t := range targets {
			if errors.Is(err, t) {
				return true
			}
		}
		return false
	}
}

// as matches errors that have a T in their chain.
func as[T error]() func(error) bool {
	return func(err error) bool {
		var t T
		return errors.As(err, &t)
	}
}

// rows is the table, most specific first. Noun-scoped rows come before the general ones they
// refine.
var rows = []row{
	{match: is(context.Canceled), say: func(o Object, _ error, e *Error) {
		sig := Signal()
		e.Code, e.Msg = SignalBase+int(sig), fmt.Sprintf("%s: interrupted by %s", o, unix.SignalName(sig))
	}},
	{match: is(context.DeadlineExceeded, unix.ETIMEDOUT), code: Timeout, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: timed out", o)
	}},
	{match: is(unix.EIDRM), code: NoObject, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: the %s was removed", o, o.What)
	}},
	{match: is(unix.ENOENT), code: NoObject, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: no such %s", o, o.What)
		switch {
		case len(o.Addr) > 3 && o.Addr[:3] == "id:" || o.Removing:
			if o.Listable {
				e.Hint = fmt.Sprintf("list them with: ipcx %s ls", o.Noun)
			}
		default:
			e.Hint = fmt.Sprintf("create it with: ipcx %s create %s", o.Noun, o.Addr)
		}
	}},
	{match: is(unix.EEXIST), code: Exists, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: already exists", o)
		e.Hint = fmt.Sprintf("use it as it is, or remove it first with: ipcx %s rm %s", o.Noun, o.Addr)
	}},
	{match: is(unix.EAGAIN, unix.ENOMSG), code: WouldBlock, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: would block", o)
	}},
	{match: is(unix.EACCES, unix.EPERM), code: Failure, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: permission denied", o)
		// Point at a listing, which works for any user, not back at a command that may fail
		// alike; nouns without ls keep stat.
		e.Hint = fmt.Sprintf("see its owner and mode with: ipcx %s ls", o.Noun)
		if !o.Listable {
			e.Hint = fmt.Sprintf("see its owner and mode with: ipcx %s stat %s", o.Noun, o.Addr)
		}
	}},
	{nouns: "shm sem", match: is(unix.ENOSPC), code: Failure, say: func(o Object, _ error, e *Error) {
		// POSIX shared memory and semaphores are files in /dev/shm: ENOSPC is a full tmpfs.
		if len(o.Addr) > 0 && o.Addr[0] == '/' {
			e.Msg = fmt.Sprintf("%s: no space left in /dev/shm", o)
			e.Hint = "see what fills it with: df -h /dev/shm (df -i for inodes); ipcx shm ls"
		}
	}},
	{nouns: "mq sem shm", match: is(unix.ENOSPC), code: Failure, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: a system limit on the number of %ss is reached", o, o.What)
		e.Hint = "see the limits with: ipcx limits"
	}},
	{nouns: "mq sem shm", match: is(unix.ENOMEM), code: Failure, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: not enough memory, or above the system's limits for a %s", o, o.What)
		e.Hint = "see the limits with: ipcx limits"
	}},
	{match: is(unix.EISDIR), code: Failure, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: is a directory, not a %s", o, o.What)
	}},
	{nouns: "mq", match: is(unix.EMFILE), code: Failure, say: func(o Object, _ error, e *Error) {
		e.Msg = fmt.Sprintf("%s: too many open %ss (queues_max or RLIMIT_MSGQUEUE)", o, o.What)
	}},
}

// Errno returns the bare errno inside err, when there is one, for the end of a sentence that has
// already named the object and the call ("permission denied", not "open(/x): permission
// denied").
func Errno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

var lastSignal atomic.Int32

// NoteSignal records the signal that interrupted the command, for the exit code (128+N) and the
// message of the context.Canceled it causes.
func NoteSignal(sig syscall.Signal) { lastSignal.Store(int32(sig)) }

// Signal is the signal NoteSignal recorded, SIGINT when none was.
func Signal() syscall.Signal {
	if s := lastSignal.Load(); s != 0 {
		return syscall.Signal(s)
	}
	return syscall.SIGINT
}
