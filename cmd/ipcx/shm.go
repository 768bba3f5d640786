package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

func newShmCmd(io *iostreams.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "shm",
		Short: "Shared memory, POSIX (/name) and System V segments (key, id)",
		Long: `Shared memory of both flavors: a /name is a POSIX shared memory object (shm_open(3), a file in
/dev/shm), a key or an id a System V segment (shmget(2)). Sizes and offsets take 4096, 64K, 1M
(1024-based), 1MB (1000-based) or 0x1000 (hexadecimal, no unit).

` + exitStatusHelp,
		Example: `  $ ipcx shm create /frame --size 1M
  $ ipcx shm write /frame --offset 4K "hello"
  $ ipcx shm read /frame --offset 4K --length 5
  $ ipcx shm read /frame --length 64 --hex
  $ ipcx shm create key:0x1a2b --size 64K
  $ ipcx shm ls`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(
		newShmCreateCmd(io, nil),
		newShmResizeCmd(io, nil),
		newShmWriteCmd(io, nil),
		newShmReadCmd(io, nil),
		newShmStatCmd(io, nil),
		newShmLsCmd(io, nil),
		newShmRmCmd(io, nil),
	)
	return groupObjects(c)
}

// shmObject names a shared memory object in messages.
func shmObject(a addr.Addr) object {
	if a.Kind == addr.POSIX {
		return object{noun: "shm", what: "shared memory object", addr: a.String()}
	}
	return object{noun: "shm", what: "segment", addr: a.String()}
}

// shmTarget parses the address of an existing object: not private.
func shmTarget(s string) (addr.Addr, error) {
	a, err := parseAddr(s)
	if err != nil {
		return a, err
	}
	if a.Kind == addr.Private {
		return a, usageHint("name an existing segment with id:N or a key", "private names no existing segment")
	}
	return a, nil
}

// sysvShmID finds the System V segment an address names (see sysvID), of size bytes when it
// creates one.
func sysvShmID(a addr.Addr, size int64, flags int) (sysv.ID, error) {
	return sysvID(a, flags, sysvKind{noun: "shm", what: "segment",
		stat: func(id sysv.ID) error { _, err := sysv.ShmStat(id); return err },
		get:  func(key sysv.Key, flags int) (sysv.ID, error) { return sysv.ShmGet(key, int(size), flags) }})
}

// shmHandle is an open shared memory object: a POSIX object's descriptor, or a System V segment
// attached.
type shmHandle struct {
	obj  object
	file *os.File // POSIX
	mem  []byte   // System V, attached
	size int64
}

// openShm opens the object a names, for writing when write is set.
func openShm(a addr.Addr, write bool) (*shmHandle, error) {
	h := &shmHandle{obj: shmObject(a)}
	if a.Kind == addr.POSIX {
		flags := unix.O_RDONLY
		if write {
			flags = unix.O_RDWR
		}
		f, err := posix.ShmOpen(a.Name, flags, 0)
		if err != nil {
			return nil, h.fail(err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, h.fail(err)
		}
		h.file, h.size = f, fi.Size()
		return h, nil
	}
	id, err := sysvShmID(a, 0, 0)
	if err != nil {
		return nil, h.fail(err)
	}
	mem, err := sysv.ShmAttach(id, !write)
	if err != nil {
		return nil, h.fail(err)
	}
	h.mem, h.size = mem, int64(len(mem))
	return h, nil
}

func (h *shmHandle) close() {
	if h.file != nil {
		h.file.Close()
	}
	if h.mem != nil {
		sysv.ShmDetach(h.mem)
	}
}

// fail explains an error about the object.
func (h *shmHandle) fail(err error) error {
	var ce *cmdError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, unix.ELOOP):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: is a symbolic link; shared memory is never opened through one", h.obj),
			hint: fmt.Sprintf("look at it with: ls -l /dev/shm/%s", h.obj.addr[1:])}
	case errors.Is(err, unix.EINVAL) && h.obj.what == "shared memory object":
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: not a regular file in /dev/shm", h.obj)}
	}
	e := h.obj.fail(err)
	if ce, ok := e.(*cmdError); ok && strings.HasPrefix(ce.hint, "create it with:") {
		ce.hint += " --size N"
	}
	return e
}

// parseSize parses a --size, --offset or --length flag value.
func parseSize(flag, s string) (int64, error) {
	n, err := units.ParseSize(s)
	var se *units.SizeError
	if errors.As(err, &se) {
		return 0, usageErrorf("invalid --%s %q: %s", flag, se.Input, se.Reason)
	}
	if err != nil {
		return 0, usageErrorf("invalid --%s: %v", flag, err)
	}
	return n, nil
}

// bytesText is "1 byte" or "N bytes".
func bytesText(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// span checks --offset and --length against the object's size and returns the range they name;
// length < 0 means to the end.
func (h *shmHandle) span(off, length int64) (int64, int64, error) {
	if off > h.size {
		return 0, 0, usageHint(fmt.Sprintf("offsets go from 0 to %d", h.size),
			"%s: --offset %d is past the end of the %d-byte %s", h.obj, off, h.size, h.obj.what)
	}
	if length < 0 {
		length = h.size - off
	}
	if length > h.size-off {
		return 0, 0, usageHint(fmt.Sprintf("at most %s from offset %d", bytesText(h.size-off), off),
			"%s: --length %d from offset %d goes past the end of the %d-byte %s", h.obj, length, off, h.size, h.obj.what)
	}
	return off, length, nil
}
