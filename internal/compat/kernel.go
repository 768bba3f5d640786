//go:build linux

package compat

import (
	"os"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
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
				if mq, release, err = posix.DetachedMqueue(); err != nil {
					mq, release = "", func() {}
				}
			}
			shm, follow, closeShm := k.shmDir()
			s.Posix = readPosixDirs(mq, shm, follow)
			closeShm()
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

// Do runs fn inside the namespace, with its /dev/shm and mqueue directories. Only a failure to
// enter the namespace is a NamespaceError; fn's own error is returned as it is.
func (k Kernel) Do(fn func(Dirs) error) error {
	var ferr error
	err := k.do(func() error {
		shm, follow, closeShm := k.shmDir()
		defer closeShm()
		d := Dirs{Shm: shm, Follow: follow, Mqueue: "/dev/mqueue"}
		release := func() {}
		if !k.NS.Own() {
			var err error
			if d.Mqueue, release, err = posix.DetachedMqueue(); err != nil {
				d.Mqueue, release = "", func() {}
			}
		}
		ferr = fn(d)
		release()
		return nil
	})
	if err != nil {
		return err
	}
	return ferr
}

// shmDir is the namespace's /dev/shm as a path for the compat tools: the caller's own, followed
// as util-linux follows it, or another namespace's opened inside its root (never through a
// symbolic link, see inventory.Namespace.OpenShmDir) as /proc/self/fd/N, whose entries are not
// followed either. "" when another namespace's cannot be opened safely: nothing is listed there,
// and the inventory's warning says why.
func (k Kernel) shmDir() (dir string, follow bool, release func()) {
	if k.NS.Own() {
		return posix.Dir, true, func() {}
	}
	d, err := k.NS.OpenShmDir()
	if err != nil {
		return "", false, func() {}
	}
	return d.ProcPath(), false, func() { d.Close() }
}
