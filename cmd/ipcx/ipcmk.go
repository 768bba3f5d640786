package main

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

type ipcmkOptions struct {
	io        *iostreams.IOStreams
	shmSize   string
	semN      string
	queue     bool
	pshmSize  string
	pqueue    bool
	psem      bool
	name      string
	mode      string
	shmSet    bool
	semSet    bool
	pshmSet   bool
	modeValue uint32
}

func newIpcmkCmd(io *iostreams.IOStreams, runF func(*ipcmkOptions) error) *cobra.Command {
	opts := &ipcmkOptions{io: io}
	c := &cobra.Command{
		Use:   "ipcmk [options]",
		Short: "Create IPC resources, as util-linux's ipcmk does",
		Long: `Create IPC resources, as util-linux's ipcmk(1) 2.41 does: a System V shared memory segment
(-M SIZE), message queue (-Q) or semaphore set (-S N) with a random key, and POSIX shared memory
(-m SIZE), a POSIX message queue (-q) or a POSIX semaphore (-s, value 0) named with -n NAME.
-p sets the mode (default 0644). It prints the id or name of each resource made.
` + compatNote + `

EXIT STATUS
  0    every resource asked for was created
  1    a resource could not be created, or a bad argument (as util-linux)`,
		Example: `  $ ipcx ipcmk -Q
  $ ipcx ipcmk -M 1M -p 600
  $ ipcx ipcmk -S 3
  $ ipcx ipcmk -q -n /jobs`,
		DisableFlagsInUseLine: true,
		Args:                  exactArgs(0, "options only"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.shmSet, opts.semSet, opts.pshmSet = c.Flags().Changed("shmem"), c.Flags().Changed("semaphore"), c.Flags().Changed("posix-shmem")
			if runF != nil {
				return runF(opts)
			}
			return compatExit(io, ipcmkRun(opts))
		},
	}
	f := c.Flags()
	f.StringVarP(&opts.shmSize, "shmem", "M", "", "create a System V shared memory segment of `size` bytes")
	f.StringVarP(&opts.semN, "semaphore", "S", "", "create a System V semaphore set with `number` elements")
	f.BoolVarP(&opts.queue, "queue", "Q", false, "create a System V message queue")
	f.StringVarP(&opts.pshmSize, "posix-shmem", "m", "", "create a POSIX shared memory object of `size` bytes")
	f.BoolVarP(&opts.pqueue, "posix-mqueue", "q", false, "create a POSIX message queue")
	f.BoolVarP(&opts.psem, "posix-semaphore", "s", false, "create a POSIX semaphore")
	f.StringVarP(&opts.name, "name", "n", "", "`name` of the POSIX resource")
	f.StringVarP(&opts.mode, "mode", "p", "0644", "permission for the resource")
	c.SetFlagErrorFunc(compatFlagError(io, "ipcmk"))
	return c
}

func ipcmkFail(format string, args ...any) error {
	return &compatError{tool: "ipcmk", msg: fmt.Sprintf(format, args...)}
}

// randomKey picks a key as util-linux does: random bytes.
func randomKey() sysv.Key {
	var b [4]byte
	rand.Read(b[:])
	return sysv.Key(int32(binary.NativeEndian.Uint32(b[:])))
}

// errText is an errno as strerror(3) words it, capitalised the way err(3) prints it.
func errText(err error) string {
	var e unix.Errno
	for u := err; u != nil; {
		if x, ok := u.(unix.Errno); ok {
			e = x
			break
		}
		w, ok := u.(interface{ Unwrap() error })
		if !ok {
			break
		}
		u = w.Unwrap()
	}
	if e == 0 {
		return err.Error()
	}
	s := e.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

func ipcmkRun(opts *ipcmkOptions) error {
	if !opts.shmSet && !opts.semSet && !opts.queue && !opts.pshmSet && !opts.pqueue && !opts.psem {
		return &compatError{tool: "ipcmk", msg: "bad usage", tryHelp: true}
	}
	mode, err := strconv.ParseUint(opts.mode, 8, 32)
	if err != nil || mode > 0o777 {
		return ipcmkFail("failed to parse mode: '%s'", opts.mode)
	}
	var shmSize, pshmSize int64
	if opts.shmSet {
		if shmSize, err = units.ParseSize(opts.shmSize); err != nil {
			return ipcmkFail("failed to parse size: '%s': Invalid argument", opts.shmSize)
		}
	}
	if opts.pshmSet {
		if pshmSize, err = units.ParseSize(opts.pshmSize); err != nil {
			return ipcmkFail("failed to parse size: '%s': Invalid argument", opts.pshmSize)
		}
	}
	nsems := 0
	if opts.semSet {
		n, err := strconv.ParseInt(opts.semN, 10, 32)
		if err != nil {
			return ipcmkFail("failed to parse elements: '%s'", opts.semN)
		}
		nsems = int(n)
	}
	posixName := ""
	if opts.pshmSet || opts.pqueue || opts.psem {
		if opts.name == "" {
			return &compatError{tool: "ipcmk", msg: "name of the POSIX resource is required (-n NAME)", tryHelp: true}
		}
		posixName = "/" + strings.TrimLeft(opts.name, "/")
		if err := posix.ValidName(posixName); err != nil {
			return ipcmkFail("invalid name '%s': %v", opts.name, err)
		}
	}
	out := opts.io.Out
	if opts.shmSet {
		id, err := sysv.ShmGet(randomKey(), int(shmSize), sysv.Create|int(mode))
		if err != nil {
			return ipcmkFail("create share memory failed: %s", errText(err))
		}
		fmt.Fprintf(out, "Shared memory id: %d\n", id)
	}
	if opts.queue {
		id, err := sysv.MsgGet(randomKey(), sysv.Create|int(mode))
		if err != nil {
			return ipcmkFail("create message queue failed: %s", errText(err))
		}
		fmt.Fprintf(out, "Message queue id: %d\n", id)
	}
	if opts.semSet {
		id, err := sysv.SemGet(randomKey(), nsems, sysv.Create|int(mode))
		if err != nil {
			return ipcmkFail("create semaphore failed: %s", errText(err))
		}
		fmt.Fprintf(out, "Semaphore id: %d\n", id)
	}
	if opts.pshmSet {
		// util-linux lets the umask narrow the mode
		f, _, err := posix.ShmCreate(posixName, posix.ShmCreateOptions{Mode: uint32(mode), Umask: true, Size: pshmSize, Exclusive: true})
		if err == nil {
			f.Close()
		}
		if err != nil {
			return ipcmkFail("create POSIX shared memory failed: %s", errText(err))
		}
		fmt.Fprintf(out, "POSIX shared memory name: %s\n", posixName)
	}
	if opts.pqueue {
		q, err := posix.MqOpen(posixName, unix.O_CREAT|unix.O_EXCL|unix.O_RDWR, uint32(mode), nil)
		if err != nil {
			return ipcmkFail("create POSIX message queue failed: %s", errText(err))
		}
		q.Close()
		fmt.Fprintf(out, "POSIX message queue name: %s\n", posixName)
	}
	if opts.psem {
		s, err := posix.SemOpen(posixName, unix.O_CREAT|unix.O_EXCL, uint32(mode), 0)
		if err != nil {
			return ipcmkFail("create POSIX semaphore failed: %s", errText(err))
		}
		s.Close()
		fmt.Fprintf(out, "POSIX semaphore name: %s\n", posixName)
	}
	return nil
}
