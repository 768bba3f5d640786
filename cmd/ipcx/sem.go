package main

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

func newSemCmd(io *iostreams.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "sem",
		Short: "Semaphores, POSIX named (/name) and System V sets (key, id)",
		Long: `Semaphores of both flavors: a /name is a POSIX named semaphore, the same file in /dev/shm
(sem.NAME) and the same protocol as glibc's sem_open(3), so C programs and ipcx wake each other; a
key or an id is a System V semaphore set (semget(2)), whose semaphores are numbered from 0
(--index).

` + exitStatusHelp,
		Example: `  $ ipcx sem create /lock --value 1
  $ ipcx sem run /lock -- make install
  $ ipcx sem wait /ready --timeout 30s
  $ ipcx sem create key:0x1a2b --nsems 3 --value 1
  $ ipcx sem op key:0x1a2b 0:-1 1:+1
  $ ipcx sem ls`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(
		newSemCreateCmd(io, nil),
		newSemPostCmd(io, nil),
		newSemWaitCmd(io, nil),
		newSemGetCmd(io, nil),
		newSemSetCmd(io, nil),
		newSemOpCmd(io, nil),
		newSemRunCmd(io, nil),
		newSemStatCmd(io, nil),
		newSemLsCmd(io, nil),
		newSemRmCmd(io, nil),
	)
	return groupObjects(c)
}

// semObject names a semaphore in messages: "semaphore" for POSIX, "semaphore set" for System V.
func semObject(a addr.Addr) object {
	if a.Kind == addr.POSIX {
		return object{noun: "sem", what: "semaphore", addr: a.String()}
	}
	return object{noun: "sem", what: "semaphore set", addr: a.String()}
}

// sysvSemID finds the System V set an address names (see sysvID), with nsems semaphores when it
// creates one.
func sysvSemID(a addr.Addr, nsems, flags int) (sysv.ID, error) {
	return sysvID(a, flags, sysvKind{noun: "sem", what: "semaphore set",
		stat: func(id sysv.ID) error { _, err := sysv.SemStat(id); return err },
		get:  func(key sysv.Key, flags int) (sysv.ID, error) { return sysv.SemGet(key, nsems, flags) }})
}

// semHandle is an open semaphore of either flavor: a POSIX named semaphore, or one semaphore
// (index) of a System V set.
type semHandle struct {
	obj   object
	posix *posix.Sem
	id    sysv.ID
	index int
}

// openSem opens the existing semaphore a names. index selects the semaphore of a System V set;
// indexSet says whether the user gave --index, which POSIX semaphores refuse.
func openSem(a addr.Addr, index int, indexSet bool) (*semHandle, error) {
	return openSemFor(a, index, indexSet, true)
}

// openSemFor is openSem, opening a POSIX semaphore read-only unless write is set (for reading its
// value, read permission is enough).
func openSemFor(a addr.Addr, index int, indexSet, write bool) (*semHandle, error) {
	h := &semHandle{obj: semObject(a), index: index}
	if a.Kind == addr.POSIX {
		if indexSet {
			return nil, usageHint("--index numbers the semaphores of a System V set", "a POSIX semaphore is a single semaphore: drop --index")
		}
		open := posix.SemOpenReadOnly
		if write {
			open = func(name string) (*posix.Sem, error) { return posix.SemOpen(name, 0, 0, 0) }
		}
		s, err := open(a.Name)
		if err != nil {
			return nil, h.fail(err)
		}
		h.posix = s
		return h, nil
	}
	if index < 0 {
		return nil, usageErrorf("--index must not be negative")
	}
	id, err := sysvSemID(a, 0, 0)
	if err != nil {
		return nil, h.fail(err)
	}
	h.id = id
	ds, err := sysv.SemStat(id)
	if err != nil {
		return nil, h.fail(err)
	}
	if uint64(index) >= ds.Nsems {
		return nil, usageHint(fmt.Sprintf("the set has %d semaphore(s): use --index 0 to %d", ds.Nsems, ds.Nsems-1),
			"%s: no semaphore %d in the set", h.obj, index)
	}
	return h, nil
}

func (h *semHandle) close() {
	if h.posix != nil {
		h.posix.Close()
	}
}

// fail explains an error about the semaphore, naming the limits the kernel's errors stand for.
func (h *semHandle) fail(err error) error {
	var ce *cmdError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, posix.ErrBadName):
		return usageErrorf("%v", err)
	case errors.Is(err, unix.ELOOP) && h.obj.what == "semaphore":
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: /dev/shm/sem.%s is a symbolic link; a semaphore is never opened through one", h.obj, h.obj.addr[1:]),
			hint: fmt.Sprintf("look at it with: ls -l /dev/shm/sem.%s", h.obj.addr[1:])}
	case errors.Is(err, unix.EOVERFLOW):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: the value would pass SEM_VALUE_MAX (%d)", h.obj, posix.SemValueMax)}
	case errors.Is(err, unix.ERANGE):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: the value would pass SEMVMX (%d), the largest a System V semaphore holds", h.obj, sysv.SemVMX)}
	case h.posix == nil && errors.Is(err, unix.EINVAL) && h.obj.what == "semaphore":
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: not a semaphore (the file is not a glibc named semaphore)", h.obj),
			hint: fmt.Sprintf("look at it with: ls -l /dev/shm/sem.%s", h.obj.addr[1:])}
	}
	return h.obj.fail(err)
}

// semTarget parses the address of an existing semaphore: not private.
func semTarget(s string) (addr.Addr, error) {
	a, err := parseSemAddr(s)
	if err != nil {
		return a, err
	}
	if a.Kind == addr.Private {
		return a, usageHint("name an existing set with id:N or a key", "private names no existing semaphore set")
	}
	return a, nil
}

// parseSemAddr parses a semaphore's address, refusing a POSIX name too long for its file
// (sem.NAME in /dev/shm) as a usage error.
func parseSemAddr(s string) (addr.Addr, error) {
	a, err := parseAddr(s)
	if err != nil {
		return a, err
	}
	if a.Kind == addr.POSIX {
		if err := posix.ValidSemName(a.Name); err != nil {
			return a, usageHint("use a shorter name", "%v", err)
		}
	}
	return a, nil
}
