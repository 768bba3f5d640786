package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

func newMqCmd(io *iostreams.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "mq",
		Short: "Message queues, POSIX (/name) and System V (key, id)",
		Long: `Message queues of both flavors: a /name is a POSIX queue (mq_overview(7)), a key or an id a
System V queue (msgget(2)).

` + exitStatusHelp,
		Example: `  $ ipcx mq create /jobs
  $ ipcx mq send /jobs hello world
  $ ipcx mq recv --count 2 /jobs
  $ ipcx mq create private
  $ ipcx mq ls`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(
		newMqCreateCmd(io, nil),
		newMqSendCmd(io, nil),
		newMqRecvCmd(io, nil),
		newMqStatCmd(io, nil),
		newMqLsCmd(io, nil),
		newMqRmCmd(io, nil),
		newMqNotifyCmd(io, nil),
	)
	return groupObjects(c)
}

func mqObject(a string) object { return object{noun: "mq", what: "queue", addr: a} }

// sysvKind is how sysvID finds objects of one System V kind.
type sysvKind struct {
	noun, what string // "mq", "queue"
	stat       func(sysv.ID) error
	get        func(key sysv.Key, flags int) (sysv.ID, error)
}

// sysvID finds the System V object an address names: by key (or ftok key) with get, or by id,
// checked with stat to exist. flags may add Create|Exclusive and a mode for creation.
func sysvID(a addr.Addr, flags int, k sysvKind) (sysv.ID, error) {
	if a.Kind == addr.ID {
		if flags&sysv.Create != 0 {
			return 0, usageErrorf("%s %s: cannot create a %s by id: use a key, ftok:PATH:PROJ or private", k.noun, a, k.what)
		}
		if err := k.stat(a.ID); err != nil {
			if errors.Is(err, unix.EINVAL) {
				return 0, fmt.Errorf("%w", unix.ENOENT) // nothing with that id
			}
			return 0, err
		}
		return a.ID, nil
	}
	if a.Kind == addr.Private && flags&sysv.Create == 0 {
		return 0, usageHint("name an existing "+k.what+" with id:N or a key", "private names no existing %s: it only creates", k.what)
	}
	key, err := a.SysVKey()
	if err != nil {
		return 0, keyError(k.noun, a, err)
	}
	return k.get(key, flags)
}

// sysvMsgID finds the System V queue an address names (see sysvID).
func sysvMsgID(a addr.Addr, flags int) (sysv.ID, error) {
	return sysvID(a, flags, sysvKind{noun: "mq", what: "queue",
		stat: func(id sysv.ID) error { _, err := sysv.MsgStat(id); return err },
		get:  sysv.MsgGet})
}

// queue is an open message queue of either flavor, as send and recv use it.
type queue interface {
	// send puts m on the queue (m.Prio for POSIX, m.Type for System V).
	send(ctx context.Context, m msgio.Message, nonblock bool) error
	// recv takes a message into buf, waiting at most within for one (0: not at all, < 0: as long
	// as ctx allows); EAGAIN when none came.
	recv(ctx context.Context, buf []byte, within time.Duration) (msgio.Message, error)
	// maxMsg is the largest message the queue takes, in bytes.
	maxMsg() int
	// limit says which limit maxMsg is, for errors.
	limit() string
	close()
}

type posixQueue struct{ q *posix.Queue }

func (p posixQueue) send(ctx context.Context, m msgio.Message, nonblock bool) error {
	return p.q.Send(ctx, m.Data, m.Prio, nonblock)
}

func (p posixQueue) recv(ctx context.Context, buf []byte, within time.Duration) (msgio.Message, error) {
	n, prio, err := p.q.ReceiveWithin(ctx, buf, within)
	return msgio.Message{Data: buf[:n], Prio: prio}, err
}

func (p posixQueue) maxMsg() int   { return p.q.MsgSize() }
func (p posixQueue) limit() string { return "its msgsize" }
func (p posixQueue) close()        { p.q.Close() }

type sysvQueue struct {
	id     sysv.ID
	typ    int64 // recv: msgrcv's type argument
	except bool  // recv: MSG_EXCEPT
	max    int
	what   string
}

func (s *sysvQueue) send(ctx context.Context, m msgio.Message, nonblock bool) error {
	flags := 0
	if nonblock {
		flags = sysv.NoWait
	}
	err := sysv.MsgSnd(ctx, s.id, m.Type, m.Data, flags)
	if errors.Is(err, unix.EINVAL) && len(m.Data) > sysv.MsgMax() {
		// msgmax was lowered since the queue was opened: the message is too large now
		s.max, s.what = sysv.MsgMax(), "msgmax (/proc/sys/kernel/msgmax)"
		return fmt.Errorf("%w: %w", err, unix.EMSGSIZE)
	}
	return sysvGone(err)
}

// sysvGone marks the EINVAL of a valid msgsnd or msgrcv as EIDRM: the id no longer names a queue
// (it was removed while the call was not waiting on it; a waiting call gets EIDRM itself).
func sysvGone(err error) error {
	if errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("%w: %w", err, unix.EIDRM)
	}
	return err
}

// recv: msgrcv(2) has no timeout, so a bounded wait is a try without waiting.
func (s *sysvQueue) recv(ctx context.Context, buf []byte, within time.Duration) (msgio.Message, error) {
	flags := 0
	if within >= 0 {
		flags |= sysv.NoWait
	}
	if s.except {
		flags |= sysv.MsgExcept
	}
	typ, text, err := sysv.MsgRcv(ctx, s.id, buf, s.typ, flags)
	if errors.Is(err, unix.ENOMSG) {
		err = fmt.Errorf("%w", unix.EAGAIN)
	}
	return msgio.Message{Data: text, Type: typ}, sysvGone(err)
}

func (s *sysvQueue) maxMsg() int   { return s.max }
func (s *sysvQueue) limit() string { return s.what }
func (s *sysvQueue) close()        {}

// openQueue opens the queue a names for sending and/or receiving. create makes a missing queue
// (mode for a new one).
func openQueue(a addr.Addr, write, read, create bool, mode uint32) (queue, error) {
	if a.Kind == addr.POSIX {
		flags := unix.O_RDWR
		switch {
		case write && !read:
			flags = unix.O_WRONLY
		case read && !write:
			flags = unix.O_RDONLY
		}
		var q *posix.Queue
		var err error
		if create {
			q, _, err = posix.MqCreate(a.Name, flags, mode, nil, false)
		} else {
			q, err = posix.MqOpen(a.Name, flags, 0, nil)
		}
		if err != nil {
			return nil, err
		}
		return posixQueue{q}, nil
	}
	flags := 0
	if create {
		flags = sysv.Create | int(mode)
	}
	id, err := sysvMsgID(a, flags)
	if err != nil {
		return nil, err
	}
	q := &sysvQueue{id: id, max: sysv.MsgMax(), what: "msgmax (/proc/sys/kernel/msgmax)"}
	if ds, err := sysv.MsgStat(id); err == nil && int(ds.Qbytes) < q.max {
		q.max, q.what = int(ds.Qbytes), "its qbytes"
	}
	return q, nil
}
