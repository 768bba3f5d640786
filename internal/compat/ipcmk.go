package compat

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/units"
	"golang.org/x/sys/unix"
)

// ipcmkGetopt is ipcmk's command line: util-linux 2.41's options.
// IpcmkOptions is ipcmk's option table, for the host command's help.
func IpcmkOptions() []Option { return ipcmkGetopt.Options }

var ipcmkGetopt = Getopt{Prog: "ipcmk", Options: []Option{
	{"shmem", 'M', RequiredArg, "create a System V shared memory segment of `size` bytes"}, {"semaphore", 'S', RequiredArg, "create a System V semaphore set with `number` elements"}, {"queue", 'Q', NoArg, "create a System V message queue"},
	{"posix-shmem", 'm', RequiredArg, "create a POSIX shared memory object of `size` bytes"}, {"posix-mqueue", 'q', NoArg, "create a POSIX message queue"}, {"posix-semaphore", 's', NoArg, "create a POSIX semaphore"},
	{"name", 'n', RequiredArg, "`name` of the POSIX resource"}, {"mode", 'p', RequiredArg, "permission for the resource (default 0644)"},
	{"version", 'V', NoArg, "print the version"}, {"help", 'h', NoArg, ""},
}}

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

// Ipcmk is util-linux's ipcmk(1): it makes the objects asked for, in a fixed order (System V
// shared memory, queue, semaphores, then POSIX shared memory, queue, semaphore) and prints the
// id or name of each. It returns nil, or an ExitStatus once it has printed why.
func Ipcmk(argv []string, env *Env) error {
	parsed, _, perr := ipcmkGetopt.Parse(argv[1:]) // util-linux ignores operands
	val := map[string]string{"mode": "0644"}
	set := map[string]bool{}
	for _, p := range parsed {
		switch p.Name {
		case "help":
			return env.Help()
		case "version":
			return env.version("ipcmk")
		}
		val[p.Name], set[p.Name] = p.Value, true
	}
	if perr != nil {
		return env.exit(perr)
	}
	sys, err := env.Open("") // ipcmk takes no --ns
	if err != nil {
		return env.exit(err)
	}
	return env.exit(ipcmkRun(val, set, sys, env))
}

func ipcmkRun(val map[string]string, set map[string]bool, sys System, env *Env) error {
	fail := func(format string, args ...any) error { return failf("ipcmk", format, args...) }
	if !set["shmem"] && !set["semaphore"] && !set["queue"] && !set["posix-shmem"] && !set["posix-mqueue"] && !set["posix-semaphore"] {
		return usagef("ipcmk", "bad usage")
	}
	mode, err := strconv.ParseUint(val["mode"], 8, 32)
	if err != nil || mode > 0o777 {
		return fail("failed to parse mode: '%s'", val["mode"])
	}
	var shmSize, pshmSize int64
	if set["shmem"] {
		if shmSize, err = units.ParseSize(val["shmem"]); err != nil {
			return fail("failed to parse size: '%s': Invalid argument", val["shmem"])
		}
	}
	if set["posix-shmem"] {
		if pshmSize, err = units.ParseSize(val["posix-shmem"]); err != nil {
			return fail("failed to parse size: '%s': Invalid argument", val["posix-shmem"])
		}
	}
	nsems := int64(0)
	if set["semaphore"] {
		if nsems, err = strconv.ParseInt(val["semaphore"], 10, 32); err != nil {
			return fail("failed to parse elements: '%s'", val["semaphore"])
		}
	}
	name := ""
	if set["posix-shmem"] || set["posix-mqueue"] || set["posix-semaphore"] {
		if val["name"] == "" {
			return usagef("ipcmk", "name of the POSIX resource is required (-n NAME)")
		}
		name = "/" + strings.TrimLeft(val["name"], "/")
		if err := posix.ValidName(name); err != nil {
			return fail("invalid name '%s': %v", val["name"], err)
		}
	}
	for _, m := range []struct {
		option string
		c      Creation
		what   string // in the failure
		done   string // the line printed, with the id or name
	}{
		{"shmem", Creation{Kind: inventory.Shm, Flavor: inventory.SysV, Size: shmSize}, "share memory", "Shared memory id: %d\n"},
		{"queue", Creation{Kind: inventory.MQ, Flavor: inventory.SysV}, "message queue", "Message queue id: %d\n"},
		{"semaphore", Creation{Kind: inventory.Sem, Flavor: inventory.SysV, Size: nsems}, "semaphore", "Semaphore id: %d\n"},
		{"posix-shmem", Creation{Kind: inventory.Shm, Flavor: inventory.POSIX, Size: pshmSize}, "POSIX shared memory", "POSIX shared memory name: %s\n"},
		{"posix-mqueue", Creation{Kind: inventory.MQ, Flavor: inventory.POSIX}, "POSIX message queue", "POSIX message queue name: %s\n"},
		{"posix-semaphore", Creation{Kind: inventory.Sem, Flavor: inventory.POSIX}, "POSIX semaphore", "POSIX semaphore name: %s\n"},
	} {
		if !set[m.option] {
			continue
		}
		c := m.c
		c.Mode = uint32(mode)
		if c.Flavor == inventory.SysV {
			c.Key = randomKey()
		} else {
			c.Name = name
		}
		id, err := sys.Create(c)
		if err != nil {
			return fail("create %s failed: %s", m.what, errText(err))
		}
		if c.Flavor == inventory.SysV {
			fmt.Fprintf(env.Stdout, m.done, id)
		} else {
			fmt.Fprintf(env.Stdout, m.done, name)
		}
	}
	return nil
}
