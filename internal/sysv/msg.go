//go:build linux

package sysv

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// msgrcv(2) flags x/sys/unix does not provide (the same on every architecture).
const (
	// MsgNoError truncates a too-long message instead of failing with E2BIG.
	MsgNoError = 0o10000
	// MsgExcept with a positive type receives the first message of any other type.
	MsgExcept = 0o20000
	// MsgCopy with a type as an index copies that message without removing it.
	MsgCopy = 0o40000
)

// MsqidDS is struct msqid64_ds, as msgctl(2) IPC_STAT fills it on 64-bit architectures.
type MsqidDS struct {
	Perm   Perm
	Stime  int64
	Rtime  int64
	Ctime  int64
	Cbytes uint64
	Qnum   uint64
	Qbytes uint64
	Lspid  int32
	Lrpid  int32
	_      uint64
	_      uint64
}

// MsgGet returns the id of the queue with key, creating it when flags has Create. The low nine bits
// of flags are the mode of a new queue. See msgget(2).
func MsgGet(key Key, flags int) (ID, error) {
	r, _, e := unix.Syscall(unix.SYS_MSGGET, uintptr(key), uintptr(flags), 0)
	if e != 0 {
		return -1, fmt.Errorf("msgget(%v): %w", key, e)
	}
	return ID(r), nil
}

// sendBufs holds msgbuf images (type, then text) for MsgSnd, which needs them contiguous.
var sendBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// MsgSnd appends a message of type typ (>= 1) with text to queue id. With NoWait in flags a full
// queue gives EAGAIN; otherwise it waits until there is room, ctx is done (ctx.Err() is returned)
// or the queue is removed (EIDRM). See msgsnd(2).
func MsgSnd(ctx context.Context, id ID, typ int64, text []byte, flags int) error {
	if typ < 1 {
		return fmt.Errorf("msgsnd(%d): message type %d: %w", id, typ, unix.EINVAL)
	}
	bp := sendBufs.Get().(*[]byte)
	defer sendBufs.Put(bp)
	if cap(*bp) < 8+len(text) {
		*bp = make([]byte, 8+len(text))
	}
	buf := (*bp)[:8+len(text)]
	binary.NativeEndian.PutUint64(buf, uint64(typ))
	copy(buf[8:], text)
	send := func(flags int) error {
		_, _, e := unix.Syscall6(unix.SYS_MSGSND, uintptr(id), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(text)), uintptr(flags), 0, 0)
		if e != 0 {
			return e
		}
		return nil
	}
	// Try without waiting first (a few times: see spin): when there is room, that is one system
	// call and no machinery.
	err := spin(func() error { return send(flags | NoWait) }, unix.EAGAIN, flags)
	if errors.Is(err, unix.EAGAIN) && flags&NoWait == 0 {
		err = blocking(ctx, func() error { return send(flags) })
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return err
		}
		return fmt.Errorf("msgsnd(%d): %w", id, err)
	}
	return nil
}

// MsgRcv takes a message off queue id into buf and returns its type and text (a slice of buf, which
// must hold 8 bytes more than the longest text wanted). typ selects as msgrcv(2) does: 0 the first
// message, > 0 the first of that type (with MsgExcept: of any other type), < 0 the first of the
// lowest type <= -typ. With NoWait an empty queue gives ENOMSG; a message longer than buf gives
// E2BIG unless MsgNoError. Otherwise it waits, until ctx is done (ctx.Err()) or EIDRM.
func MsgRcv(ctx context.Context, id ID, buf []byte, typ int64, flags int) (int64, []byte, error) {
	if len(buf) < 8 {
		return 0, nil, fmt.Errorf("msgrcv(%d): buffer of %d bytes: %w", id, len(buf), unix.EINVAL)
	}
	var n uintptr
	recv := func(flags int) error {
		r, _, e := unix.Syscall6(unix.SYS_MSGRCV, uintptr(id), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)-8), uintptr(typ), uintptr(flags), 0)
		if e != 0 {
			return e
		}
		n = r
		return nil
	}
	err := spin(func() error { return recv(flags | NoWait) }, unix.ENOMSG, flags)
	if errors.Is(err, unix.ENOMSG) && flags&NoWait == 0 {
		err = blocking(ctx, func() error { return recv(flags) })
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return 0, nil, err
		}
		return 0, nil, fmt.Errorf("msgrcv(%d): %w", id, err)
	}
	return int64(binary.NativeEndian.Uint64(buf)), buf[8 : 8+n], nil
}

// spinTries is how often a would-block call is retried before sleeping in the kernel. A peer on
// another CPU usually makes room (or a message) within microseconds: retrying briefly, yielding,
// as adaptive mutexes do, saves a sleep and a wake-up, which cost a Go program more than a C one.
const spinTries = 8

// spin runs try until it returns something other than wouldBlock, at most spinTries times; with
// NoWait in flags it tries once.
func spin(try func() error, wouldBlock error, flags int) error {
	err := try()
	for i := 1; i < spinTries && flags&NoWait == 0 && errors.Is(err, wouldBlock); i++ {
		runtime.Gosched()
		err = try()
	}
	return err
}

// MsgStat returns the queue's msqid64_ds. See msgctl(2) IPC_STAT.
func MsgStat(id ID) (*MsqidDS, error) {
	var ds MsqidDS
	if _, _, e := unix.Syscall(unix.SYS_MSGCTL, uintptr(id), ipcStat, uintptr(unsafe.Pointer(&ds))); e != 0 {
		return nil, fmt.Errorf("msgctl(%d, IPC_STAT): %w", id, e)
	}
	return &ds, nil
}

// MsgQueueOf returns queue id's state (IPC_STAT) as the same record /proc/sysvipc/msg gives, with
// its byte limit (QBytes) too.
func MsgQueueOf(id ID) (MsgQueue, error) {
	ds, err := MsgStat(id)
	if err != nil {
		return MsgQueue{}, err
	}
	p := ds.Perm
	return MsgQueue{
		Key: p.Key, ID: id, Mode: uint32(p.Mode), Bytes: ds.Cbytes, Msgs: ds.Qnum,
		LSPID: int(ds.Lspid), LRPID: int(ds.Lrpid),
		Owner: Owner{UID: p.UID, GID: p.GID, CUID: p.CUID, CGID: p.CGID},
		STime: Time(ds.Stime), RTime: Time(ds.Rtime), CTime: Time(ds.Ctime),
		QBytes: ds.Qbytes,
	}, nil
}

// MsgSet sets the queue's owner, mode and byte limit from ds. See msgctl(2) IPC_SET.
func MsgSet(id ID, ds *MsqidDS) error {
	if _, _, e := unix.Syscall(unix.SYS_MSGCTL, uintptr(id), ipcSet, uintptr(unsafe.Pointer(ds))); e != 0 {
		return fmt.Errorf("msgctl(%d, IPC_SET): %w", id, e)
	}
	return nil
}

// MsgRemove removes queue id at once, waking its waiters with EIDRM. See msgctl(2) IPC_RMID.
func MsgRemove(id ID) error {
	if _, _, e := unix.Syscall(unix.SYS_MSGCTL, uintptr(id), ipcRmid, 0); e != 0 {
		return fmt.Errorf("msgctl(%d, IPC_RMID): %w", id, e)
	}
	return nil
}

// Time converts a System V time field (seconds since the epoch, 0 for never) to a time, nil for never.
func Time(sec int64) *time.Time {
	if sec == 0 {
		return nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t
}
