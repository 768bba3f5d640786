package posix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// System call numbers x/sys/unix does not name (amd64).
const (
	sysMqOpen         = 240
	sysMqUnlink       = 241
	sysMqTimedsend    = 242
	sysMqTimedreceive = 243
	sysMqNotify       = 244
	sysMqGetsetattr   = 245
)

// MqAttr is struct mq_attr.
type MqAttr struct {
	Flags   int64 // O_NONBLOCK or 0
	MaxMsg  int64 // most messages the queue holds
	MsgSize int64 // largest message in bytes
	CurMsgs int64 // messages now on the queue
	_       [4]int64
}

// Queue is an open POSIX message queue. Its descriptor is non-blocking and registered with Go's
// poller: blocking sends and receives wait in the poller, so they honour a context's cancellation
// and deadline without a thread parked in the kernel.
type Queue struct {
	Name string // with its leading slash
	f    *os.File
	rc   interface {
		Read(func(fd uintptr) bool) error
		Write(func(fd uintptr) bool) error
	}
	attr MqAttr
}

// MqOpen opens (with unix.O_CREAT, creates) the queue name ("/jobs") the way mq_open(3) does.
// flags is O_RDONLY, O_WRONLY or O_RDWR with O_CREAT and O_EXCL; attr may be nil for the system
// defaults. The mode of a new queue is filtered by the umask.
func MqOpen(name string, flags int, mode uint32, attr *MqAttr) (*Queue, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	p, err := unix.BytePtrFromString(name[1:]) // the kernel takes the name without its slash
	if err != nil {
		return nil, err
	}
	r, _, e := unix.Syscall6(sysMqOpen, uintptr(unsafe.Pointer(p)), uintptr(flags|unix.O_NONBLOCK|unix.O_CLOEXEC), uintptr(mode), uintptr(unsafe.Pointer(attr)), 0, 0)
	if e != 0 {
		return nil, fmt.Errorf("mq_open(%s): %w", name, e)
	}
	q := &Queue{Name: name, f: os.NewFile(r, name)}
	rc, err := q.f.SyscallConn()
	if err != nil {
		q.f.Close()
		return nil, err
	}
	q.rc = rc
	if err := q.getattr(); err != nil {
		q.f.Close()
		return nil, err
	}
	return q, nil
}

// MqUnlink removes the queue name; open descriptors keep working until closed. See mq_unlink(3).
func MqUnlink(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	p, err := unix.BytePtrFromString(name[1:])
	if err != nil {
		return err
	}
	if _, _, e := unix.Syscall(sysMqUnlink, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
		return fmt.Errorf("mq_unlink(%s): %w", name, e)
	}
	return nil
}

// Close closes the queue descriptor.
func (q *Queue) Close() error { return q.f.Close() }

// Fd returns the queue descriptor.
func (q *Queue) Fd() uintptr { return q.f.Fd() }

func (q *Queue) getattr() error {
	if _, _, e := unix.Syscall(sysMqGetsetattr, q.f.Fd(), 0, uintptr(unsafe.Pointer(&q.attr))); e != 0 {
		return fmt.Errorf("mq_getattr(%s): %w", q.Name, e)
	}
	return nil
}

// Attr returns the queue's current attributes (CurMsgs as of now). The Flags are the blocking mode
// ipcx uses internally (always O_NONBLOCK) and say nothing about the queue.
func (q *Queue) Attr() (MqAttr, error) {
	err := q.getattr()
	return q.attr, err
}

// MsgSize is the largest message the queue takes, as read when it was opened.
func (q *Queue) MsgSize() int { return int(q.attr.MsgSize) }

// Send puts msg on the queue with priority prio. When the queue is full it waits until there is
// room, ctx is done (ctx.Err() is returned: context.Canceled or context.DeadlineExceeded), unless
// nonblock, which returns EAGAIN at once. A message longer than MsgSize gives EMSGSIZE.
func (q *Queue) Send(ctx context.Context, msg []byte, prio uint, nonblock bool) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	var errno error
	op := func(fd uintptr) bool {
		_, _, e := unix.Syscall6(sysMqTimedsend, fd, uintptr(p), uintptr(len(msg)), uintptr(prio), 0, 0)
		if e == unix.EINTR {
			return false
		}
		errno = errnoErr(e)
		return !(errno == unix.EAGAIN && !nonblock)
	}
	if err := q.wait(ctx, q.rc.Write, op, nonblock); err != nil {
		return err
	}
	if errno != nil {
		return fmt.Errorf("mq_send(%s): %w", q.Name, errno)
	}
	return nil
}

// Receive takes the oldest message of the highest priority into buf, which must hold MsgSize bytes
// (else EMSGSIZE), and returns its length and priority. When the queue is empty it waits as Send
// does; with nonblock it returns EAGAIN.
func (q *Queue) Receive(ctx context.Context, buf []byte, nonblock bool) (int, uint, error) {
	if len(buf) == 0 {
		return 0, 0, fmt.Errorf("mq_receive(%s): empty buffer: %w", q.Name, unix.EMSGSIZE)
	}
	var n uintptr
	var prio uint32
	var errno error
	op := func(fd uintptr) bool {
		r, _, e := unix.Syscall6(sysMqTimedreceive, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&prio)), 0, 0)
		if e == unix.EINTR {
			return false
		}
		n, errno = r, errnoErr(e)
		return !(errno == unix.EAGAIN && !nonblock)
	}
	if err := q.wait(ctx, q.rc.Read, op, nonblock); err != nil {
		return 0, 0, err
	}
	if errno != nil {
		return 0, 0, fmt.Errorf("mq_receive(%s): %w", q.Name, errno)
	}
	return int(n), uint(prio), nil
}

// wait runs op through the poller (rw is the RawConn's Read or Write): op is tried at once, and
// again each time the descriptor is ready, until it reports done. ctx's deadline and cancellation
// end the wait through the file's deadline, set only when the first try would block.
func (q *Queue) wait(ctx context.Context, rw func(func(uintptr) bool) error, op func(uintptr) bool, nonblock bool) error {
	if nonblock || ctx.Done() == nil {
		return rw(op)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The fast path: one attempt without arming anything.
	done := false
	if err := rw(func(fd uintptr) bool { done = op(fd); return true }); err != nil {
		return err
	}
	if done {
		return nil
	}
	if d, ok := ctx.Deadline(); ok {
		q.f.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { q.f.SetDeadline(time.Unix(1, 0)) })
	err := rw(op)
	stop()
	q.f.SetDeadline(time.Time{})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return context.DeadlineExceeded
	}
	return err
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
