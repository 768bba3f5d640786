package main

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/spf13/cobra"
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
	if !a.IsSysV() {
		return object{noun: "sem", what: "semaphore", addr: a.String()}
	}
	return object{noun: "sem", what: "semaphore set", addr: a.String()}
}

// openSem opens the existing semaphore a names, with its errors worded.
func openSem(a addr.Addr, o ipc.SemOptions) (*ipc.Semaphore, object, error) {
	obj := semObject(a)
	s, err := ipc.OpenSemaphore(a, o)
	if err != nil {
		return nil, obj, semFail(obj, err)
	}
	return s, obj, nil
}

// semFail explains an error about the semaphore, naming the limits the kernel's errors stand for.
func semFail(obj object, err error) error {
	var ce *cmdError
	var ie *ipc.IndexError
	var ve *ipc.ValueLimitError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, posix.ErrBadName):
		return usageErrorf("%v", err)
	case errors.Is(err, ipc.ErrIndexPOSIX):
		return usageHint("--index numbers the semaphores of a System V set", "a POSIX semaphore is a single semaphore: drop --index")
	case errors.As(err, &ie) && ie.Index < 0:
		return usageErrorf("--index must not be negative")
	case errors.As(err, &ie):
		return usageHint(fmt.Sprintf("the set has %d semaphore(s): use --index 0 to %d", ie.NSems, ie.NSems-1),
			"%s: no semaphore %d in the set", obj, ie.Index)
	case errors.Is(err, ipc.ErrSymlink):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: /dev/shm/sem.%s is a symbolic link; a semaphore is never opened through one", obj, obj.addr[1:]),
			hint: fmt.Sprintf("look at it with: ls -l /dev/shm/sem.%s", obj.addr[1:])}
	case errors.As(err, &ve):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: %v", obj, ve)}
	case errors.Is(err, ipc.ErrNotSemaphore):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: not a semaphore (the file is not a glibc named semaphore)", obj),
			hint: fmt.Sprintf("look at it with: ls -l /dev/shm/sem.%s", obj.addr[1:])}
	}
	return obj.fail(err)
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
	if !a.IsSysV() {
		if err := posix.ValidSemName(a.Name); err != nil {
			return a, usageHint("use a shorter name", "%v", err)
		}
	}
	return a, nil
}
