//go:build linux

package posix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// MqAttr is struct mq_attr.
type MqAttr struct {
	Flags   int64 // O_NONBLOCK or 0
	MaxMsg  int64 // most messages the queue holds
	MsgSize int64 // largest message in bytes
	CurMsgs int64 // messages now on the queue
	_       [4]int64
}

// Queue is an open POSIX message queue. Its descriptor is in blocking mode: a send or receive
// that must wait sleeps in the kernel (mq_timedsend/mq_timedreceive with an absolute timeout),
// which is as fast as C; cancellation is checked between slices of at most waitSlice.
type Queue struct {
	Name string // with its leading slash
	f    *os.File
	attr MqAttr
}

// waitSlice bounds one sleep in the kernel, so that a cancelled context is noticed in time.
const waitSlice = 100 * time.Millisecond

// MqOpen opens (with unix.O_CREAT, creates) the queue name ("/jobs") the way mq_open(3) does.
// flags is O_RDONLY, O_WRONLY or O_RDWR with O_CREAT and O_EXCL; attr may be nil for the system
// defaults. The mode of a new queue is filtered by the umask.
func MqOpen(name string, flags int, mode uint32, attr *MqAttr) (*Queue, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	p, err := kernelName(name)
	if err != nil {
		return nil, err
	}
	r, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)), uintptr(flags&^unix.O_NONBLOCK|unix.O_CLOEXEC), uintptr(mode), uintptr(unsafe.Pointer(attr)), 0, 0)
	if e != 0 {
		return nil, fmt.Errorf("mq_open(%s): %w", name, e)
	}
	q := &Queue{Name: name, f: os.NewFile(r, name)}
	if err := q.getattr(); err != nil {
		q.f.Close()
		return nil, err
	}
	return q, nil
}

// MqCreate creates the queue name with exactly mode (set with fchmod after creating it
// exclusively, so the umask does not narrow it) and opens it with flags (O_RDONLY, O_WRONLY or
// O_RDWR). A queue that exists already is opened as it is (created false), or refused with
// EEXIST when exclusive. attr may be nil for the system defaults.
func MqCreate(name string, flags int, mode uint32, attr *MqAttr, exclusive bool) (q *Queue, created bool, err error) {
	q, err = MqOpen(name, flags|unix.O_CREAT|unix.O_EXCL, mode, attr)
	if errors.Is(err, unix.EEXIST) && !exclusive {
		q, err = MqOpen(name, flags, 0, nil)
		return q, false, err
	}
	if err != nil {
		return nil, false, err
	}
	if err := q.Chmod(mode); err != nil {
		q.Close()
		return nil, true, err
	}
	return q, true, nil
}

// MqGetAttr returns the attributes of the queue name (maxmsg, msgsize, messages now) with one
// open, one mq_getattr and one close: for listings, where an os.File per queue costs more.
func MqGetAttr(name string) (MqAttr, error) {
	var attr MqAttr
	if err := ValidName(name); err != nil {
		return attr, err
	}
	p, err := kernelName(name)
	if err != nil {
		return attr, err
	}
	r, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)), uintptr(unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0, 0)
	if e != 0 {
		return attr, fmt.Errorf("mq_open(%s): %w", name, e)
	}
	defer unix.Close(int(r))
	if _, _, e := unix.Syscall(unix.SYS_MQ_GETSETATTR, r, 0, uintptr(unsafe.Pointer(&attr))); e != 0 {
		return attr, fmt.Errorf("mq_getattr(%s): %w", name, e)
	}
	return attr, nil
}

// kernelName returns name as mq_open(2) and mq_unlink(2) take it: without its leading slash, as
// glibc passes it, a pointer one byte into the NUL-terminated name. The slash stays in memory just
// before it because qemu-user's emulation of these calls reads the name from one byte earlier and
// gives it to the host's mq_open(3), which wants the slash.
func kernelName(name string) (*byte, error) {
	b, err := unix.ByteSliceFromString(name)
	if err != nil {
		return nil, err
	}
	return &b[1], nil
}

// MqUnlink removes the queue name; open descriptors keep working until closed. See mq_unlink(3).
func MqUnlink(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	p, err := kernelName(name)
	if err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
		return fmt.Errorf("mq_unlink(%s): %w", name, e)
	}
	return nil
}

// Chmod sets the queue's permission bits exactly (mq_open applies the umask).
func (q *Queue) Chmod(mode uint32) error {
	if err := unix.Fchmod(int(q.f.Fd()), mode); err != nil {
		return fmt.Errorf("fchmod(%s): %w", q.Name, err)
	}
	return nil
}

// Stat describes the queue's inode: mode, owner and times (not its messages: see Attr).
func (q *Queue) Stat() (MqInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(q.f.Fd()), &st); err != nil {
		return MqInfo{}, fmt.Errorf("fstat(%s): %w", q.Name, err)
	}
	return mqInfoOf(q.Name, &st), nil
}

// Close closes the queue descriptor.
func (q *Queue) Close() error { return q.f.Close() }

// Fd returns the queue descriptor.
func (q *Queue) Fd() uintptr { return q.f.Fd() }

func (q *Queue) getattr() error {
	if _, _, e := unix.Syscall(unix.SYS_MQ_GETSETATTR, q.f.Fd(), 0, uintptr(unsafe.Pointer(&q.attr))); e != 0 {
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
// room or ctx is done (ctx.Err() is returned: context.Canceled, or context.DeadlineExceeded when
// its deadline passed); with nonblock it returns EAGAIN at once. A message longer than MsgSize
// gives EMSGSIZE.
func (q *Queue) Send(ctx context.Context, msg []byte, prio uint, nonblock bool) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	var within time.Duration = -1
	if nonblock {
		within = 0
	}
	fd := q.f.Fd()
	// The first attempt, with a timeout already past, never sleeps: it is made without telling
	// the Go scheduler, whose bookkeeping costs more than the call's own work in user space.
	_, _, e := unix.RawSyscall6(unix.SYS_MQ_TIMEDSEND, fd, uintptr(p), uintptr(len(msg)), uintptr(prio), uintptr(unsafe.Pointer(&expired)), 0)
	if e == 0 {
		return nil
	}
	err := q.timed(ctx, within, e, func(ts unix.Timespec) unix.Errno {
		_, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, fd, uintptr(p), uintptr(len(msg)), uintptr(prio), uintptr(unsafe.Pointer(&ts)), 0)
		return e
	})
	if err != nil && ctx.Err() == nil || errors.Is(err, unix.EAGAIN) {
		return fmt.Errorf("mq_send(%s): %w", q.Name, err)
	}
	return err
}

// Receive takes the oldest message of the highest priority into buf, which must hold MsgSize bytes
// (else EMSGSIZE), and returns its length and priority. When the queue is empty it waits as Send
// does; with nonblock it returns EAGAIN.
func (q *Queue) Receive(ctx context.Context, buf []byte, nonblock bool) (int, uint, error) {
	var within time.Duration = -1
	if nonblock {
		within = 0
	}
	return q.ReceiveWithin(ctx, buf, within)
}

// ReceiveWithin is Receive waiting at most d for a message (EAGAIN after it); d = 0 does not wait,
// d < 0 waits as long as ctx allows.
func (q *Queue) ReceiveWithin(ctx context.Context, buf []byte, d time.Duration) (int, uint, error) {
	if len(buf) == 0 {
		return 0, 0, fmt.Errorf("mq_receive(%s): empty buffer: %w", q.Name, unix.EMSGSIZE)
	}
	var prio uint32
	fd, p := q.f.Fd(), uintptr(unsafe.Pointer(&buf[0]))
	// As in Send: the first attempt never sleeps, and is made outside the scheduler.
	n, _, e := unix.RawSyscall6(unix.SYS_MQ_TIMEDRECEIVE, fd, p, uintptr(len(buf)), uintptr(unsafe.Pointer(&prio)), uintptr(unsafe.Pointer(&expired)), 0)
	if e == 0 {
		return int(n), uint(prio), nil
	}
	err := q.timed(ctx, d, e, func(ts unix.Timespec) unix.Errno {
		r, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, fd, p, uintptr(len(buf)), uintptr(unsafe.Pointer(&prio)), uintptr(unsafe.Pointer(&ts)), 0)
		n = r
		return e
	})
	if err != nil {
		if ctx.Err() == nil || errors.Is(err, unix.EAGAIN) {
			return 0, 0, fmt.Errorf("mq_receive(%s): %w", q.Name, err)
		}
		return 0, 0, err
	}
	return int(n), uint(prio), nil
}

// spinTries is how often a would-block call is retried before sleeping.
const spinTries = 8

// expired is an absolute time long past: a timed call with it never sleeps.
var expired = unix.Timespec{}

// The calls take the timeout by value and pass its address straight to the system call, so it
// stays on the stack: no allocation per message.

// timed runs call, a mq_timed* system call taking an absolute CLOCK_REALTIME timeout, until it
// succeeds, fails for good, or ctx is done. It waits at most within (0: tries once, with a timeout
// already past; < 0: as long as ctx allows) and reports a wait that ran out as EAGAIN.
//
// first is what a first attempt, made with the timeout already past, returned (not 0).
func (q *Queue) timed(ctx context.Context, within time.Duration, first unix.Errno, call func(unix.Timespec) unix.Errno) error {
	switch {
	case first != unix.ETIMEDOUT:
		return first
	case within == 0:
		return unix.EAGAIN
	}
	// A peer on another CPU usually makes room (or a message) within microseconds: retry a few
	// times, yielding, before sleeping in the kernel, as adaptive mutexes do. A sleep and its
	// wake-up cost a Go program more than a C one.
	for range spinTries - 1 {
		runtime.Gosched()
		switch e := call(expired); e {
		case 0:
			return nil
		case unix.ETIMEDOUT:
		default:
			return e
		}
	}
	deadline, hasDeadline := ctx.Deadline()
	var giveUp time.Time
	if within > 0 {
		giveUp = time.Now().Add(within)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Sleep in the kernel no longer than a slice, so that cancellation is noticed.
		now := time.Now()
		until := now.Add(waitSlice)
		if hasDeadline && deadline.Before(until) {
			until = deadline
		}
		if within > 0 && giveUp.Before(until) {
			until = giveUp
		}
		switch e := call(unix.NsecToTimespec(until.UnixNano())); e {
		case 0:
			return nil
		case unix.ETIMEDOUT, unix.EINTR:
			now = time.Now()
			if hasDeadline && !now.Before(deadline) {
				return context.DeadlineExceeded
			}
			if within > 0 && !now.Before(giveUp) {
				return unix.EAGAIN
			}
		default:
			return e
		}
	}
}
