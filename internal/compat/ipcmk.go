//go:build linux

package compat

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"golang.org/x/sys/unix"
)

// IpcmkOptions is ipcmk's option table, for the host command's help.
func IpcmkOptions() []Option { return ipcmkGetopt.Options }

// ipcmkGetopt is ipcmk's command line: util-linux 2.41's longopts, in their order.
var ipcmkGetopt = Getopt{Prog: "ipcmk", Options: []Option{
	{"shmem", 'M', RequiredArg, "create a System V shared memory segment of `size` bytes"},
	{"posix-shmem", 'm', RequiredArg, "create a POSIX shared memory object of `size` bytes"},
	{"semaphore", 'S', RequiredArg, "create a System V semaphore set with `number` elements"},
	{"posix-semaphore", 's', NoArg, "create a POSIX semaphore"},
	{"queue", 'Q', NoArg, "create a System V message queue"},
	{"posix-mqueue", 'q', NoArg, "create a POSIX message queue"},
	{"mode", 'p', RequiredArg, "permission for the resource (default 0644)"},
	{"name", 'n', RequiredArg, "`name` of the POSIX resource (required for -m, -q, -s)"},
	{"version", 'V', NoArg, "print the version"}, {"help", 'h', NoArg, ""},
}}

// randomKey picks a key at random, as util-linux does (random bytes from getrandom(2) there;
// math/rand/v2 here, which the runtime seeds for every process from the kernel's AT_RANDOM: a key
// needs no secrecy, and crypto/rand would cost every command its initialisation and a 32 MB
// table).
func randomKey() int32 {
	return int32(rand.Uint32())
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
		if err == nil {
			return "Success"
		}
		return err.Error()
	}
	s := e.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

type ipcmkRequest struct {
	shm, pshm, msg, pmsg, sem, psem bool
	size                            uint64 // the last -M or -m
	nsems                           int32
	mode                            uint32
	name                            string
	nameSet                         bool
}

// Ipcmk is util-linux's ipcmk(1): it makes the objects asked for in util-linux's order (System V
// shared memory, POSIX shared memory, System V queue, POSIX queue, System V semaphores, POSIX
// semaphore), as util-linux makes them (random keys; no O_EXCL, so an existing POSIX object is
// opened; the umask applies to POSIX objects), and prints the id or name of each. It returns nil,
// or an ExitStatus once it has printed why.
func Ipcmk(argv []string, env *Env) error {
	parsed, _, perr := ipcmkGetopt.Parse(argv[1:]) // util-linux ignores operands
	req := ipcmkRequest{mode: 0o644}
	for _, p := range parsed {
		switch p.Name {
		case "shmem", "posix-shmem":
			n, err := parseSize(p.Value)
			if err != nil {
				return env.exit(failf("ipcmk", "failed to parse size: '%s': %s", p.Value, errText(err)))
			}
			req.size = n
			if p.Name == "shmem" {
				req.shm = true
			} else {
				req.pshm = true
			}
		case "queue":
			req.msg = true
		case "posix-mqueue":
			req.pmsg = true
		case "semaphore":
			n, err := parseS32Msg("ipcmk", "failed to parse elements", p.Value)
			if err != nil {
				return env.exit(err)
			}
			req.nsems, req.sem = n, true
		case "posix-semaphore":
			req.psem = true
		case "mode":
			n, end, over := cStrtoul(p.Value, 8)
			switch {
			case over:
				return env.exit(failf("ipcmk", "failed to parse mode: %s", errText(unix.ERANGE)))
			case end == 0 || end != len(p.Value):
				return env.exit(failf("ipcmk", "failed to parse mode: Success"))
			}
			req.mode = uint32(n)
		case "name":
			req.name, req.nameSet = p.Value, true
		case "help":
			return env.Help()
		case "version":
			return env.version("ipcmk")
		}
	}
	if perr != nil {
		return env.exit(perr)
	}
	if !req.shm && !req.msg && !req.sem && !req.pshm && !req.pmsg && !req.psem {
		return env.exit(usagef("ipcmk", "bad usage"))
	}
	if (req.pshm || req.pmsg || req.psem) && !req.nameSet {
		return env.exit(usagef("ipcmk", "name is required for POSIX IPC"))
	}
	sys, err := env.open("", false) // ipcmk takes no --ns of its own
	if err != nil {
		return env.exit(err)
	}
	var result error
	derr := sys.Do(func(d Dirs) error {
		result = ipcmkRun(req, d, env)
		return nil
	})
	if derr != nil {
		return env.exit(derr)
	}
	return env.exit(result)
}

func ipcmkRun(req ipcmkRequest, d Dirs, env *Env) error {
	fail := func(what string, err error) error { return failf("ipcmk", "%s: %s", what, errText(err)) }
	perm := int(int32(req.mode))
	if req.shm {
		id, err := shmget(randomKey(), req.size, perm|unix.IPC_CREAT)
		if err != nil {
			return fail("create share memory failed", err)
		}
		fmt.Fprintf(env.Stdout, "Shared memory id: %d\n", id)
	}
	if req.pshm {
		if err := shmOpenCreate(d.Shm, req.name, req.size, req.mode); err != nil {
			return fail("create POSIX shared memory failed", err)
		}
		fmt.Fprintf(env.Stdout, "POSIX shared memory name: %s\n", req.name)
	}
	if req.msg {
		id, err := msgget(randomKey(), perm|unix.IPC_CREAT)
		if err != nil {
			return fail("create message queue failed", err)
		}
		fmt.Fprintf(env.Stdout, "Message queue id: %d\n", id)
	}
	if req.pmsg {
		if err := mqOpenCreate(req.name, req.mode); err != nil {
			return fail("create POSIX message queue failed", err)
		}
		fmt.Fprintf(env.Stdout, "POSIX message queue name: %s\n", req.name)
	}
	if req.sem {
		id, err := semget(randomKey(), int(req.nsems), perm|unix.IPC_CREAT)
		if err != nil {
			return fail("create semaphore failed", err)
		}
		fmt.Fprintf(env.Stdout, "Semaphore id: %d\n", id)
	}
	if req.psem {
		if err := semOpenCreate(d.Shm, req.name, req.mode); err != nil {
			return fail("create POSIX semaphore failed", err)
		}
		fmt.Fprintf(env.Stdout, "POSIX semaphore name: %s\n", req.name)
	}
	return nil
}
