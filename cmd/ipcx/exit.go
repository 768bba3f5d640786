package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/posix"
	"golang.org/x/sys/unix"
)

// Exit codes: DEVELOPERS.md and exitStatusHelp list them.
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitNoObject   = 3
	exitExists     = 4
	exitWouldBlock = 5
	exitTimeout    = 124
	exitSignalBase = 128
)

// cmdError is an error as the user sees it: "ipcx: <msg>", an optional hint line, and an exit code.
type cmdError struct {
	code int
	msg  string
	hint string
}

func (e *cmdError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &cmdError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// usageHint is a usage error with a hint line.
func usageHint(hint, format string, args ...any) error {
	return &cmdError{code: exitUsage, msg: fmt.Sprintf(format, args...), hint: hint}
}

// keyError reports an address whose System V key cannot be computed: ftok(3) of a file that is
// missing (exit 3) or cannot be reached. noun is the command's ("mq"), for the message.
func keyError(noun string, a addr.Addr, err error) error {
	e := ftokError(fmt.Sprintf("%s %s", noun, a), a.Path, err)
	if e.code == exitNoObject {
		e.hint = "ftok:PATH:PROJ needs an existing file; create it, or name the object by key (0x1a2b) or id (id:N)"
	}
	return e
}

// ftokError says why ftok(3) of path failed, chosen by errno: a missing file (exit 3), a path
// that cannot be searched (stat needs no permission on the file itself, only on the directories
// that lead to it), or another cause. subject names what was asked: "ftok", "mq ftok:/x:1".
func ftokError(subject, path string, err error) *cmdError {
	e := &cmdError{code: exitFailure}
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
		e.code, e.msg = exitNoObject, fmt.Sprintf("%s: no such file: %s", subject, path)
		e.hint = "ftok needs an existing file: its inode makes the key"
	case errors.Is(err, unix.EACCES):
		e.msg = fmt.Sprintf("%s: no permission to stat %s: a directory on its path cannot be searched", subject, path)
		e.hint = "see the owner and mode of each directory with: namei -l " + path
	default:
		e.msg = fmt.Sprintf("%s: cannot compute the key from %s: %v", subject, path, unwrapErrno(err))
	}
	return e
}

// run executes the command line and returns the exit code. It is main without os.Exit.
func run(args []string, io *iostreams.IOStreams) (code int) {
	defer func() {
		// No Go stack reaches the user; the message still names what went wrong.
		if r := recover(); r != nil {
			fmt.Fprintf(io.ErrOut, "ipcx: internal error: %v\nipcx: hint: please report this with the command line that caused it\n", r)
			code = exitFailure
		}
	}()
	root := newRootCmd(io)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var se *silentExit
	if errors.As(err, &se) {
		return se.code
	}
	var ce *cmdError
	if !errors.As(err, &ce) {
		// Errors cobra makes itself (unknown command, bad flag) are usage errors.
		ce = &cmdError{code: exitUsage, msg: err.Error()}
		if cmd != nil && strings.HasPrefix(err.Error(), "unknown command") {
			ce.hint = fmt.Sprintf("see: %s --help", cmd.CommandPath())
		}
	}
	// A usage error about a flag names the command it was given to, as cobra's own flag errors
	// do: "ipcx: mq recv: --count must be at least 1".
	if ce.code == exitUsage && strings.HasPrefix(ce.msg, "-") && cmd != nil && cmd.HasParent() {
		ce.msg = cmdPath(cmd) + ": " + ce.msg
	}
	printError(io.ErrOut, ce)
	return ce.code
}

func printError(w io.Writer, e *cmdError) {
	fmt.Fprintf(w, "ipcx: %s\n", e.msg)
	if e.hint != "" {
		fmt.Fprintf(w, "ipcx: hint: %s\n", e.hint)
	}
}

// object names an IPC object in messages: its command noun ("mq"), what it is called in a sentence
// ("queue") and its address as the user wrote it.
type object struct {
	noun string
	what string
	addr string
	// removing: the command removes the object, so a missing one is not to be created but looked
	// for among those that exist.
	removing bool
}

// toRemove marks o as the object of a removal, for fail's hints.
func (o object) toRemove() object {
	o.removing = true
	return o
}

func (o object) String() string { return o.noun + " " + o.addr }

// fail turns an error from the domain into what the user sees: the object, the cause in words, the
// way out, and the exit code. Errors that are already cmdErrors pass through.
func (o object) fail(err error) error {
	if err == nil {
		return nil
	}
	var ce *cmdError
	if errors.As(err, &ce) {
		return err
	}
	e := &cmdError{code: exitFailure}
	var ae *addr.Error
	var pe *msgio.PutBackError
	var ke *ipc.KeyError
	switch {
	case errors.As(err, &ke):
		return keyError(o.noun, ke.Addr, ke.Err)
	case errors.Is(err, ipc.ErrCreateByID):
		return usageErrorf("%s: cannot create a %s by id: use a key, ftok:PATH:PROJ or private", o, o.what)
	case errors.Is(err, ipc.ErrPrivateNoObject):
		return usageHint("name an existing "+o.what+" with id:N or a key", "private names no existing %s: it only creates", o.what)
	case errors.As(err, &ae):
		e.code, e.msg, e.hint = exitUsage, ae.Error(), ae.Hint
		return e
	case errors.As(err, &pe):
		e.msg = fmt.Sprintf("%s: cannot write the output: %v", o, pe)
		if errors.Is(pe.Err, msgio.ErrOutputClosed) {
			e.code = exitSignalBase + int(unix.SIGPIPE)
		}
		return e
	case errors.Is(err, context.Canceled):
		sig := interruptSignal()
		e.code, e.msg = exitSignalBase+int(sig), fmt.Sprintf("%s: interrupted by %s", o, unix.SignalName(sig))
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, unix.ETIMEDOUT):
		e.code, e.msg = exitTimeout, fmt.Sprintf("%s: timed out", o)
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EIDRM):
		e.code, e.msg = exitNoObject, fmt.Sprintf("%s: no such %s", o, o.what)
		if errors.Is(err, unix.EIDRM) {
			e.msg = fmt.Sprintf("%s: the %s was removed", o, o.what)
		} else if strings.HasPrefix(o.addr, "id:") || o.removing {
			if listable(o.noun) {
				e.hint = fmt.Sprintf("list them with: ipcx %s ls", o.noun)
			}
		} else {
			e.hint = fmt.Sprintf("create it with: ipcx %s create %s", o.noun, o.addr)
		}
	case errors.Is(err, unix.EEXIST):
		e.code, e.msg = exitExists, fmt.Sprintf("%s: already exists", o)
		e.hint = fmt.Sprintf("use it as it is, or remove it first with: ipcx %s rm %s", o.noun, o.addr)
	case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.ENOMSG):
		e.code, e.msg = exitWouldBlock, fmt.Sprintf("%s: would block", o)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		e.msg = fmt.Sprintf("%s: permission denied", o)
		// Point at a listing, which works for any user, not back at a command that may fail alike;
		// nouns without ls (a FIFO is stat-ed by path, which needs no permission on it) keep stat.
		e.hint = fmt.Sprintf("see its owner and mode with: ipcx %s ls", o.noun)
		if !listable(o.noun) {
			e.hint = fmt.Sprintf("see its owner and mode with: ipcx %s stat %s", o.noun, o.addr)
		}
		// A FIFO is named by its path: when a directory is what refuses (stat and create fail
		// there alike), name it and point at it, not at a command that fails the same way.
		if o.noun == "fifo" {
			if dir, why, parent := posix.DeniedDir(o.addr); dir != "" {
				e.msg = fmt.Sprintf("%s: permission denied on its directory %s (%s)", o, dir, why)
				if !parent {
					e.msg = fmt.Sprintf("%s: permission denied on a directory on its path: %s (%s)", o, dir, why)
				}
				e.hint = "see its owner and mode with: ls -ld " + dir
			}
		}
	case errors.Is(err, unix.ENOSPC) && (o.noun == "shm" || o.noun == "sem") && strings.HasPrefix(o.addr, "/"):
		// POSIX shared memory and semaphores are files in /dev/shm: ENOSPC is a full tmpfs.
		e.msg = fmt.Sprintf("%s: no space left in /dev/shm", o)
		e.hint = "see what fills it with: df -h /dev/shm (df -i for inodes); ipcx shm ls"
	case errors.Is(err, unix.ENOSPC):
		e.msg = fmt.Sprintf("%s: a system limit on the number of %ss is reached", o, o.what)
		e.hint = "see the limits with: ipcx limits"
	case errors.Is(err, unix.ENOMEM):
		e.msg = fmt.Sprintf("%s: not enough memory, or above the system's limits for a %s", o, o.what)
		e.hint = "see the limits with: ipcx limits"
	case errors.Is(err, unix.EISDIR):
		e.msg = fmt.Sprintf("%s: is a directory, not a %s", o, o.what)
	case errors.Is(err, unix.EMFILE):
		e.msg = fmt.Sprintf("%s: too many open %ss (queues_max or RLIMIT_MSGQUEUE)", o, o.what)
	case errors.Is(err, posix.ErrNoMqueueFS):
		e.msg = fmt.Sprintf("%s: %v", o, err)
		e.hint = "as root: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue"
	default:
		e.msg = fmt.Sprintf("%s: %v", o, err)
	}
	return e
}
