package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type shmCreateOptions struct {
	io        *iostreams.IOStreams
	addr      string
	size      string
	mode      string
	exclusive bool
	json      bool
}

// createdShm is what shm create reports.
type createdShm struct {
	ipc.Ref
	Mode    string `json:"mode"`
	Created bool   `json:"created"`
	Size    int64  `json:"size"`
}

func newShmCreateCmd(io *iostreams.IOStreams, runF func(*shmCreateOptions) error) *cobra.Command {
	opts := &shmCreateOptions{io: io}
	c := &cobra.Command{
		Use:   "create ADDR --size N",
		Short: "Create a shared memory object or segment",
		Long: `Create shared memory of --size bytes, all zeros: a POSIX object for a /name (shm_open(3) and
ftruncate(2)), a System V segment for a key, ftok:PATH:PROJ or private.

It prints the address for later commands: the /name, or id:N for System V. An existing object is
left as it is and printed, unless --exclusive, which makes it an error (exit 4); one smaller than
--size is an error too (exit 4; POSIX objects can grow with ipcx shm resize). New objects have mode 0600
unless --mode says otherwise, exactly, whatever the umask. A POSIX object is opened as shm_open
does (O_NOFOLLOW): a symbolic link planted in /dev/shm is refused, never followed.

` + exitStatusHelp,
		Example: `  $ ipcx shm create /frame --size 1M
  $ ipcx shm create /frame --size 64K --mode 0640 --exclusive
  $ ipcx shm create key:0x1a2b --size 4096
  $ m=$(ipcx shm create private --size 1MB)`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return shmCreateRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.size, "size", "", "size in bytes, like 4096, 64K, 1M or 1MB (required)")
	f.StringVar(&opts.mode, "mode", "0600", "permission bits of a new object, octal")
	f.BoolVar(&opts.exclusive, "exclusive", false, "fail (exit 4) when the object exists")
	f.BoolVar(&opts.json, "json", false, "print what was created as JSON")
	return c
}

func shmCreateRun(opts *shmCreateOptions) error {
	a, err := parseAddr(opts.addr)
	if err != nil {
		return err
	}
	mode, err := parseMode(opts.mode)
	if err != nil {
		return err
	}
	if opts.size == "" {
		return failure.Usagef("shm create: --size is required, like --size 4096, 64K or 1M")
	}
	size, err := parseSize("size", opts.size)
	if err != nil {
		return err
	}
	if size == 0 {
		return failure.Usagef("--size must be at least 1 byte")
	}
	obj := shmObject(a)
	info, err := ipc.CreateSegment(a, size, mode, opts.exclusive)
	if err != nil {
		return obj.Explain(err)
	}
	if info.Size < size {
		hint := fmt.Sprintf("grow it with: ipcx shm resize %s --size %d", a, size)
		if info.Flavor == "sysv" {
			hint = "System V segments cannot grow: remove it and create it again"
		}
		return failure.Newf(failure.Exists, "%s: exists with %s, less than --size %d", obj, bytesText(info.Size), size).WithHint(hint)
	}
	out := createdShm{Ref: info.Ref(),
		Mode: render.Mode(info.Mode), Created: info.Created, Size: info.Size}
	return reportCreated(opts.io, obj, opts.json, out, info.Made, func(a addr.Addr) error { _, err := ipc.RemoveSegment(a); return err })
}
