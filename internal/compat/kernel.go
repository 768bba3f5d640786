package compat

import (
	"os"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// Kernel is the real System: the objects of an IPC namespace, through packages inventory, sysv
// and posix.
type Kernel struct {
	NS inventory.Namespace
}

// Open is Env.Open for the kernel: it parses ns as ipcx's --ns does.
func Open(ns string) (System, error) {
	n, err := inventory.ParseNamespace(ns)
	if err != nil {
		return nil, &NamespaceError{Spec: ns, Parse: true, Err: err}
	}
	return Kernel{NS: n}, nil
}

// do runs fn in the namespace. Any failure in another namespace is a NamespaceError (as ipcx
// reports it for the other commands that take --ns).
func (k Kernel) do(fn func() error) error {
	err := k.NS.Do(fn)
	if err != nil && !k.NS.Own() {
		return &NamespaceError{NS: k.NS, Err: err}
	}
	return err
}

// Snapshot lists the objects (inventory.Namespace.List) and reads the limits, the kernel's
// status (MSG_INFO, SHM_INFO, SEM_INFO) and an object's details (msgctl(2) IPC_STAT, semctl(2)
// GETALL and friends) as r asks, all inside the namespace.
func (k Kernel) Snapshot(r Request) (*Snapshot, error) {
	s := &Snapshot{PageSize: uint64(os.Getpagesize()), User: UserName, Group: GroupName}
	err := k.do(func() error {
		inv, err := k.NS.List(r.Inventory)
		if err != nil {
			return err
		}
		s.Objects, s.Warnings = inv.Objects, inv.Warnings
		if r.Posix {
			mq, release := "/dev/mqueue", func() {}
			if !k.NS.Own() {
				if mq, release, err = posix.MqueueDir(); err != nil {
					mq, release = "", func() {}
				}
			}
			s.Posix = readPosixDirs(mq, k.NS.ShmDir())
			release()
		}
		if r.Limits {
			s.Limits = inventory.Limits(inv)
		}
		if r.Status {
			if s.Status, err = inventory.ReadStatus(); err != nil {
				return err
			}
		}
		if r.WithDetail {
			switch r.Detail {
			case inventory.MQ:
				if ds, err := sysv.MsgStat(r.DetailID); err == nil {
					s.Detail.QBytes = ds.Qbytes
				}
			case inventory.Sem:
				s.Detail.Sems, s.Detail.SemsErr = sysv.SemStates(r.DetailID)
			}
		}
		return nil
	})
	return s, err
}

// Remove removes o inside the namespace (inventory.Namespace.Remove). A failure to enter the
// namespace is a NamespaceError; the removal's own errors are returned as they are.
func (k Kernel) Remove(o inventory.Object) error {
	var rerr error
	if err := k.do(func() error { rerr = k.NS.Remove(o); return nil }); err != nil {
		return err
	}
	return rerr
}

// Create makes c exclusively: shmget(2), msgget(2), semget(2) with IPC_CREAT, or shm_open(3),
// mq_open(3), sem_open(3) with O_CREAT|O_EXCL (shared memory's mode narrowed by the umask).
func (k Kernel) Create(c Creation) (sysv.ID, error) {
	if c.Flavor == inventory.SysV {
		switch c.Kind {
		case inventory.Shm:
			return sysv.ShmGet(c.Key, int(c.Size), sysv.Create|int(c.Mode))
		case inventory.MQ:
			return sysv.MsgGet(c.Key, sysv.Create|int(c.Mode))
		default:
			return sysv.SemGet(c.Key, int(c.Size), sysv.Create|int(c.Mode))
		}
	}
	switch c.Kind {
	case inventory.Shm:
		f, _, err := posix.ShmCreate(c.Name, posix.ShmCreateOptions{Mode: c.Mode, Umask: true, Size: c.Size, Exclusive: true})
		if err != nil {
			return 0, err
		}
		f.Close()
		return 0, nil
	case inventory.MQ:
		q, err := posix.MqOpen(c.Name, unix.O_CREAT|unix.O_EXCL|unix.O_RDWR, c.Mode, nil)
		if err != nil {
			return 0, err
		}
		q.Close()
		return 0, nil
	default:
		s, err := posix.SemOpen(c.Name, unix.O_CREAT|unix.O_EXCL, c.Mode, 0)
		if err != nil {
			return 0, err
		}
		s.Close()
		return 0, nil
	}
}
