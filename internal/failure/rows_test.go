package failure

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/ipcx/ipcx/internal/sock"
	"golang.org/x/sys/unix"
)

// TestRows pins the words, the code and the hint of the rows beyond the general errno ones
// (TestExplain has those).
func TestRows(t *testing.T) {
	mq := Object{Noun: "mq", What: "queue", Addr: "/q", Listable: true}
	sem := Object{Noun: "sem", What: "semaphore", Addr: "/l", Listable: true}
	shm := Object{Noun: "shm", What: "shared memory object", Addr: "/m", Listable: true}
	so := Object{Noun: "sock", What: "socket", Addr: "unix:/tmp/s", Listable: true}
	fifo := Object{Noun: "fifo", What: "FIFO", Addr: "/tmp/f"}
	ns := Object{Noun: "ns", Name: "--ns", Addr: "the IPC namespace of pid 7", PID: 7}
	nsFile := Object{Noun: "ns", Name: "--ns", Addr: "the IPC namespace /x", Path: "/x"}
	proc := Object{Noun: "sig", What: "process", Name: "sig send: process 9", PID: 9}
	key := &ipc.KeyError{Addr: addr.Addr{Kind: addr.Ftok, Path: "/nope"}, Err: unix.ENOENT}
	fifoCreate := fifo
	fifoCreate.Verb = "create"
	reading := fifo
	listen := so
	listen.Verb = "listen"
	reading.Reading = true
	tests := []struct {
		o         Object
		err       error
		code      int
		msg, hint string
	}{
		{mq, &Wait{Now: "queue is empty", Ended: "no message", Prep: "within", Timeout: time.Second, Err: unix.EAGAIN}, WouldBlock, "mq /q: queue is empty", ""},
		{mq, &Wait{Now: "queue is empty", Ended: "no message", Prep: "within", Timeout: time.Second, Err: context.DeadlineExceeded}, Timeout, "mq /q: no message within 1s", ""},
		{mq, &Wait{Now: "queue is empty", Ended: "no message", Prep: "within", Err: context.DeadlineExceeded}, Timeout, "mq /q: queue is empty (--timeout 0 does not wait)", ""},
		{fifo, &Wait{Ended: "no peer opened it", Prep: "within", Err: unix.ETIMEDOUT}, Timeout, "fifo /tmp/f: no peer opened it (--timeout 0 does not wait)", ""},
		{mq, &Progress{After: " (after 2 message(s))", Err: unix.EIDRM}, NoObject, "mq /q: the queue was removed (after 2 message(s))", ""},
		{sem, &Progress{Before: "could not give the unit back:", Err: unix.EACCES}, Failure, "sem /l: could not give the unit back: permission denied", "see its owner and mode with: ipcx sem ls"},
		{mq, key, NoObject, "mq /q: no such file: /nope", "ftok:PATH:PROJ needs an existing file; create it, or name the object by key (0x1a2b) or id (id:N)"},
		{Object{Noun: "ftok", Name: "ftok"}, key, NoObject, "ftok: no such file: /nope", "ftok needs an existing file: its inode makes the key"},
		{mq, ipc.ErrCreateByID, Usage, "mq /q: cannot create a queue by id: use a key, ftok:PATH:PROJ or private", ""},
		{mq, ipc.ErrPrivateNoObject, Usage, "private names no existing queue: it only creates", "name an existing queue with id:N or a key"},
		{mq, ipc.ErrBusy, Failure, "mq /q: another process is registered for notification", "see its pid with: ipcx mq stat /q"},
		{Object{Noun: "pipe", Name: "pipe"}, &posix.StartError{Command: "nope", Err: unix.ENOENT}, 127, "pipe: nope: command not found", ""},
		{Object{Noun: "pipe", Name: "pipe"}, &posix.StartError{Command: "/etc", Err: unix.EACCES}, 126, "pipe: /etc: cannot be executed (permission denied)", ""},
		{sem, ipc.ErrIndexPOSIX, Usage, "a POSIX semaphore is a single semaphore: drop --index", "--index numbers the semaphores of a System V set"},
		{sem, &ipc.IndexError{Index: 3, NSems: 2}, Usage, "sem /l: no semaphore 3 in the set", "the set has 2 semaphore(s): use --index 0 to 1"},
		{sem, ipc.ErrSymlink, Failure, "sem /l: /dev/shm/sem.l is a symbolic link; a semaphore is never opened through one", "look at it with: ls -l /dev/shm/sem.l"},
		{shm, ipc.ErrSymlink, Failure, "shm /m: is a symbolic link; shared memory is never opened through one", "look at it with: ls -l /dev/shm/m"},
		{shm, unix.ENOENT, NoObject, "shm /m: no such shared memory object", "create it with: ipcx shm create /m --size N"},
		{so, &net.DNSError{Name: "x.invalid", IsNotFound: true}, NoObject, "sock unix:/tmp/s: no such host: x.invalid", "use a numeric address such as tcp:127.0.0.1:PORT or tcp:[::1]:PORT"},
		{so, &sock.IdleError{Timeout: 2 * time.Second}, Timeout, "sock unix:/tmp/s: nothing came within 2s", ""},
		{so, sock.ErrRefused, NoObject, "sock unix:/tmp/s: connection refused: nothing listens there", "see what listens with: ipcx sock ls --listening"},
		{so, unix.ENOENT, NoObject, "sock unix:/tmp/s: no such socket file", "start a listener with: ipcx sock listen unix:/tmp/s"},
		{so, sock.ErrAddrInUse, Exists, "sock unix:/tmp/s: address already in use", "see who has it with: ipcx sock ls --listening (a leftover socket file is yours to remove)"},
		{so, sock.ErrReset, Failure, "sock unix:/tmp/s: connection reset by the peer", ""},
		{fifo, posix.ErrNoReader, WouldBlock, "fifo /tmp/f: no reader", "start a reader first (ipcx fifo read /tmp/f), or drop --nonblock to wait for one"},
		{fifo, posix.ErrClosedPipe, 141, "fifo /tmp/f: the reader went away", ""},
		{reading, posix.ErrWouldBlock, WouldBlock, "fifo /tmp/f: empty (a writer holds it open)", ""},
		{Object{Noun: "fifo", What: "FIFO", Addr: "/no/such/dir/f"}, unix.ENOENT, NoObject, "fifo /no/such/dir/f: no such directory: /no/such/dir", ""},
		{fifoCreate, unix.EEXIST, Exists, "fifo /tmp/f: already exists", "ipcx never replaces a file; remove it first if it is yours"},
		{ns, unix.ESRCH, NoObject, "--ns: no process 7", "is the process still running? (ps -p 7)"},
		{nsFile, unix.ENOENT, NoObject, "--ns: no such file: /x", "--ns takes a pid or an ipc namespace file: /proc/PID/ns/ipc, or a bind mount of one"},
		{ns, unix.EPERM, Failure, "--ns: cannot enter the IPC namespace of pid 7: permission denied", "entering another IPC namespace needs root (CAP_SYS_ADMIN)"},
		{nsFile, unix.EINVAL, Failure, "--ns: not an IPC namespace file: /x", "--ns takes a pid or an ipc namespace file: /proc/PID/ns/ipc, or a bind mount of one"},
		{proc, sig.ErrNoProcess, NoObject, "sig send: process 9: no such process", "it may have exited already; list processes with: ps -e"},
		{proc, unix.EPERM, Failure, "sig send: process 9: permission denied", "it belongs to another user: run as that user or as root"},
		{Object{Noun: "sig", Name: "sig send"}, &Wait{Ended: "process 9 still runs", Prep: "after", Timeout: time.Second, Err: &sig.StillRunsError{Pid: 9}}, Timeout, "sig send: process 9 still runs after 1s", ""},
		{mq, posix.ErrNoMqueueFS, Failure, fmt.Sprintf("mq /q: %v", posix.ErrNoMqueueFS), "as root: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue"},
		{mq, &ipc.RefusedError{MaxMsg: 10, MsgSize: 99, Err: ipc.ErrAttrRefused}, Failure, "mq /q: the system refuses --maxmsg 10 --msgsize 99", "see the limits in /proc/sys/fs/mqueue/msg_max and msgsize_max (ipcx limits)"},
		{mq, &ipc.RefusedError{MaxBytes: 5, Err: ipc.ErrQBytesLimit}, Failure, "mq /q: --max-bytes 5 is above msgmnb (/proc/sys/kernel/msgmnb); going above it needs CAP_SYS_RESOURCE", "nothing was created; see the limits with: ipcx limits"},
		{sem, &ipc.RefusedError{NSems: 9, Err: ipc.ErrNSemsRefused}, Failure, "sem /l: the system refuses --nsems 9", "see the limit SEMMSL, the first number in /proc/sys/kernel/sem"},
		{shm, &ipc.RefusedError{Size: 1, Err: ipc.ErrNoRoom}, Failure, "shm /m: no room for 1 byte in /dev/shm", ""},
		{shm, &ipc.RefusedError{Size: 8, Err: ipc.ErrSizeRefused}, Failure, "shm /m: the system refuses a segment of 8 bytes", "see the limits shmmax and shmall in /proc/sys/kernel"},
		{mq, &ipc.TooBigError{Max: 8192, Err: ipc.ErrRecvTooLarge}, Failure, "mq /q: a message is larger than msgmax (8192 bytes)", ""},
		{listen, unix.ENOENT, NoObject, "sock unix:/tmp/s: the directory does not exist", ""},
		{listen, &sock.NotSocketError{Kind: "a directory"}, Failure, "sock unix:/tmp/s: the path exists and is not a socket (it is a directory)", "give a path where no file exists: listen makes the socket file itself and never replaces a file"},
		{so, &sock.NotSocketError{Kind: "a directory"}, Failure, "sock unix:/tmp/s: not a socket (it is a directory)", "check the path; a listener (ipcx sock listen) makes the socket file there, never over an existing file"},
		{Object{Noun: "sig", Name: "sig trap"}, &sig.PidfileError{Path: "/x/p", Err: &os.PathError{Op: "open", Path: "/x/p", Err: unix.ENOENT}}, Failure, "sig trap: cannot write --pidfile /x/p: no such file or directory", ""},
		{Object{Noun: "sig", Name: "sig snoop"}, fmt.Errorf("%w: %w", sig.ErrNoTracefs, unix.EPERM), Failure, "sig snoop: tracefs is not available: operation not permitted", "the kernel needs CONFIG_FTRACE with signal events; mount it with: mount -t tracefs nodev /sys/kernel/tracing"},
		{Object{Noun: "sig", Name: "sig wait"}, &Wait{Now: "no signal pending", Ended: "no signal", Prep: "within", Timeout: 2 * time.Second, Err: sig.ErrTimeout}, Timeout, "sig wait: no signal within 2s", ""},
		{Object{Noun: "sig", Name: "sig wait"}, &Wait{Now: "no signal pending", Ended: "no signal", Prep: "within", Err: sig.ErrTimeout}, Timeout, "sig wait: no signal pending (--timeout 0 does not wait)", ""},
		{Object{Name: "0x1", What: "object of the kinds selected"}, inventory.ErrNoMatch, NoObject, "0x1: no such object of the kinds selected", "list them with: ipcx ls"},
		{mq, errors.New("odd"), Failure, "mq /q: odd", ""},
	}
	for _, tt := range tests {
		err := tt.o.Explain(tt.err)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%v: Explain returned %T", tt.err, err)
			continue
		}
		if e.Code != tt.code || e.Msg != tt.msg || e.Hint != tt.hint {
			t.Errorf("Explain(%v) = %d %q %q\n want %d %q %q", tt.err, e.Code, e.Msg, e.Hint, tt.code, tt.msg, tt.hint)
		}
	}
	if err := reading.Explain(posix.ErrClosedPipe); Code(err) != 141 || err.Error() != "exit status 141" {
		t.Errorf("standard output closed while reading: %v", err)
	}
}

func TestWithin(t *testing.T) {
	if got := Within("for", 5*time.Second); got != "for 5s" {
		t.Errorf("Within = %q", got)
	}
	if got := Within("within", 0); got != NoWait {
		t.Errorf("Within(0) = %q", got)
	}
}
