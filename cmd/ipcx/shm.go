package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
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
	if !a.IsSysV() {
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

// openShm opens the shared memory a names, for writing when write is set, with its errors
// worded.
func openShm(a addr.Addr, write bool) (*ipc.Segment, object, error) {
	obj := shmObject(a)
	s, err := ipc.OpenSegment(a, write)
	if err != nil {
		return nil, obj, shmFail(obj, err)
	}
	return s, obj, nil
}

// shmFail explains an error about the object.
func shmFail(obj object, err error) error {
	var ce *cmdError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, ipc.ErrSymlink):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: is a symbolic link; shared memory is never opened through one", obj),
			hint: fmt.Sprintf("look at it with: ls -l /dev/shm/%s", obj.addr[1:])}
	case errors.Is(err, ipc.ErrNotRegular):
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: not a regular file in /dev/shm", obj)}
	}
	e := obj.fail(err)
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

// shmSpan checks --offset and --length against the object's size and returns the range they name;
// length < 0 means to the end.
func shmSpan(obj object, size, off, length int64) (int64, int64, error) {
	if off > size {
		return 0, 0, usageHint(fmt.Sprintf("offsets go from 0 to %d", size),
			"%s: --offset %d is past the end of the %d-byte %s", obj, off, size, obj.what)
	}
	if length < 0 {
		length = size - off
	}
	if length > size-off {
		return 0, 0, usageHint(fmt.Sprintf("at most %s from offset %d", bytesText(size-off), off),
			"%s: --length %d from offset %d goes past the end of the %d-byte %s", obj, length, off, size, obj.what)
	}
	return off, length, nil
}
