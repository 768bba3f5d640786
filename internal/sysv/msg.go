//go:build linux

package sysv

import (
	"context"
	"encoding/binary"
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
// or the queue is removed (EIDRM). See msgsnd(2). A caller that sends many messages builds each
// image in a buffer of its own and calls MsgSndImage.
func MsgSnd(ctx context.Context, id ID, typ int64, text []byte, flags int) error {
	bp := sendBufs.Get().(*[]byte)
	defer sendBufs.Put(bp)
	*bp = MsgImage((*bp)[:0], typ, text)
	return MsgSndImage(ctx, id, *bp, flags)
}

// MsgImage appends to dst the msgbuf image msgsnd(2) takes: the type as a native long, then the
// text.
func MsgImage(dst []byte, typ int64, text []byte) []byte {
	dst = binary.NativeEndian.AppendUint64(dst, uint64(typ))
	return append(dst, text...)
}

// MsgSndImage is MsgSnd of a msgbuf image made by MsgImage (8 bytes of type, then the text).
//
// When there is room it is one system call, made without telling the Go scheduler (a call with
// IPC_NOWAIT does not sleep): the scheduler's bookkeeping around a system call costs more than
// the call's own work in user space. Only a wait for room goes through the scheduler (see
// retryWait).
func MsgSndImage(ctx context.Context, id ID, img []byte, flags int) error {
	if len(img) < 8 {
		return fmt.Errorf("msgsnd(%d): image of %d bytes: %w", id, len(img), unix.EINVAL)
	}
	if typ := int64(binary.NativeEndian.Uint64(img)); typ < 1 {
		return fmt.Errorf("msgsnd(%d): message type %d: %w", id, typ, unix.EINVAL)
	}
	p, size := uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)-8)
	_, _, e := unix.RawSyscall6(unix.SYS_MSGSND, uintptr(id), p, size, uintptr(flags|NoWait), 0, 0)
	if e == unix.EAGAIN && flags&NoWait == 0 {
		e = retryWait(ctx, unix.EAGAIN, func(wait bool) unix.Errno {
			f := flags | NoWait
			if wait {
				f = flags
			}
			_, _, e := unix.Syscall6(unix.SYS_MSGSND, uintptr(id), p, size, uintptr(f), 0, 0)
			return e
		})
	}
	runtime.KeepAlive(img)
	if e != 0 {
		return msgErr(ctx, "msgsnd", id, e)
	}
	return nil
}

// msgErr is the error of a failed msgsnd or msgrcv: ctx's error when ctx ended the wait.
func msgErr(ctx context.Context, call string, id ID, e unix.Errno) error {
	if e == errCtx {
		return ctx.Err()
	}
	return fmt.Errorf("%s(%d): %w", call, id, e)
}

// MsgRcv takes a message off queue id into buf and returns its type and text (a slice of buf, which
// must hold 8 bytes more than the longest text wanted). typ selects as msgrcv(2) does: 0 the first
// message, > 0 the first of that type (with MsgExcept: of any other type), < 0 the first of the
// lowest type <= -typ. With NoWait an empty queue gives ENOMSG; a message longer than buf gives
// E2BIG unless MsgNoError. Otherwise it waits, until ctx is done (ctx.Err()) or EIDRM. As with
// MsgSndImage, a message that is there is taken with one system call outside the scheduler.
func MsgRcv(ctx context.Context, id ID, buf []byte, typ int64, flags int) (int64, []byte, error) {
	if len(buf) < 8 {
		return 0, nil, fmt.Errorf("msgrcv(%d): buffer of %d bytes: %w", id, len(buf), unix.EINVAL)
	}
	p, size := uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)-8)
	n, _, e := unix.RawSyscall6(unix.SYS_MSGRCV, uintptr(id), p, size, uintptr(typ), uintptr(flags|NoWait), 0)
	if e == unix.ENOMSG && flags&NoWait == 0 {
		e = retryWait(ctx, unix.ENOMSG, func(wait bool) unix.Errno {
			f := flags | NoWait
			if wait {
				f = flags
			}
			var e unix.Errno
			n, _, e = unix.Syscall6(unix.SYS_MSGRCV, uintptr(id), p, size, uintptr(typ), uintptr(f), 0)
			return e
		})
	}
	if e != 0 {
		return 0, nil, msgErr(ctx, "msgrcv", id, e)
	}
	return int64(binary.NativeEndian.Uint64(buf)), buf[8 : 8+n], nil
}

// spinTries is how often a would-block call is retried before sleeping in the kernel. A peer on
// another CPU usually makes room (or a message) within microseconds: retrying briefly, yielding,
// as adaptive mutexes do, saves a sleep and a wake-up, which cost a Go program more than a C one.
const spinTries = 8

// errCtx stands for ctx's end in retryWait's result (no system call returns it).
const errCtx = unix.Errno(1 << 30)

// retryWait retries call, whose last attempt returned wouldBlock, until it returns something else:
// first without waiting (call(false): IPC_NOWAIT), a few times (spinTries), then waiting in the
// kernel (call(true), see sleepIn) until ctx ends (errCtx).
func retryWait(ctx context.Context, wouldBlock unix.Errno, call func(wait bool) unix.Errno) unix.Errno {
	for range spinTries - 1 {
		runtime.Gosched()
		if e := call(false); e != wouldBlock {
			return e
		}
	}
	return sleepIn(ctx, func() unix.Errno { return call(true) })
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
