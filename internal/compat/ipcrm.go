//go:build linux

package compat

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipcx/ipcx/internal/inventory"
	"golang.org/x/sys/unix"
)

// ipcrmGetopt is ipcrm's command line: util-linux 2.41's longopts, in their order, and ipcx's --ns.
var ipcrmGetopt = Getopt{Prog: "ipcrm", Options: []Option{
	{"shmem-id", 'm', RequiredArg, ""}, {"shmem-key", 'M', RequiredArg, ""}, {"posix-shmem", 0, RequiredArg, ""},
	{"queue-id", 'q', RequiredArg, ""}, {"queue-key", 'Q', RequiredArg, ""}, {"posix-mqueue", 0, RequiredArg, ""},
	{"semaphore-id", 's', RequiredArg, ""}, {"semaphore-key", 'S', RequiredArg, ""}, {"posix-semaphore", 0, RequiredArg, ""},
	{"all", 'a', OptionalArg, ""}, {"verbose", 'v', NoArg, ""},
	{"version", 'V', NoArg, ""}, {"help", 'h', NoArg, ""},
	{"ns", 0, RequiredArg, ""},
}}

// ipcrmKind is what the removal option opt removes ("shm", "msg", "sem"; "pshm", "pmsg", "psem"),
// and whether it names it by key; "" for another option.
func ipcrmKind(opt string) (kind string, byKey bool) {
	switch opt {
	case "shmem-id":
		return "shm", false
	case "shmem-key":
		return "shm", true
	case "posix-shmem":
		return "pshm", false
	case "queue-id":
		return "msg", false
	case "queue-key":
		return "msg", true
	case "posix-mqueue":
		return "pmsg", false
	case "semaphore-id":
		return "sem", false
	case "semaphore-key":
		return "sem", true
	case "posix-semaphore":
		return "psem", false
	}
	return "", false
}

// ipcrmWhat is what ipcrm -v calls an object of kind (ipcrmKind's); "" for another word.
func ipcrmWhat(kind string) string {
	switch kind {
	case "shm":
		return "shared memory segment id"
	case "msg":
		return "message queue id"
	case "sem":
		return "semaphore id"
	case "pshm":
		return "POSIX shared memory"
	case "pmsg":
		return "POSIX message queue"
	case "psem":
		return "POSIX semaphore"
	}
	return ""
}

// ipcrm is one run: util-linux removes as it parses, and so does this.
type ipcrm struct {
	out, errOut io.Writer
	dirs        Dirs
	verbose     bool
	// inAll: -a is removing; a failure util-linux ends on (err(3)) is reported and -a goes on
	// (one of ipcx's deviations: a half-done -a says what it could not remove).
	inAll bool
}

func (r *ipcrm) warn(format string, args ...any) {
	fmt.Fprintf(r.errOut, "ipcrm: "+format+"\n", args...)
}

// fatal is util-linux's err(EXIT_FAILURE, msg): within -a it is reported and -a goes on.
func (r *ipcrm) fatal(msg string, err error) error {
	if r.inAll {
		r.warn("%s: %s", msg, errText(err))
		return nil
	}
	return failf("ipcrm", "%s: %s", msg, errText(err))
}

// removeID is util-linux's remove_id: it reports a failure (and returns failed) or ends the run
// (err).
func (r *ipcrm) removeID(kind string, byKey bool, id int) (failed bool, err error) {
	if r.verbose {
		fmt.Fprintf(r.out, "removing %s `%d'\n", ipcrmWhat(kind), id)
	}
	e := rmid(kind, id)
	if e == nil {
		return false, nil
	}
	what := "id"
	if byKey {
		what = "key"
	}
	switch {
	case errors.Is(e, unix.EACCES), errors.Is(e, unix.EPERM):
		r.warn("permission denied for %s (%d)", what, id)
	case errors.Is(e, unix.EINVAL):
		r.warn("invalid %s (%d)", what, id)
	case errors.Is(e, unix.EIDRM):
		r.warn("already removed %s (%d)", what, id)
	default:
		return true, r.fatal(what+" failed", e)
	}
	return true, nil
}

// keyToID is util-linux's key_to_id: the id of the object with key s, or -1 once reported.
func (r *ipcrm) keyToID(kind, s string) (int, error) {
	key, err := strtokey(s)
	if err != nil {
		return -1, err
	}
	if key == 0 {
		r.warn("illegal key (%s)", s)
		return -1, nil
	}
	var id int
	switch kind {
	case "shm":
		id, err = shmget(key, 0, 0)
	case "msg":
		id, err = msgget(key, 0)
	default:
		id, err = semget(key, 0, 0)
	}
	if err == nil {
		return id, nil
	}
	switch err {
	case unix.EACCES:
		r.warn("permission denied for key (%s)", s)
	case unix.EIDRM:
		r.warn("already removed key (%s)", s)
	case unix.ENOENT:
		r.warn("invalid key (%s)", s)
	default:
		return -1, failf("ipcrm", "key failed: %s", errText(err))
	}
	return -1, nil
}

// removeName is util-linux's remove_name.
func (r *ipcrm) removeName(kind, name string) (failed bool, err error) {
	if r.verbose {
		fmt.Fprintf(r.out, "removing %s `%s'\n", ipcrmWhat(kind), name)
	}
	var e error
	switch kind {
	case "pshm":
		e = shmUnlink(r.dirs.Shm, name, "")
	case "pmsg":
		e = mqUnlink(name)
	default:
		e = shmUnlink(r.dirs.Shm, name, "sem.")
	}
	switch e {
	case nil:
		return false, nil
	case unix.EACCES, unix.EPERM:
		r.warn("permission denied for name `%s'", name)
	case unix.ENOENT:
		r.warn("name `%s' not found", name)
	case unix.ENAMETOOLONG:
		r.warn("name `%s' too long", name)
	default:
		return true, r.fatal("name failed", e)
	}
	return true, nil
}

// removeAll is util-linux's remove_all for one type or every one ("").
func (r *ipcrm) removeAll(what string) (failed bool, err error) {
	r.inAll = true
	defer func() { r.inAll = false }()
	var posixEnts []PosixEntry
	listed := false
	posixList := func() []PosixEntry {
		if !listed {
			posixEnts, listed = readPosixDirs(r.dirs.Mqueue, r.dirs.Shm, r.dirs.Follow), true
		}
		return posixEnts
	}
	for _, kind := range []string{"shm", "pshm", "sem", "psem", "msg", "pmsg"} {
		if what != "" && what != kind {
			continue
		}
		var f bool
		var err error
		switch kind {
		case "shm", "sem", "msg":
			ids, e := statAll(kind)
			if e != nil {
				names := map[string]string{"shm": "shared memory", "sem": "semaphores", "msg": "message queues"}
				return failed, failf("ipcrm", "kernel not configured for %s", names[kind])
			}
			for _, id := range ids {
				if f, err = r.removeID(kind, false, id); err != nil {
					return failed, err
				}
				failed = failed || f
			}
		default:
			if kind == "pmsg" && !mqueueMounted(r.dirs.Mqueue) {
				r.warn("/dev/mqueue does not seem to be mounted. Use 'mount -t mqueue none /dev/mqueue' to mount it.")
				continue
			}
			for _, e := range posixList() {
				var name string
				switch {
				case kind == "pshm" && e.Kind == inventory.Shm:
					// ipcx's deviation: only regular files are POSIX shared memory; util-linux
					// also unlinks symlinks and fails on directories.
					if !e.Regular {
						continue
					}
					name = e.Name
				case kind == "psem" && e.Kind == inventory.Sem, kind == "pmsg" && e.Kind == inventory.MQ:
					name = e.Name
				default:
					continue
				}
				if r.verbose {
					fmt.Fprintf(r.out, "removing %s `%s'\n", ipcrmWhat(kind), name)
				}
				if f, err = r.removeName(kind, name); err != nil {
					return failed, err
				}
				failed = failed || f
			}
		}
	}
	return failed, nil
}

func mqueueMounted(dir string) bool {
	return dir != "" && unix.Access(dir, unix.F_OK) == nil
}

// Ipcrm is util-linux's ipcrm(1): it removes as it reads its command line, as util-linux does,
// with ipcx's deviations (see the package doc). It returns nil, an ExitStatus once it has printed
// why, or Env.Open's error.
func Ipcrm(argv []string, env *Env) error {
	if len(argv) <= 1 {
		return env.exit(usagef("ipcrm", "bad usage"))
	}
	if kind := argv[1]; kind == "shm" || kind == "msg" || kind == "sem" {
		return env.exit(ipcrmOld(kind, argv[2:], env))
	}
	parsed, operands, perr := ipcrmGetopt.Parse(argv[1:])
	ns, nsSet := "", false
	for _, p := range parsed {
		if p.Name == "ns" {
			ns, nsSet = p.Value, true
		}
		// ipcx's deviation: "-a shm" would remove every object of every type first, then
		// complain about "shm"; it is refused before anything is removed.
		if next := p.Index + 2; p.Name == "all" && !p.HasValue && next < len(argv) && !strings.HasPrefix(argv[next], "-") {
			spelled := "-a="
			if p.Long {
				spelled = "--all="
			}
			return env.exit(usagef("ipcrm", "unknown argument: %s", argv[next]).
				withHint("to remove one type write " + spelled + argv[next] + "; -a alone removes every type"))
		}
	}
	sys, err := env.open(ns, nsSet)
	if err != nil {
		return env.exit(err)
	}
	var result error
	derr := sys.Do(func(d Dirs) error {
		result = ipcrmRun(&ipcrm{out: env.Stdout, errOut: env.Stderr, dirs: d}, parsed, operands, perr, env)
		return nil
	})
	if derr != nil {
		return env.exit(derr)
	}
	return env.exit(result)
}

func ipcrmRun(r *ipcrm, parsed []Parsed, operands []string, perr error, env *Env) error {
	failed := 0
	all, what := false, ""
	for _, p := range parsed {
		var f bool
		var err error
		switch p.Name {
		case "all":
			all, what = true, ""
			if p.HasValue {
				v := strings.TrimPrefix(p.Value, "=")
				if ipcrmWhat(v) == "" {
					return failf("ipcrm", "unknown argument: %s", v)
				}
				what = v
			}
		case "verbose":
			r.verbose = true
		case "help":
			return env.Help()
		case "version":
			return env.version("ipcrm")
		case "ns":
		default:
			kind, byKey := ipcrmKind(p.Name)
			switch {
			case strings.HasPrefix(kind, "p"):
				f, err = r.removeName(kind, p.Value)
			case byKey:
				var id int
				if id, err = r.keyToID(kind, p.Value); err == nil {
					if id < 0 {
						f = true
					} else {
						f, err = r.removeID(kind, true, id)
					}
				}
			default:
				var id int32
				if id, err = parseS32Msg("ipcrm", "failed to parse argument", p.Value); err == nil {
					f, err = r.removeID(kind, false, int(id))
				}
			}
		}
		if err != nil {
			return err
		}
		if f {
			failed++
		}
	}
	if perr != nil {
		return perr
	}
	if all {
		f, err := r.removeAll(what)
		if err != nil {
			return err
		}
		if f {
			failed++
		}
	}
	if len(operands) > 0 {
		return usagef("ipcrm", "unknown argument: %s", operands[0])
	}
	if failed > 0 {
		return ExitStatus(1)
	}
	return nil
}

// ipcrmOld is the old form: ipcrm shm|msg|sem ID...
func ipcrmOld(kind string, ids []string, env *Env) error {
	if len(ids) == 0 {
		return usagef("ipcrm", "not enough arguments")
	}
	sys, err := env.open("", false)
	if err != nil {
		return err
	}
	var result error
	derr := sys.Do(func(d Dirs) error {
		r := &ipcrm{out: env.Stdout, errOut: env.Stderr, dirs: d}
		failed := false
		for _, s := range ids {
			n, ok := strtoul(s, 10)
			if !ok {
				r.warn("invalid id: %s", s)
				failed = true
				continue
			}
			f, err := r.removeID(kind, false, int(int32(uint32(n))))
			if err != nil {
				result = err
				return nil
			}
			failed = failed || f
		}
		if failed {
			result = ExitStatus(1)
			return nil
		}
		fmt.Fprintln(env.Stdout, "resource(s) deleted")
		return nil
	})
	if derr != nil {
		return derr
	}
	return result
}

// strtokey is util-linux's strtokey: strtoul(3) in base 0, the whole string, as a key_t.
func strtokey(s string) (int32, error) {
	n, ok := strtoul(s, 0)
	if s == "" || !ok {
		if _, rangeErr := strtoulRange(s, 0); rangeErr {
			return 0, failf("ipcrm", "failed to parse argument: '%s': %s", s, errText(unix.ERANGE))
		}
		return 0, failf("ipcrm", "failed to parse argument: '%s'", s)
	}
	return int32(uint32(n)), nil
}
