//go:build linux

package failure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/ipcx/ipcx/internal/sock"
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

// refused matches a RefusedError for the limit s.
func refused(s error) func(error) bool {
	return func(err error) bool { return as[*ipc.RefusedError]()(err) && errors.Is(err, s) }
}

// top matches errors that are a T themselves: a Wait or Progress is what the command says about
// the error it wraps, so only the outermost one speaks (it explains the rest).
func top[T error]() func(error) bool {
	return func(err error) bool {
		_, ok := err.(T)
		return ok
	}
}

// get returns the T in err's chain.
func get[T error](err error) T {
	var t T
	errors.As(err, &t)
	return t
}

// text is what e says after the object's name: the cause alone, for a sentence that puts it in
// its own words.
func text(o Object, e *Error) string { return strings.TrimPrefix(e.Msg, o.String()+": ") }

// rows is the table, most specific first. Noun-scoped rows come before the general ones they
// refine. It is built on first use, not at init, so that a command that explains no error does
// not pay for it (and a function, not a sync.OnceValue variable: the rows for Wait and Progress
// explain the error they wrap with the table itself, which a variable's initializer cannot).
func rows() []row {
	rowsOnce.Do(func() { rowsBuilt = append(outputRows(), table()...) })
	return rowsBuilt
}

var (
	rowsOnce  sync.Once
	rowsBuilt []row
)

// table is the rows after outputRows.
func table() []row {
	return []row{
		// What the command tells about the failure: how its wait ended, what was done before.
		{match: top[*Wait](), say: func(o Object, err error, e *Error) {
			w := get[*Wait](err)
			in := o.explain(w.Err)
			*e = *in
			e.Err = err
			now := w.Now
			if now == "" {
				now = w.Ended
			}
			switch {
			case in.Code == WouldBlock && w.Now != "":
				e.Msg = fmt.Sprintf("%s: %s", o, w.Now)
			case in.Code == Timeout && w.Timeout <= 0:
				e.Msg = fmt.Sprintf("%s: %s %s", o, now, NoWait)
			case in.Code == Timeout:
				e.Msg = fmt.Sprintf("%s: %s %s", o, w.Ended, Within(w.Prep, w.Timeout))
			}
		}},
		{match: top[*Progress](), say: func(o Object, err error, e *Error) {
			p := get[*Progress](err)
			in := o.explain(p.Err)
			*e = *in
			e.Err = err
			cause := text(o, in)
			if p.Before != "" {
				cause = p.Before + " " + cause
			}
			e.Msg = fmt.Sprintf("%s: %s%s", o, cause, p.After)
			if e.Hint == "" {
				e.Hint = p.Hint
			}
		}},

		// Addresses and keys.
		{match: as[*ipc.KeyError](), code: Failure, say: func(o Object, err error, e *Error) {
			ke := get[*ipc.KeyError](err)
			path := ke.Addr.Path
			switch {
			case errors.Is(ke.Err, unix.ENOENT), errors.Is(ke.Err, unix.ENOTDIR):
				e.Code, e.Msg = NoObject, fmt.Sprintf("%s: no such file: %s", o, path)
				e.Hint = "ftok:PATH:PROJ needs an existing file; create it, or name the object by key (0x1a2b) or id (id:N)"
				if o.Noun == "ftok" {
					e.Hint = "ftok needs an existing file: its inode makes the key"
				}
			case errors.Is(ke.Err, unix.EACCES):
				e.Msg = fmt.Sprintf("%s: no permission to stat %s: a directory on its path cannot be searched", o, path)
				e.Hint = "see the owner and mode of each directory with: namei -l " + path
			default:
				e.Msg = fmt.Sprintf("%s: cannot compute the key from %s: %v", o, path, Errno(ke.Err))
			}
		}},
		{match: is(ipc.ErrCreateByID), code: Usage, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: cannot create a %s by id: use a key, ftok:PATH:PROJ or private", o, o.What)
		}},
		{match: is(ipc.ErrPrivateNoObject), code: Usage, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("private names no existing %s: it only creates", o.What)
			e.Hint = "name an existing " + o.What + " with id:N or a key"
		}},
		{match: is(inventory.ErrNoMatch), code: NoObject, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: no such %s", o, o.What)
			e.Hint = "list them with: ipcx ls"
		}},
		{match: as[*addr.Error](), code: Usage, say: func(_ Object, err error, e *Error) {
			ae := get[*addr.Error](err)
			e.Msg, e.Hint = ae.Error(), ae.Hint
		}},
		{match: as[*msgio.PutBackError](), code: Failure, say: func(o Object, err error, e *Error) {
			pe := get[*msgio.PutBackError](err)
			e.Msg = fmt.Sprintf("%s: cannot write the output: %v", o, pe)
			if errors.Is(pe.Err, msgio.ErrOutputClosed) {
				e.Code = SignalBase + int(sig.SIGPIPE)
			}
		}},
		{match: as[*ipc.PutBackFailedError](), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, get[*ipc.PutBackFailedError](err))
		}},

		// Commands ipcx starts.
		{match: as[*posix.StartError](), say: func(o Object, err error, e *Error) {
			se := get[*posix.StartError](err)
			if errors.Is(err, exec.ErrNotFound) || errors.Is(err, unix.ENOENT) {
				e.Code, e.Msg = 127, fmt.Sprintf("%s: %s: command not found", o, se.Command)
				return
			}
			e.Code, e.Msg = 126, fmt.Sprintf("%s: %s: cannot be executed (%v)", o, se.Command, Errno(err))
		}},

		// Semaphores and shared memory.
		{nouns: "sem", match: is(posix.ErrBadName), code: Usage, say: func(_ Object, err error, e *Error) {
			e.Msg = err.Error()
		}},
		{nouns: "sem", match: is(ipc.ErrIndexPOSIX), code: Usage, say: func(_ Object, _ error, e *Error) {
			e.Msg, e.Hint = "a POSIX semaphore is a single semaphore: drop --index", "--index numbers the semaphores of a System V set"
		}},
		{nouns: "sem", match: as[*ipc.IndexError](), code: Usage, say: func(o Object, err error, e *Error) {
			ie := get[*ipc.IndexError](err)
			if ie.Index < 0 {
				e.Msg = "--index must not be negative"
				return
			}
			e.Msg = fmt.Sprintf("%s: no semaphore %d in the set", o, ie.Index)
			e.Hint = fmt.Sprintf("the set has %d semaphore(s): use --index 0 to %d", ie.NSems, ie.NSems-1)
		}},
		{nouns: "mq", match: is(ipc.ErrCannotPutBack), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, ipc.ErrCannotPutBack)
			e.Hint = "to receive anyway, accepting that a message may be lost: ipcx mq recv --no-putback " + o.Addr
		}},
		{nouns: "sem shm", match: is(posix.ErrTruncated), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, posix.ErrTruncated)
		}},
		{nouns: "sem", match: is(ipc.ErrSymlink), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: /dev/shm/sem.%s is a symbolic link; a semaphore is never opened through one", o, name(o))
			e.Hint = fmt.Sprintf("look at it with: ls -l /dev/shm/sem.%s", name(o))
		}},
		{nouns: "sem", match: as[*ipc.ValueLimitError](), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, get[*ipc.ValueLimitError](err))
		}},
		{nouns: "sem", match: is(ipc.ErrNotSemaphore), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: not a semaphore (the file is not a glibc named semaphore)", o)
			e.Hint = fmt.Sprintf("look at it with: ls -l /dev/shm/sem.%s", name(o))
		}},
		{nouns: "shm", match: is(ipc.ErrSymlink), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: is a symbolic link; shared memory is never opened through one", o)
			e.Hint = fmt.Sprintf("look at it with: ls -l /dev/shm/%s", name(o))
		}},
		{nouns: "shm", match: is(ipc.ErrNotRegular), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: not a regular file in /dev/shm", o)
		}},

		// Creations the system refuses for the sizes asked.
		{match: refused(ipc.ErrAttrRefused), code: Failure, say: func(o Object, err error, e *Error) {
			r := get[*ipc.RefusedError](err)
			e.Msg = fmt.Sprintf("%s: the system refuses --maxmsg %d --msgsize %d", o, r.MaxMsg, r.MsgSize)
			e.Hint = "see the limits in /proc/sys/fs/mqueue/msg_max and msgsize_max (ipcx limits)"
		}},
		{match: refused(ipc.ErrQBytesLimit), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: --max-bytes %d is above msgmnb (/proc/sys/kernel/msgmnb); going above it needs CAP_SYS_RESOURCE", o, get[*ipc.RefusedError](err).MaxBytes)
			e.Hint = "nothing was created; see the limits with: ipcx limits"
		}},
		{match: refused(ipc.ErrNSemsRefused), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: the system refuses --nsems %d", o, get[*ipc.RefusedError](err).NSems)
			e.Hint = "see the limit SEMMSL, the first number in /proc/sys/kernel/sem"
		}},
		{match: refused(ipc.ErrNoRoom), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: no room for %s in /dev/shm", o, Bytes(get[*ipc.RefusedError](err).Size))
		}},
		{match: refused(ipc.ErrSizeRefused), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: the system refuses a segment of %s", o, Bytes(get[*ipc.RefusedError](err).Size))
			e.Hint = "see the limits shmmax and shmall in /proc/sys/kernel"
		}},

		// Queues.
		{nouns: "mq", match: as[*ipc.TooBigError](), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: a message is larger than msgmax (%d bytes)", o, get[*ipc.TooBigError](err).Max)
		}},
		{nouns: "mq", match: is(ipc.ErrBusy), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: another process is registered for notification", o)
			e.Hint = fmt.Sprintf("see its pid with: ipcx mq stat %s", o.Addr)
		}},
		{nouns: "mq", match: is(ipc.ErrNotifyRemoved), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: the notification was removed before a message arrived", o)
		}},

		// Sockets.
		{nouns: "sock", match: as[*net.DNSError](), code: NoObject, say: func(o Object, err error, e *Error) {
			dns := get[*net.DNSError](err)
			e.Msg = fmt.Sprintf("%s: no such host: %s", o, dns.Name)
			if !dns.IsNotFound {
				e.Code, e.Msg = Failure, fmt.Sprintf("%s: cannot look up %s: %s", o, dns.Name, dns.Err)
			}
			e.Hint = "use a numeric address such as tcp:127.0.0.1:PORT or tcp:[::1]:PORT"
		}},
		{nouns: "sock", match: as[*sock.IdleError](), code: Timeout, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: nothing came %s", o, Within("within", get[*sock.IdleError](err).Timeout))
		}},
		{nouns: "sock", match: as[*sock.NotSocketError](), code: Failure, say: func(o Object, err error, e *Error) {
			if o.Verb == "listen" {
				// a file of another kind is in the way: nothing to remove, another path to choose
				e.Msg = fmt.Sprintf("%s: the path exists and is %s", o, NotSocket(get[*sock.NotSocketError](err)))
				e.Hint = "give a path where no file exists: listen makes the socket file itself and never replaces a file"
				return
			}
			e.Msg = fmt.Sprintf("%s: %s", o, NotSocket(get[*sock.NotSocketError](err)))
			e.Hint = "check the path; a listener (ipcx sock listen) makes the socket file there, never over an existing file"
		}},
		{nouns: "sock", match: is(sock.ErrRefused), code: NoObject, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: connection refused: nothing listens there", o)
			e.Hint = "see what listens with: ipcx sock ls --listening"
		}},
		{nouns: "sock", match: is(fs.ErrNotExist), code: NoObject, say: func(o Object, _ error, e *Error) {
			if o.Verb == "listen" {
				e.Msg = fmt.Sprintf("%s: the directory does not exist", o)
				return
			}
			e.Msg = fmt.Sprintf("%s: no such socket file", o)
			e.Hint = fmt.Sprintf("start a listener with: ipcx sock listen %s", o.Addr)
		}},
		{nouns: "sock", match: is(sock.ErrAddrInUse), code: Exists, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: address already in use", o)
			e.Hint = "see who has it with: ipcx sock ls --listening"
			if a, perr := sock.ParseAddr(o.Addr); perr == nil && a.Kind.IsUnix() && !a.Abstract {
				e.Hint += " (a leftover socket file is yours to remove)"
			}
		}},
		{nouns: "sock", match: is(fs.ErrPermission), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: permission denied", o)
			e.Hint = "a UNIX socket needs write permission on its file to connect, and on its directory to listen; ports below 1024 need privilege"
		}},
		{nouns: "sock", match: is(sock.ErrAddrNotLocal), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: not a local address", o)
		}},
		{nouns: "sock", match: is(sock.ErrWrongType), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: the socket there is of another type (stream, dgram, seqpacket)", o)
		}},
		{nouns: "sock", match: as[*sock.DatagramSizeError](), code: Failure, say: func(o Object, err error, e *Error) {
			dse := get[*sock.DatagramSizeError](err)
			size := fmt.Sprintf("%d bytes", dse.Size)
			if dse.More {
				size = "more than " + size
			}
			e.Hint = "send it over a stream socket (unix:) instead, or in smaller pieces"
			if dse.Addr.Kind == sock.UDP {
				e.Hint = "send it over a stream socket (tcp:) instead, or in smaller pieces"
			}
			switch {
			case dse.Limit < 0:
				e.Msg = fmt.Sprintf("%s: the message is %s, too big for one datagram", o, size)
			case dse.Addr.Kind == sock.UDP:
				ipv := "IPv4"
				if dse.Limit > 65507 {
					ipv = "IPv6"
				}
				e.Msg = fmt.Sprintf("%s: the message is %s; a UDP datagram over %s holds at most %d", o, size, ipv, dse.Limit)
			default:
				e.Msg = fmt.Sprintf("%s: the message is %s; a datagram of this socket holds at most %d (its send buffer, SO_SNDBUF, less 32)", o, size, dse.Limit)
				e.Hint += "; the send buffer grows with: sysctl net.core.wmem_default"
			}
		}},
		{nouns: "sock", match: is(sock.ErrMessageSize), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: message too long for one datagram", o)
		}},
		{nouns: "sock", match: is(sock.ErrReset), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: connection reset by the peer", o)
		}},
		{nouns: "sock", match: is(sock.ErrNetUnreach, sock.ErrHostUnreach), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: unreachable", o)
		}},

		// FIFOs, pipes and sockets: byte streams.
		{nouns: "fifo pipe sock", match: as[*posix.NotFIFOError](), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %s", o, NotFIFO(get[*posix.NotFIFOError](err)))
		}},
		{nouns: "fifo pipe sock", match: is(posix.ErrNoReader), code: WouldBlock, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: no reader", o)
			e.Hint = fmt.Sprintf("start a reader first (ipcx fifo read %s), or drop --nonblock to wait for one", o.Addr)
		}},
		{nouns: "fifo pipe sock", match: is(posix.ErrWouldBlock), code: WouldBlock, say: func(o Object, _ error, e *Error) {
			if o.Reading {
				e.Msg = fmt.Sprintf("%s: empty (a writer holds it open)", o)
			}
		}},
		{nouns: "fifo pipe sock", match: is(posix.ErrClosedPipe), code: SignalBase + int(sig.SIGPIPE), say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: the reader went away", o)
		}},
		{nouns: "fifo pipe sock", match: is(fs.ErrNotExist), code: NoObject, say: func(o Object, _ error, e *Error) {
			// Not a missing FIFO but a missing directory: "create the FIFO" would not help.
			if dir := filepath.Dir(o.Addr); !dirExists(dir) {
				e.Msg = fmt.Sprintf("%s: no such directory: %s", o, dir)
			}
		}},
		{nouns: "fifo pipe sock", match: posix.IsBadPath, code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, Errno(err))
		}},
		{nouns: "fifo", match: is(unix.EEXIST), code: Exists, say: func(o Object, _ error, e *Error) {
			if o.Verb == "create" {
				e.Msg = fmt.Sprintf("%s: already exists", o)
				e.Hint = "ipcx never replaces a file; remove it first if it is yours"
			}
		}},
		{nouns: "fifo", match: is(fs.ErrPermission), code: Failure, say: func(o Object, _ error, e *Error) {
			// A FIFO is named by its path: when a directory is what refuses (stat and create fail
			// there alike), name it and point at it, not at a command that fails the same way.
			if dir, why, parent := posix.DeniedDir(o.Addr); dir != "" {
				e.Msg = fmt.Sprintf("%s: permission denied on its directory %s (%s)", o, dir, why)
				if !parent {
					e.Msg = fmt.Sprintf("%s: permission denied on a directory on its path: %s (%s)", o, dir, why)
				}
				e.Hint = "see its owner and mode with: ls -ld " + dir
			}
		}},

		// Namespaces (--ns): a pid names a process, a path a file.
		{nouns: "ns", match: is(unix.ENOENT, unix.ESRCH), code: NoObject, say: func(o Object, _ error, e *Error) {
			if o.PID != 0 {
				e.Msg = fmt.Sprintf("--ns: no process %d", o.PID)
				e.Hint = fmt.Sprintf("is the process still running? (ps -p %d)", o.PID)
				return
			}
			e.Msg = fmt.Sprintf("--ns: no such file: %s", o.Path)
			e.Hint = "--ns takes a pid or an ipc namespace file: /proc/PID/ns/ipc, or a bind mount of one"
		}},
		{nouns: "ns", match: is(unix.EPERM, unix.EACCES), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("--ns: cannot enter %s: permission denied", o.Addr)
			e.Hint = "entering another IPC namespace needs root (CAP_SYS_ADMIN)"
		}},
		{nouns: "ns", match: is(unix.EINVAL), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("--ns: not an IPC namespace file: %s", o.Path)
			e.Hint = "--ns takes a pid or an ipc namespace file: /proc/PID/ns/ipc, or a bind mount of one"
		}},
		{nouns: "ns", match: func(error) bool { return true }, code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("--ns: cannot enter %s: %v", o.Addr, Errno(err))
		}},

		// Signals received (sig trap, wait, snoop): their pidfile and the kernel's trace events.
		{nouns: "sig", match: as[*sig.PidfileError](), code: Failure, say: func(o Object, err error, e *Error) {
			pe := get[*sig.PidfileError](err)
			e.Msg = fmt.Sprintf("%s: cannot write --pidfile %s: %v", o, pe.Path, Errno(pe.Err))
		}},
		{nouns: "sig", match: is(sig.ErrNoTracefs), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, err)
			e.Hint = "the kernel needs CONFIG_FTRACE with signal events; mount it with: mount -t tracefs nodev /sys/kernel/tracing"
		}},

		// Processes (sig): a target that exited, or belongs to another user.
		{nouns: "sig", match: as[*sig.StillRunsError](), code: Timeout, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, get[*sig.StillRunsError](err))
		}},
		{nouns: "sig", match: is(sig.ErrNoProcess, fs.ErrNotExist), code: NoObject, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: no such process", o)
			e.Hint = "it may have exited already; list processes with: ps -e"
		}},
		{nouns: "sig", match: is(fs.ErrPermission), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: permission denied", o)
			e.Hint = "it belongs to another user: run as that user or as root"
		}},

		// Every noun.
		{match: is(context.Canceled), say: func(o Object, _ error, e *Error) {
			s := sig.Interrupted()
			e.Code, e.Msg = SignalBase+int(s), fmt.Sprintf("%s: interrupted by %s", o, unix.SignalName(s))
		}},
		{match: TimedOut, code: Timeout, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: timed out", o)
		}},
		{match: is(unix.EIDRM), code: NoObject, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: the %s was removed", o, o.What)
		}},
		{match: is(unix.ENOENT), code: NoObject, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: no such %s", o, o.What)
			switch {
			case strings.HasPrefix(o.Addr, "id:") || o.Removing:
				if o.Listable {
					e.Hint = fmt.Sprintf("list them with: ipcx %s ls", o.Noun)
				}
			case o.Noun == "shm":
				e.Hint = fmt.Sprintf("create it with: ipcx %s create %s --size N", o.Noun, o.Addr)
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
		{match: is(fs.ErrPermission), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: permission denied", o)
			// Point at a listing, which works for any user, not back at a command that may fail
			// alike; nouns without ls (a FIFO is stat-ed by path, which needs no permission on it)
			// keep stat.
			e.Hint = fmt.Sprintf("see its owner and mode with: ipcx %s ls", o.Noun)
			if !o.Listable {
				e.Hint = fmt.Sprintf("see its owner and mode with: ipcx %s stat %s", o.Noun, o.Addr)
			}
		}},
		{nouns: "shm sem", match: is(unix.ENOSPC), code: Failure, say: func(o Object, _ error, e *Error) {
			// POSIX shared memory and semaphores are files in /dev/shm: ENOSPC is a full tmpfs.
			if strings.HasPrefix(o.Addr, "/") {
				e.Msg = fmt.Sprintf("%s: no space left in /dev/shm", o)
				e.Hint = "see what fills it with: df -h /dev/shm (df -i for inodes); ipcx shm ls"
			}
		}},
		{match: is(unix.ENOSPC), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: a system limit on the number of %ss is reached", o, o.What)
			e.Hint = "see the limits with: ipcx limits"
		}},
		{match: is(unix.ENOMEM), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: not enough memory, or above the system's limits for a %s", o, o.What)
			e.Hint = "see the limits with: ipcx limits"
		}},
		{match: is(unix.EISDIR), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: is a directory, not a %s", o, o.What)
		}},
		{match: is(unix.EMFILE), code: Failure, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s: too many open %ss (queues_max or RLIMIT_MSGQUEUE)", o, o.What)
		}},
		{match: is(posix.ErrNoMqueueFS), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, err)
			e.Hint = "as root: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue"
		}},
		{match: is(posix.ErrPipeSize), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, err)
			e.Hint = "see the limits with: ipcx pipe info"
		}},
	}
}

// TimedOut reports whether err is a wait that ran out of time (exit 124 in the table).
func TimedOut(err error) bool {
	return is(context.DeadlineExceeded, unix.ETIMEDOUT, sig.ErrTimeout)(err)
}

// Bytes says a size: "1 byte", "4096 bytes".
func Bytes(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// name is the object's POSIX name without its leading slash, for the file in /dev/shm.
func name(o Object) string { return strings.TrimPrefix(o.Addr, "/") }

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// NotFIFO says what a path that is not a FIFO is: "not a FIFO (it is a directory)".
func NotFIFO(e *posix.NotFIFOError) string {
	if e.Kind == "" || e.Became {
		return posix.ErrNotFIFO.Error()
	}
	return fmt.Sprintf("%v (it is %s)", posix.ErrNotFIFO, e.Kind)
}

// NotSocket says what a path that is not a socket is: "not a socket (it is a directory)".
func NotSocket(e *sock.NotSocketError) string {
	return fmt.Sprintf("%v (it is %s)", sock.ErrNotSocket, e.Kind)
}

// Errno returns the bare errno inside err, when there is one, for the end of a sentence that has
// already named the object and the call ("permission denied", not "open(/x): permission
// denied").
func Errno(err error) error {
	return posix.BareErrno(err)
}
