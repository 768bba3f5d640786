package main

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
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
	Address string    `json:"address"`
	Flavor  string    `json:"flavor"`
	Name    string    `json:"name,omitempty"`
	Key     *sysv.Key `json:"key,omitempty"`
	ID      *sysv.ID  `json:"id,omitempty"`
	Mode    string    `json:"mode"`
	Created bool      `json:"created"`
	NSems   int       `json:"nsems"`
	Values  []int     `json:"values"`
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
		return usageErrorf("--value must not be negative (a semaphore counts free units), got %d", opts.value)
	}
	obj := semObject(a)
	var out createdSem
	if a.Kind == addr.POSIX {
		if opts.flagSet("nsems") {
			return usageHint("a POSIX semaphore is a single semaphore; System V sets take --nsems", "--nsems is for System V semaphore sets")
		}
		if opts.value > posix.SemValueMax {
			return usageErrorf("--value %d is over SEM_VALUE_MAX (%d)", opts.value, posix.SemValueMax)
		}
		created := true
		s, err := posix.SemOpen(a.Name, unix.O_CREAT|unix.O_EXCL, mode, uint(opts.value))
		if errors.Is(err, unix.EEXIST) && !opts.exclusive {
			created = false
			s, err = posix.SemOpen(a.Name, 0, 0, 0)
		}
		if err != nil {
			return (&semHandle{obj: obj}).fail(err)
		}
		defer s.Close()
		info, err := posix.SemStat(a.Name)
		if err != nil {
			return obj.fail(err)
		}
		out = createdSem{Address: a.Name, Flavor: "posix", Name: a.Name, Mode: render.Mode(info.Mode),
			Created: created, NSems: 1, Values: []int{s.Value()}}
	} else {
		if opts.value > sysv.SemVMX {
			return usageErrorf("--value %d is over SEMVMX (%d), the largest a System V semaphore holds", opts.value, sysv.SemVMX)
		}
		if opts.nsems < 1 {
			return usageErrorf("--nsems must be at least 1, got %d", opts.nsems)
		}
		// Create exclusively first, so that "created" is known and only a new set gets --value.
		id, err := sysvSemID(a, opts.nsems, sysv.Create|sysv.Exclusive|int(mode))
		if errors.Is(err, unix.EINVAL) {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: the system refuses --nsems %d", obj, opts.nsems),
				hint: "see the limit SEMMSL, the first number in /proc/sys/kernel/sem"}
		}
		created := err == nil
		if errors.Is(err, unix.EEXIST) && !opts.exclusive {
			id, err = sysvSemID(a, 0, 0)
		}
		if err != nil {
			return obj.fail(err)
		}
		if created && opts.value > 0 {
			vals := make([]uint16, opts.nsems)
			for i := range vals {
				vals[i] = uint16(opts.value)
			}
			if err := sysv.SemSetAll(id, vals); err != nil {
				sysv.SemRemove(id)
				return obj.fail(err)
			}
		}
		info, err := sysv.SemSetOf(id)
		if err != nil {
			return obj.fail(err)
		}
		if !created && info.NSems < opts.nsems {
			return &cmdError{code: exitExists, msg: fmt.Sprintf("%s: exists with %d semaphore(s), fewer than --nsems %d", obj, info.NSems, opts.nsems),
				hint: fmt.Sprintf("a set cannot grow: use it with --nsems %d or fewer, or remove it first with: ipcx sem rm %s", info.NSems, a)}
		}
		vals, err := sysv.SemGetAll(id)
		if err != nil {
			return obj.fail(err)
		}
		out = createdSem{Address: fmt.Sprintf("id:%d", id), Flavor: "sysv", Key: &info.Key, ID: &id,
			Mode: render.Mode(info.Mode), Created: created, NSems: info.NSems, Values: intsOf(vals)}
	}
	if opts.json {
		return render.JSON(opts.io.Out, out)
	}
	_, err = fmt.Fprintln(opts.io.Out, out.Address)
	return err
}

func intsOf(v []uint16) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
