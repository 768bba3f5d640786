//go:build linux

package inventory

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// Kind is what an object does, whatever its flavor: ipc's kinds, by the names listings use.
type Kind = ipc.Kind

// The kinds.
const (
	MQ  = ipc.KindQueue     // message queue
	Sem = ipc.KindSemaphore // semaphore (System V: a set)
	Shm = ipc.KindSegment   // shared memory
)

// Kinds are the kinds, in the order listings name them (--kind takes them).
var Kinds = []Kind{MQ, Sem, Shm}

// Flavor is the API family of an object (ipc.Flavor).
type Flavor = ipc.Flavor

// The flavors.
const (
	SysV  = ipc.SysV
	POSIX = ipc.POSIX
)

// Object is one IPC object of any kind and flavor. Fields that do not apply to it are zero; a zero
// time means never.
type Object struct {
	Kind   Kind
	Flavor Flavor
	Name   string   // POSIX: "/name"
	Key    sysv.Key // System V
	ID     sysv.ID  // System V

	Mode                 uint32 // permission bits; System V shm also SHM_DEST and SHM_LOCKED
	UID, GID, CUID, CGID uint32 // POSIX objects have no creator ids: CUID, CGID = UID, GID

	// Size is bytes for shm, bytes queued for mq and the number of semaphores for a sem set (a
	// POSIX semaphore has size 1); -1 when unknown (a POSIX queue the caller may not read).
	Size     int64
	Messages int64 // mq: messages queued; -1 when the queue could not be opened
	MaxMsg   int64 // POSIX mq: mq_maxmsg (0 unknown)
	MsgSize  int64 // POSIX mq: mq_msgsize (0 unknown)
	QBytes   int64 // System V mq: msg_qbytes (0 unknown)
	NAttch   int64 // System V shm: attach count
	RSS      int64 // System V shm: resident bytes
	Swap     int64 // System V shm: swapped bytes

	CPID    int   // System V shm: creator
	LPID    int   // System V shm: last attach or detach
	LSPID   int   // System V mq: last sender
	LRPID   int   // System V mq: last receiver
	SemPIDs []int // System V sem: last operator of each semaphore (nil when not readable)
	// SemValues are a semaphore's values (one for POSIX), with Options.SemValues; nil when not
	// readable.
	SemValues []SemValue
	NotifyPID int // POSIX mq: the process registered with mq_notify (0 none)

	CTime time.Time // System V: creation or last IPC_SET; POSIX: inode change (to the nanosecond)
	ATime time.Time // System V shm: last attach
	DTime time.Time // System V shm: last detach
	STime time.Time // System V mq: last send
	RTime time.Time // System V mq: last receive
	OTime time.Time // System V sem: last semop
	MTime time.Time // POSIX: last modification (a queue's last send or receive)

	// Holders are the live processes that have the object attached, mapped or open, or (System V
	// queues and semaphores) last operated on it or wait on it in msgrcv, msgsnd or semop.
	Holders []Holder
	// Users are the processes that have a POSIX semaphore or shared memory object open or mapped,
	// with their descriptors: Stat reads them, List does not.
	Users []posix.Holder
	// HoldersKnown is false when the holders could not be determined (unreadable sem pids).
	HoldersKnown bool
	// Orphaned: no live holder or waiter and the creator (when known) is gone. Only meaningful
	// when HoldersKnown.
	Orphaned bool
	// MaybeHeld: no holder was found, but a process of another user that may hold or wait on the
	// object could not be inspected (the caller is not root): it is not known to be an orphan, and
	// HoldersKnown is false.
	MaybeHeld bool

	dev, ino uint64 // POSIX: the file or mqueue inode
}

// Address is the object's address in ipcx's grammar: /name for POSIX, id:N for System V.
func (o *Object) Address() string {
	if o.Flavor == POSIX {
		return o.Name
	}
	return "id:" + strconv.Itoa(int(o.ID))
}

// LastOp is the time of the object's last operation: System V shm its last attach or detach, a
// System V queue its last send or receive, a System V set its last semop, a POSIX object its last
// modification. Zero for never.
func (o *Object) LastOp() time.Time {
	switch {
	case o.Flavor == SysV && o.Kind == Shm:
		return later(o.ATime, o.DTime)
	case o.Flavor == SysV && o.Kind == MQ:
		return later(o.STime, o.RTime)
	case o.Flavor == SysV && o.Kind == Sem:
		return o.OTime
	}
	return o.MTime
}

// LastPID is the process of the object's last operation, as far as the kernel records one (0
// none): System V shm its last attach or detach, a System V queue its last sender or receiver
// (whichever was later), a System V set the first semaphore's last operator that has one.
func (o *Object) LastPID() int {
	switch {
	case o.Flavor == SysV && o.Kind == Shm:
		return o.LPID
	case o.Flavor == SysV && o.Kind == MQ:
		if o.RTime.After(o.STime) {
			return o.LRPID
		}
		return o.LSPID
	case o.Flavor == SysV && o.Kind == Sem:
		for _, p := range o.SemPIDs {
			if p > 0 {
				return p
			}
		}
	}
	return 0
}

// Removed reports whether a System V segment is marked for removal (SHM_DEST) while still
// attached.
func (o *Object) Removed() bool { return o.Flavor == SysV && o.Kind == Shm && o.Mode&sysv.ShmDest != 0 }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// SemValue is one semaphore's value and waiters (ipc.SemValue). In a listing, Value is -1 when
// a POSIX semaphore's file is not readable as one.
type SemValue = ipc.SemValue

// Holder is a live process holding an object.
type Holder struct {
	PID  int
	Comm string
	// How: "attached" (System V shm), "mapped", "open", "mapped,open", or for System V queues
	// and semaphores "last-send", "last-recv", "last-op", and "waiting:msgrcv", "waiting:msgsnd"
	// or "waiting:semop" for a process blocked on it (joined by commas).
	How string
}

// Inventory is the result of a listing.
type Inventory struct {
	Objects []Object
	// Warnings are parts that could not be listed (no mqueue filesystem, no root directory for
	// another namespace's /dev/shm); the rest is complete.
	Warnings []error
	// Partial is set when some processes' /proc entries could not be read (another user's, without
	// root): holders may be missing and orphans may be held after all.
	Partial bool
}

// Options select what List gathers.
type Options struct {
	Kinds   map[Kind]bool   // nil: all
	Flavors map[Flavor]bool // nil: both
	// Holders scans /proc for holders and decides orphans; without it Holders stay empty and
	// HoldersKnown false.
	Holders bool
	// QueueAttrs opens each POSIX queue for its message count and sizes.
	QueueAttrs bool
	// QueueLimits asks each System V queue for its byte limit (IPC_STAT, when permitted), which
	// /proc/sysvipc/msg does not show.
	QueueLimits bool
	// SemValues reads every semaphore's values: GETALL and friends for a System V set (when
	// permitted), the file of a POSIX one.
	SemValues bool
	// NamePrefix, when set, lists only the POSIX objects whose name ("/name") starts with it,
	// without reading the others (completion of what the user typed).
	NamePrefix string
}

func (o Options) want(k Kind, f Flavor) bool {
	return (o.Kinds == nil || o.Kinds[k]) && (o.Flavors == nil || o.Flavors[f])
}

// List lists the objects of the namespace. Call it inside ns.Do: System V tables and POSIX queues
// are read from the calling thread's namespace. Objects come in a fixed order: System V queues,
// segments and semaphore sets in /proc/sysvipc order (as ipcs lists them), then POSIX queues and
// then the /dev/shm objects by name.
//
// In the caller's own namespace the parts are read in parallel (the kernel's formatting of
// /proc/sysvipc is most of the cost with thousands of objects); in another namespace they are read
// one after the other on the thread that joined it. The holder scan lists the processes meanwhile
// and then reads of each only what the objects listed need (scanNeed): nothing of a process
// tells of System V queues and semaphore sets, only descriptors and maps of POSIX objects, only
// maps of segments.
func (ns Namespace) List(opts Options) (*Inventory, error) {
	var msg, shm, sem []Object
	var errs [3]error
	var mqInv, shmInv Inventory
	var scan *procScan
	var needed sync.WaitGroup // the parts that say what the scan needs
	needed.Add(3)
	parts := []func(){
		func() {
			if opts.want(MQ, SysV) {
				msg, errs[0] = readMsg(opts.QueueLimits)
			}
		},
		func() {
			defer needed.Done()
			if opts.want(Shm, SysV) {
				shm, errs[1] = readShm()
			}
		},
		func() {
			if opts.want(Sem, SysV) {
				sem, errs[2] = readSem(opts.SemValues)
			}
		},
		func() {
			defer needed.Done()
			mqInv.Objects = []Object{}
			if opts.want(MQ, POSIX) {
				if err := ns.listPosixMQ(&mqInv, opts.QueueAttrs, opts.NamePrefix); err != nil {
					mqInv.Warnings = append(mqInv.Warnings, err)
				}
			}
		},
		func() {
			defer needed.Done()
			shmInv.Objects = []Object{}
			if opts.want(Shm, POSIX) || opts.want(Sem, POSIX) {
				if err := ns.listShmDir(&shmInv, opts); err != nil {
					shmInv.Warnings = append(shmInv.Warnings, err)
				}
			}
		},
		func() {
			if opts.Holders {
				scan = newScan(threadIPCNamespace())
				needed.Wait() // run before this part when the parts run in turn
				scan.scan(scanNeed{fds: len(mqInv.Objects)+len(shmInv.Objects) > 0, shmMaps: len(shmInv.Objects) > 0,
					sysvShm: len(shm) > 0})
			}
		},
	}
	if ns.Own() {
		var wg sync.WaitGroup
		for _, p := range parts {
			wg.Go(p)
		}
		wg.Wait()
	} else {
		for _, p := range parts {
			p()
		}
	}
	if scan != nil {
		defer scan.done()
	}
	for i, what := range []string{"System V queues", "System V shared memory", "System V semaphores"} {
		if errs[i] != nil && !errors.Is(errs[i], os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", what, errs[i])
		}
	}
	inv := &Inventory{Objects: make([]Object, 0, len(msg)+len(shm)+len(sem)+len(mqInv.Objects)+len(shmInv.Objects)),
		Warnings: append(mqInv.Warnings, shmInv.Warnings...)}
	inv.Objects = append(append(append(append(append(inv.Objects, msg...), shm...), sem...), mqInv.Objects...), shmInv.Objects...)
	if opts.Holders {
		assignHolders(inv, scan)
	}
	return inv, nil
}

// readMsg, readShm and readSem read the System V tables through package sysv's readers.
func readMsg(limits bool) ([]Object, error) {
	qs, err := sysv.MsgQueues()
	objs := make([]Object, len(qs))
	for i, q := range qs {
		if limits {
			// /proc/sysvipc does not show qbytes; IPC_STAT does, when permitted.
			if st, err := sysv.MsgQueueOf(q.ID); err == nil {
				q.QBytes = st.QBytes
			}
		}
		objs[i] = msgObject(q)
	}
	return objs, err
}

// msgObject, shmObject and semObject are the objects of System V records, from /proc/sysvipc or
// IPC_STAT.
func msgObject(q sysv.MsgQueue) Object {
	return Object{Kind: MQ, Flavor: SysV, Key: q.Key, ID: q.ID, Mode: q.Mode,
		UID: q.UID, GID: q.GID, CUID: q.CUID, CGID: q.CGID,
		Size: int64(q.Bytes), Messages: int64(q.Msgs), QBytes: int64(q.QBytes), LSPID: q.LSPID, LRPID: q.LRPID,
		STime: when(q.STime), RTime: when(q.RTime), CTime: when(q.CTime)}
}

func shmObject(s sysv.ShmSeg) Object {
	return Object{Kind: Shm, Flavor: SysV, Key: s.Key, ID: s.ID, Mode: s.Mode,
		UID: s.UID, GID: s.GID, CUID: s.CUID, CGID: s.CGID,
		Size: int64(s.Size), CPID: s.CPID, LPID: s.LPID, NAttch: int64(s.NAttch), RSS: int64(s.RSS), Swap: int64(s.Swap),
		ATime: when(s.ATime), DTime: when(s.DTime), CTime: when(s.CTime)}
}

func semObject(s sysv.SemSet) Object {
	return Object{Kind: Sem, Flavor: SysV, Key: s.Key, ID: s.ID, Mode: s.Mode,
		UID: s.UID, GID: s.GID, CUID: s.CUID, CGID: s.CGID,
		Size: int64(s.NSems), OTime: when(s.OTime), CTime: when(s.CTime)}
}

func readShm() ([]Object, error) {
	segs, err := sysv.ShmSegs()
	objs := make([]Object, len(segs))
	for i, seg := range segs {
		objs[i] = shmObject(seg)
	}
	return objs, err
}

func readSem(values bool) ([]Object, error) {
	sets, err := sysv.SemSets()
	objs := make([]Object, len(sets))
	for i, set := range sets {
		objs[i] = semObject(set)
		if values {
			// /proc/sysvipc does not show values; GETALL does, when permitted.
			objs[i].SemValues, _ = ipc.SysVSemValues(set.ID)
		}
	}
	return objs, err
}

// when turns a System V time (nil for never) into an Object's time (zero for never).
func when(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func (ns Namespace) listPosixMQ(inv *Inventory, attrs bool, prefix string) error {
	dir, release, err := ns.mqueueDir()
	if err != nil {
		return fmt.Errorf("POSIX queues not listed: %w", err)
	}
	defer release()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("POSIX queues not listed: %w", err)
	}
	for _, e := range ents {
		name := "/" + e.Name()
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		info, err := posix.MqStatIn(dir, name)
		if err != nil {
			continue // removed meanwhile
		}
		o := Object{Kind: MQ, Flavor: POSIX, Name: name, Mode: info.Mode, UID: info.UID, GID: info.GID,
			CUID: info.UID, CGID: info.GID, Size: info.Bytes, Messages: -1, NotifyPID: info.NotifyPID,
			CTime: info.CTime, MTime: info.MTime, dev: info.Dev, ino: info.Ino}
		if !info.StatusRead {
			o.Size = -1
		}
		if attrs {
			if at, err := posix.MqGetAttr(name); err == nil {
				o.Messages, o.MaxMsg, o.MsgSize = at.CurMsgs, at.MaxMsg, at.MsgSize
			}
		}
		inv.Objects = append(inv.Objects, o)
	}
	return nil
}

// semPrefix starts the file name of a glibc named semaphore in /dev/shm.
const semPrefix = "sem."

func (ns Namespace) listShmDir(inv *Inventory, opts Options) error {
	dir, err := ns.OpenShmDir()
	if err != nil {
		return fmt.Errorf("POSIX shared memory and semaphores not listed: %w", err)
	}
	defer dir.Close()
	names, err := dir.Names()
	if err != nil {
		return fmt.Errorf("POSIX shared memory and semaphores not listed: %w", err)
	}
	slices.Sort(names)
	for _, name := range names {
		if p := strings.TrimPrefix(opts.NamePrefix, "/"); p != "" && !strings.HasPrefix(strings.TrimPrefix(name, semPrefix), p) {
			continue
		}
		st, err := dir.Lstat(name)
		if err != nil {
			continue // removed meanwhile
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			// Symlinks, directories, devices: not objects, never followed. In another namespace a
			// link is said: it may have been planted to point at the reader's files.
			if st.Mode&unix.S_IFMT == unix.S_IFLNK && !ns.Own() {
				target, _ := dir.Readlink(name)
				inv.Warnings = append(inv.Warnings, fmt.Errorf("%s/%s in the root of pid %d is a symbolic link to %s: not an object, not followed", dir.Path, name, ns.PID, target))
			}
			continue
		}
		o := Object{Flavor: POSIX, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid, CUID: st.Uid, CGID: st.Gid,
			CTime: time.Unix(st.Ctim.Unix()).UTC(), MTime: time.Unix(st.Mtim.Unix()).UTC(), dev: st.Dev, ino: st.Ino}
		if n, ok := strings.CutPrefix(name, semPrefix); ok {
			if n == "" || !opts.want(Sem, POSIX) {
				continue
			}
			o.Kind, o.Name, o.Size = Sem, "/"+n, 1
			if opts.SemValues {
				if info, err := dir.SemStat(name, o.Name); err == nil && info.Value >= 0 {
					w := info.Waiters
					o.SemValues = []SemValue{{Index: 0, Value: info.Value, Waiters: &w}}
				}
			}
		} else {
			if !opts.want(Shm, POSIX) {
				continue
			}
			o.Kind, o.Name, o.Size = Shm, "/"+name, st.Size
		}
		inv.Objects = append(inv.Objects, o)
	}
	return nil
}

// Remove removes o, as List gave it, at once. Call it inside ns.Do. A System V object is removed
// by id after checking that the id still has o's key (an id freed and reused meanwhile names
// another object: unix.ENOENT then); a POSIX queue is unlinked; a POSIX semaphore or shared memory
// object is unlinked only when it is still a regular file.
func (ns Namespace) Remove(o Object) error {
	if o.Flavor == SysV {
		key, err := sysvKey(o.Kind, o.ID)
		switch {
		case errors.Is(err, unix.EACCES):
			// Not readable, yet perhaps removable (the owner of a 0200 object): no key check.
		case err != nil:
			return err
		case key != o.Key:
			return fmt.Errorf("id %d now has another key: %w", o.ID, unix.ENOENT)
		}
		switch o.Kind {
		case MQ:
			return sysv.MsgRemove(o.ID)
		case Sem:
			return sysv.SemRemove(o.ID)
		default:
			return sysv.ShmRemove(o.ID)
		}
	}
	if err := posix.ValidName(o.Name); err != nil {
		return err
	}
	if o.Kind == MQ {
		return posix.MqUnlink(o.Name)
	}
	dir, err := ns.OpenShmDir()
	if err != nil {
		return err
	}
	defer dir.Close()
	file := o.Name[1:]
	if o.Kind == Sem {
		file = semPrefix + file
	}
	// Relative to the directory, and only the regular file List saw (same inode when known).
	return dir.UnlinkRegular(file, o.dev, o.ino)
}

// sysvKey returns the key of the System V object of kind k with id, or unix.ENOENT.
func sysvKey(k Kind, id sysv.ID) (sysv.Key, error) {
	var key sysv.Key
	var err error
	switch k {
	case MQ:
		var ds *sysv.MsqidDS
		if ds, err = sysv.MsgStat(id); err == nil {
			key = ds.Perm.Key
		}
	case Sem:
		var ds *sysv.SemidDS
		if ds, err = sysv.SemStat(id); err == nil {
			key = ds.Perm.Key
		}
	default:
		var ds *sysv.ShmDS
		if ds, err = sysv.ShmStat(id); err == nil {
			key = sysv.Key(ds.Perm.Key)
		}
	}
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
		err = fmt.Errorf("no %s with id %d: %w", k, id, unix.ENOENT)
	}
	return key, err
}
