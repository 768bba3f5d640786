package main

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
)

// shmVerbs are shm's subcommands (newRootCmdFor builds one alone).
var shmVerbs = []verb{
	{"create", func(io *iostreams.IOStreams) *cobra.Command { return newShmCreateCmd(io, nil) }},
	{"resize", func(io *iostreams.IOStreams) *cobra.Command { return newShmResizeCmd(io, nil) }},
	{"write", func(io *iostreams.IOStreams) *cobra.Command { return newShmWriteCmd(io, nil) }},
	{"read", func(io *iostreams.IOStreams) *cobra.Command { return newShmReadCmd(io, nil) }},
	{"stat", func(io *iostreams.IOStreams) *cobra.Command { return newShmStatCmd(io, nil) }},
	{"ls", func(io *iostreams.IOStreams) *cobra.Command { return newShmLsCmd(io, nil) }},
	{"rm", func(io *iostreams.IOStreams) *cobra.Command { return newShmRmCmd(io, nil) }},
}

// newShmCmd builds shm with its subcommands: all, or the one named only (buildVerbs).
func newShmCmd(io *iostreams.IOStreams, only string) *cobra.Command {
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
	c.AddCommand(buildVerbs(io, shmVerbs, only)...)
	return groupObjects(c)
}

// shmObject names a shared memory object in messages.
func shmObject(a addr.Addr) failure.Object {
	if !a.IsSysV() {
		return failure.Object{Noun: "shm", What: "shared memory object", Addr: a.String(), Listable: true}
	}
	return failure.Object{Noun: "shm", What: "segment", Addr: a.String(), Listable: true}
}

// shmTarget parses the address of an existing object: not private.
func shmTarget(s string) (addr.Addr, error) {
	a, err := parseAddr(s)
	if err != nil {
		return a, err
	}
	if a.Kind == addr.Private {
		return a, failure.UsageHint("name an existing segment with id:N or a key", "private names no existing segment")
	}
	return a, nil
}

// openShm opens the shared memory a names, for writing when write is set, with its errors
// worded.
func openShm(a addr.Addr, write bool) (*ipc.Segment, failure.Object, error) {
	obj := shmObject(a)
	s, err := ipc.OpenSegment(a, write)
	if err != nil {
		return nil, obj, obj.Explain(err)
	}
	return s, obj, nil
}

// parseSize parses a --size, --offset or --length flag value.
func parseSize(flag, s string) (int64, error) {
	n, err := units.ParseSize(s)
	var se *units.SizeError
	if errors.As(err, &se) {
		return 0, failure.Usagef("invalid --%s %q: %s", flag, se.Input, se.Reason)
	}
	if err != nil {
		return 0, failure.Usagef("invalid --%s: %v", flag, err)
	}
	return n, nil
}

// bytesText is "1 byte" or "N bytes".
func bytesText(n int64) string { return failure.Bytes(n) }

// shmSpan checks --offset and --length against the object's size and returns the range they name;
// length < 0 means to the end. A range past the end is a failure (exit 1), as data that does not
// fit is, whatever the offset: the size is the object's, not the command line's.
func shmSpan(obj failure.Object, size, off, length int64) (int64, int64, error) {
	if off > size {
		return 0, 0, failure.Newf(failure.Failure, "%s: --offset %d is past the end of the %d-byte %s", obj, off, size, obj.What).
			WithHint(fmt.Sprintf("offsets go from 0 to %d", size))
	}
	if length < 0 {
		length = size - off
	}
	if length > size-off {
		return 0, 0, failure.Newf(failure.Failure, "%s: --length %d from offset %d goes past the end of the %d-byte %s", obj, length, off, size, obj.What).
			WithHint(fmt.Sprintf("at most %s from offset %d", bytesText(size-off), off))
	}
	return off, length, nil
}
