//go:build linux

package ipc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// ErrNotifyRemoved: the mq_notify(3) registration ended without a message.
var ErrNotifyRemoved = posix.ErrNotifyRemoved

// QueueOptions say how OpenQueue and CreateQueue open a queue.
type QueueOptions struct {
	Send    bool // open for sending
	Receive bool // open for receiving
	// PutBack, with Receive: open for sending too, so that a message taken can be put back;
	// without write permission the queue is refused (ErrCannotPutBack) unless MayLose, with
	// which it is opened for receiving alone.
	PutBack bool
	MayLose bool // with PutBack: the caller accepts that a message may be lost (--no-putback)

	Create    bool   // make a missing queue
	Exclusive bool   // with Create: fail with EEXIST when it exists
	Mode      uint32 // with Create: permission bits of a new queue, set exactly
	MaxMsg    int64  // POSIX, with Create: most messages (with MsgSize; 0: the system default)
	MsgSize   int64  // POSIX, with Create: largest message in bytes
	MaxBytes  uint64 // System V, with Create: msg_qbytes of a new queue (0: msgmnb)

	Type   int64 // System V receive: msgrcv's msgtyp
	Except bool  // System V receive: MSG_EXCEPT
}

// Queue is an open message queue of either flavor.
type Queue struct {
	px     *posix.Queue // POSIX
	id     sysv.ID      // System V
	typ    int64
	except bool
	max    int
	limit  string
	img    []byte // System V: the msgbuf image of the message being sent, reused
}

const msgmaxLimit = "msgmax (/proc/sys/kernel/msgmax)"

// OpenQueue opens the queue a names for o.Send and/or o.Receive, creating it with o.Create.
func OpenQueue(a addr.Addr, o QueueOptions) (*Queue, error) {
	q, err := openQueue(a, o)
	if o.PutBack && o.Receive && errors.Is(err, unix.EACCES) {
		// Without write permission nothing could be put back: receive anyway only when the
		// caller accepts that a message may be lost (a queue it may not read stays EACCES).
		ro := o
		ro.Send, ro.PutBack = false, false
		q, err = openQueue(a, ro)
		if err == nil && !o.MayLose {
			q.Close()
			return nil, ErrCannotPutBack
		}
	}
	if err == nil && o.PutBack && o.Receive && !o.MayLose && q.px == nil && !canPutBack(q.id) {
		return nil, ErrCannotPutBack
	}
	return q, err
}

func openQueue(a addr.Addr, o QueueOptions) (*Queue, error) {
	if o.PutBack && o.Receive {
		o.Send = true
	}
	if a.Kind == addr.POSIX {
		flags := unix.O_RDWR
		switch {
		case o.Send && !o.Receive:
			flags = unix.O_WRONLY
		case o.Receive && !o.Send:
			flags = unix.O_RDONLY
		}
		var px *posix.Queue
		var err error
		if o.Create {
			px, _, err = posix.MqCreate(a.Name, flags, o.Mode, posixAttr(o), o.Exclusive)
		} else {
			px, err = posix.MqOpen(a.Name, flags, 0, nil)
		}
		if err != nil {
			return nil, err
		}
		return &Queue{px: px, max: px.MsgSize(), limit: "its msgsize"}, nil
	}
	id, err := SysVID(a, KindQueue, IDOptions{Create: o.Create, Mode: o.Mode})
	if err != nil {
		return nil, err
	}
	q := &Queue{id: id, typ: o.Type, except: o.Except, max: sysv.MsgMax(), limit: msgmaxLimit}
	if ds, err := sysv.MsgStat(id); err == nil && int(ds.Qbytes) < q.max {
		q.max, q.limit = int(ds.Qbytes), "its qbytes"
	}
	return q, nil
}

func posixAttr(o QueueOptions) *posix.MqAttr {
	if o.MaxMsg == 0 && o.MsgSize == 0 {
		return nil
	}
	return &posix.MqAttr{MaxMsg: o.MaxMsg, MsgSize: o.MsgSize}
}

// MaxMsg is the largest message the queue takes, in bytes (see Limit).
func (q *Queue) MaxMsg() int { return q.max }

// Limit says which limit MaxMsg is: "its msgsize", "its qbytes" or msgmax.
func (q *Queue) Limit() string { return q.limit }

// MaxRecv is the largest message a receive can get: the msgsize of a POSIX queue, msgmax for
// System V (a lowered qbytes does not shrink the messages already on it).
func (q *Queue) MaxRecv() int {
	if q.px != nil {
		return q.px.MsgSize()
	}
	return sysv.MsgMax()
}

// Check returns a *TooLargeError when a message of size bytes is more than the queue takes.
func (q *Queue) Check(size int) error {
	if size > q.max {
		return &TooLargeError{Size: size, Max: q.max, Limit: q.limit}
	}
	return nil
}

// Send puts m on the queue (m.Prio for POSIX, m.Type for System V), waiting for room unless
// nonblock (ErrWouldBlock). A message larger than the queue takes is a *TooLargeError, also when
// msgmax was lowered since the queue was opened; a removed queue is ErrRemoved.
func (q *Queue) Send(ctx context.Context, m msgio.Message, nonblock bool) error {
	if err := q.Check(len(m.Data)); err != nil {
		return err
	}
	if q.px != nil {
		return q.px.Send(ctx, m.Data, m.Prio, nonblock)
	}
	flags := 0
	if nonblock {
		flags = sysv.NoWait
	}
	// The image is built in the queue's own buffer: no pool, no allocation per message.
	q.img = sysv.MsgImage(q.img[:0], m.Type, m.Data)
	err := sysv.MsgSndImage(ctx, q.id, q.img, flags)
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.EINVAL) && len(m.Data) > sysv.MsgMax() {
		// msgmax was lowered since the queue was opened: the message is too large now
		q.max, q.limit = sysv.MsgMax(), msgmaxLimit
		return &TooLargeError{Size: len(m.Data), Max: q.max, Limit: q.limit}
	}
	return sysvGone(err)
}

// Recv takes a message into buf, waiting at most within for one (0: not at all, < 0: as long as
// ctx allows); ErrWouldBlock when none came. msgrcv(2) has no timeout, so on System V a bounded
// wait is a try without waiting. A System V message larger than buf is ErrRecvTooLarge.
func (q *Queue) Recv(ctx context.Context, buf []byte, within time.Duration) (msgio.Message, error) {
	if q.px != nil {
		n, prio, err := q.px.ReceiveWithin(ctx, buf, within)
		if errors.Is(err, unix.EAGAIN) {
			err = wrap(err, ErrWouldBlock)
		}
		return msgio.Message{Data: buf[:n], Prio: prio}, err
	}
	flags := 0
	if within >= 0 {
		flags |= sysv.NoWait
	}
	if q.except {
		flags |= sysv.MsgExcept
	}
	typ, text, err := sysv.MsgRcv(ctx, q.id, buf, q.typ, flags)
	if err == nil {
		return msgio.Message{Data: text, Type: typ}, nil
	}
	switch {
	case errors.Is(err, unix.ENOMSG):
		err = ErrWouldBlock
	case errors.Is(err, unix.E2BIG):
		err = &TooBigError{Max: sysv.MsgMax(), Err: wrap(err, ErrRecvTooLarge)}
	}
	return msgio.Message{Data: text, Type: typ}, sysvGone(err)
}

// Queued is how many messages the queue holds (0 when unknown).
func (q *Queue) Queued() int64 {
	if q.px != nil {
		at, err := q.px.Attr()
		if err != nil {
			return 0
		}
		return at.CurMsgs
	}
	ds, err := sysv.MsgStat(q.id)
	if err != nil {
		return 0
	}
	return int64(ds.Qnum)
}

// WaitNotify waits with mq_notify(3) until a message arrives on the empty POSIX queue (see
// posix.Queue.WaitNotify). Another process registered is ErrBusy.
func (q *Queue) WaitNotify(ctx context.Context) error {
	if q.px == nil {
		return fmt.Errorf("mq_notify: not a POSIX queue: %w", unix.EINVAL)
	}
	err := q.px.WaitNotify(ctx)
	if errors.Is(err, unix.EBUSY) {
		return wrap(err, ErrBusy)
	}
	return err
}

// Close closes a POSIX queue's descriptor (System V queues hold none).
func (q *Queue) Close() error {
	if q.px != nil {
		return q.px.Close()
	}
	return nil
}

// QueueInfo is what CreateQueue made or found.
type QueueInfo struct {
	Made
	MaxMsg  int64 // POSIX
	MsgSize int64
	QBytes  uint64 // System V
}

// CreateQueue creates the queue a names with o.Mode (and o.MaxMsg, o.MsgSize or o.MaxBytes), or
// finds the existing one (EEXIST with o.Exclusive) and reports it as it is: an existing queue is
// never changed. A System V queue made here and then refused its MaxBytes is removed again.
// Errors: ErrAttrRefused, ErrQBytesLimit.
func CreateQueue(a addr.Addr, o QueueOptions) (QueueInfo, error) {
	if a.Kind == addr.POSIX {
		attr := posixAttr(o)
		px, created, err := posix.MqCreate(a.Name, unix.O_RDONLY, o.Mode, attr, o.Exclusive)
		if err != nil {
			if errors.Is(err, unix.EINVAL) && attr != nil {
				return QueueInfo{}, &RefusedError{MaxMsg: o.MaxMsg, MsgSize: o.MsgSize, Err: wrap(err, ErrAttrRefused)}
			}
			return QueueInfo{}, err
		}
		defer px.Close()
		at, err := px.Attr()
		if err != nil {
			return QueueInfo{}, err
		}
		st, err := px.Stat()
		if err != nil {
			return QueueInfo{}, err
		}
		return QueueInfo{Made: Made{Flavor: "posix", Name: a.Name, Mode: st.Mode, Created: created},
			MaxMsg: at.MaxMsg, MsgSize: at.MsgSize}, nil
	}
	id, created, err := sysvCreate(a, KindQueue, IDOptions{Exclusive: o.Exclusive, Mode: o.Mode})
	if err != nil {
		return QueueInfo{}, err
	}
	// A queue made here and then refused is removed again: nothing half-made stays behind.
	undo := func(err error) (QueueInfo, error) {
		if created {
			_ = sysv.MsgRemove(id)
		}
		return QueueInfo{}, err
	}
	ds, err := sysv.MsgStat(id)
	if err != nil {
		return undo(err)
	}
	if created && o.MaxBytes != 0 && ds.Qbytes != o.MaxBytes {
		ds.Qbytes = o.MaxBytes
		if err := sysv.MsgSet(id, ds); err != nil {
			if errors.Is(err, unix.EPERM) {
				return undo(&RefusedError{MaxBytes: o.MaxBytes, Err: wrap(err, ErrQBytesLimit)})
			}
			return undo(err)
		}
	}
	return QueueInfo{Made: Made{Flavor: "sysv", Key: ds.Perm.Key, ID: id, Mode: uint32(ds.Perm.Mode), Created: created},
		QBytes: ds.Qbytes}, nil
}

// RemoveQueue removes the queue a names: mq_unlink(3), or msgctl(2) IPC_RMID.
func RemoveQueue(a addr.Addr) error {
	if a.Kind == addr.POSIX {
		return posix.MqUnlink(a.Name)
	}
	id, err := SysVID(a, KindQueue, IDOptions{})
	if err != nil {
		return err
	}
	return sysv.MsgRemove(id)
}
