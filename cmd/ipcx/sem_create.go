package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type semCreateOptions struct {
	io        *iostreams.IOStreams
	addr      string
	value     int64
	mode      string
	exclusive bool
	nsems     int
	json      bool
	flagSet   func(string) bool
}

// createdSem is what sem create reports.
type createdSem struct {
	ipc.Ref
	Mode    string `json:"mode"`
	Created bool   `json:"created"`
	NSems   int    `json:"nsems"`
	Values  []int  `json:"values"`
}

func newSemCreateCmd(io *iostreams.IOStreams, runF func(*semCreateOptions) error) *cobra.Command {
	opts := &semCreateOptions{io: io}
	c := &cobra.Command{
		Use:   "create ADDR",
		Short: "Create a semaphore or a semaphore set",
		Long: `Create a semaphore: a POSIX named semaphore for a /name, a System V set of --nsems semaphores for
a key, ftok:PATH:PROJ or private. Every new semaphore starts at --value (default 0).

It prints the semaphore's address for later commands: the /name, or id:N for System V. An existing
semaphore is left as it is (its value unchanged) and printed, unless --exclusive, which makes it an
error (exit 4); so is a System V set with fewer semaphores than --nsems (sets cannot grow). New semaphores have mode 0600 unless --mode says otherwise, exactly, whatever the
umask. A POSIX semaphore is created the way glibc does it — written whole to a temporary file, then
linked to its name — so no process ever opens a half-made one.

` + exitStatusHelp,
		Example: `  $ ipcx sem create /lock --value 1
  $ ipcx sem create /slots --value 3 --mode 0660
  $ ipcx sem create key:0x1a2b --nsems 3 --value 1
  $ s=$(ipcx sem create private --value 1) && ipcx sem run "$s" -- make`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return semCreateRun(opts)
		},
	}
	f := c.Flags()
	f.Int64Var(&opts.value, "value", 0, "initial value of each new semaphore")
	f.StringVar(&opts.mode, "mode", "0600", "permission bits of a new semaphore, octal")
	f.BoolVar(&opts.exclusive, "exclusive", false, "fail (exit 4) when the semaphore exists")
	f.IntVar(&opts.nsems, "nsems", 1, "System V: number of semaphores in the set")
	f.BoolVar(&opts.json, "json", false, "print what was created as JSON")
	return c
}

func semCreateRun(opts *semCreateOptions) error {
	a, err := parseSemAddr(opts.addr)
	if err != nil {
		return err
	}
	mode, err := parseMode(opts.mode)
	if err != nil {
		return err
	}
	if opts.value < 0 {
		return failure.Usagef("--value must not be negative (a semaphore counts free units), got %d", opts.value)
	}
	obj := semObject(a)
	if !a.IsSysV() {
		if opts.flagSet("nsems") {
			return failure.UsageHint("a POSIX semaphore is a single semaphore; System V sets take --nsems", "--nsems is for System V semaphore sets")
		}
		if opts.value > posix.SemValueMax {
			return failure.Usagef("--value %d is over SEM_VALUE_MAX (%d)", opts.value, posix.SemValueMax)
		}
	} else {
		if opts.value > sysv.SemVMX {
			return failure.Usagef("--value %d is over SEMVMX (%d), the largest a System V semaphore holds", opts.value, sysv.SemVMX)
		}
		if opts.nsems < 1 {
			return failure.Usagef("--nsems must be at least 1, got %d", opts.nsems)
		}
	}
	info, err := ipc.CreateSemaphore(a, ipc.SemCreateOptions{Exclusive: opts.exclusive, Mode: mode, Value: int(opts.value), NSems: opts.nsems})
	if err != nil {
		return obj.Explain(err)
	}
	if !info.Created && info.NSems < opts.nsems {
		return failure.Newf(failure.Exists, "%s: exists with %d semaphore(s), fewer than --nsems %d", obj, info.NSems, opts.nsems).WithHint(fmt.Sprintf("a set cannot grow: use it with --nsems %d or fewer, or remove it first with: ipcx sem rm %s", info.NSems, a))
	}
	out := createdSem{Ref: info.Ref(),
		Mode: render.Mode(info.Mode), Created: info.Created, NSems: info.NSems, Values: info.Values}
	return reportCreated(opts.io, obj, opts.json, out, info.Made, ipc.RemoveSemaphore)
}
