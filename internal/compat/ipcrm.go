package compat

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// ipcrmGetopt is ipcrm's command line: util-linux 2.41's options and ipcx's --ns.
var ipcrmGetopt = Getopt{Prog: "ipcrm", Options: []Option{
	{"shmem-id", 'm', RequiredArg, ""}, {"shmem-key", 'M', RequiredArg, ""},
	{"queue-id", 'q', RequiredArg, ""}, {"queue-key", 'Q', RequiredArg, ""},
	{"semaphore-id", 's', RequiredArg, ""}, {"semaphore-key", 'S', RequiredArg, ""},
	{"posix-shmem", 0, RequiredArg, ""}, {"posix-mqueue", 0, RequiredArg, ""}, {"posix-semaphore", 0, RequiredArg, ""},
	{"all", 'a', OptionalArg, ""}, {"verbose", 'v', NoArg, ""},
	{"version", 'V', NoArg, ""}, {"help", 'h', NoArg, ""},
	{"ns", 0, RequiredArg, ""},
}}

// ipcrmTarget is what each removal option names: the kind and flavor, and by what.
var ipcrmTargets = map[string]struct {
	kind   inventory.Kind
	flavor inventory.Flavor
	by     string
}{
	"shmem-id": {inventory.Shm, inventory.SysV, "id"}, "shmem-key": {inventory.Shm, inventory.SysV, "key"},
	"queue-id": {inventory.MQ, inventory.SysV, "id"}, "queue-key": {inventory.MQ, inventory.SysV, "key"},
	"semaphore-id": {inventory.Sem, inventory.SysV, "id"}, "semaphore-key": {inventory.Sem, inventory.SysV, "key"},
	"posix-shmem": {inventory.Shm, inventory.POSIX, "name"}, "posix-mqueue": {inventory.MQ, inventory.POSIX, "name"},
	"posix-semaphore": {inventory.Sem, inventory.POSIX, "name"},
}

// ipcrmAllTypes are -a's types, in the order -a alone removes them.
var ipcrmAllTypes = []struct {
	name   string
	kind   inventory.Kind
	flavor inventory.Flavor
}{
	{"msg", inventory.MQ, inventory.SysV}, {"shm", inventory.Shm, inventory.SysV}, {"sem", inventory.Sem, inventory.SysV},
	{"pmsg", inventory.MQ, inventory.POSIX}, {"pshm", inventory.Shm, inventory.POSIX}, {"psem", inventory.Sem, inventory.POSIX},
}

// ipcrmAction is one removal ipcrm was asked for, in command-line order.
type ipcrmAction struct {
	kind   inventory.Kind
	flavor inventory.Flavor
	by     string // "id", "key", "name" or "all"
	arg    string // as given
	id     sysv.ID
	key    sysv.Key
	name   string
	// verbose: -v came before this option (util-linux removes as it parses, so a later -v does
	// not apply to it).
	verbose bool
}

type ipcrmOptions struct {
	actions []ipcrmAction
	all     []ipcrmAction // -a: one per kind and flavor
	verbose bool
	oldForm bool
	help    bool
	version bool
	ns      string
	nsSet   bool
}

func (opts *ipcrmOptions) add(kind inventory.Kind, flavor inventory.Flavor, by, arg string) error {
	a := ipcrmAction{kind: kind, flavor: flavor, by: by, arg: arg, verbose: opts.verbose}
	switch by {
	case "id":
		n, err := strconv.ParseInt(arg, 10, 32)
		if err != nil || n < 0 {
			return failf("ipcrm", "failed to parse argument: '%s'", arg)
		}
		a.id = sysv.ID(n)
	case "key":
		k, err := parseCKey(arg)
		if err != nil {
			return failf("ipcrm", "failed to parse argument: '%s'", arg)
		}
		a.key = k
	case "name":
		name := "/" + strings.TrimLeft(arg, "/")
		if err := posix.ValidName(name); err != nil {
			return failf("ipcrm", "invalid name (%s)", arg)
		}
		a.name = name
	}
	opts.actions = append(opts.actions, a)
	return nil
}

func (opts *ipcrmOptions) addAll(t string) error {
	n := len(opts.all)
	for _, at := range ipcrmAllTypes {
		if t == "" || strings.TrimPrefix(t, "=") == at.name {
			opts.all = append(opts.all, ipcrmAction{kind: at.kind, flavor: at.flavor, by: "all"})
		}
	}
	if len(opts.all) == n {
		return usagef("ipcrm", "unknown argument: %s", t).withHint("-a takes shm, pshm, msg, pmsg, sem or psem, attached: -a=shm or --all=shm")
	}
	return nil
}

// parseIpcrm reads ipcrm's command line (without argv[0]). Unlike util-linux, which removes as it
// parses, every argument is checked before anything is removed.
func parseIpcrm(opts *ipcrmOptions, args []string) error {
	parsed, operands, perr := ipcrmGetopt.Parse(args)
	for _, p := range parsed {
		switch p.Name {
		case "all":
			if err := opts.addAll(p.Value); err != nil {
				return err
			}
			// util-linux takes -a's type only attached; "-a shm" must not mean "all".
			if next := p.Index + 1; !p.HasValue && next < len(args) && !strings.HasPrefix(args[next], "-") {
				spelled := "-a="
				if p.Long {
					spelled = "--all="
				}
				return usagef("ipcrm", "unknown argument: %s", args[next]).withHint("to remove one type write " + spelled + args[next] + "; -a alone removes every type")
			}
		case "verbose":
			opts.verbose = true
		case "help":
			opts.help = true
		case "version":
			opts.version = true
			return nil
		case "ns":
			opts.ns, opts.nsSet = p.Value, true
		default:
			t := ipcrmTargets[p.Name]
			if err := opts.add(t.kind, t.flavor, t.by, p.Value); err != nil {
				return err
			}
		}
	}
	if perr != nil {
		return perr
	}
	if len(operands) == 0 {
		if len(opts.actions) == 0 && len(opts.all) == 0 && !opts.help {
			return usagef("ipcrm", "bad usage")
		}
		return nil
	}
	if len(opts.actions) > 0 || len(opts.all) > 0 {
		return usagef("ipcrm", "unknown argument: %s", operands[0])
	}
	// The old form: ipcrm {shm|msg|sem} ID...
	kinds := map[string]inventory.Kind{"shm": inventory.Shm, "msg": inventory.MQ, "sem": inventory.Sem}
	k, ok := kinds[operands[0]]
	if !ok || len(operands) < 2 {
		return usagef("ipcrm", "unknown resource type: %s", operands[0])
	}
	opts.oldForm = true
	for _, id := range operands[1:] {
		if err := opts.add(k, inventory.SysV, "id", id); err != nil {
			return err
		}
	}
	return nil
}

// parseCKey reads a key as strtoul(…, 0) does: decimal, 0x-hex or 0-octal (a minus sign wraps).
func parseCKey(s string) (sysv.Key, error) {
	neg := strings.HasPrefix(s, "-")
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "-"), 0, 32)
	if err != nil {
		return 0, err
	}
	if neg {
		n = -n
	}
	return sysv.Key(int32(uint32(n))), nil
}

var ipcrmWhat = map[inventory.Flavor]map[inventory.Kind]string{
	inventory.SysV:  {inventory.Shm: "shared memory segment id", inventory.MQ: "message queue id", inventory.Sem: "semaphore id"},
	inventory.POSIX: {inventory.Shm: "POSIX shared memory", inventory.MQ: "POSIX message queue", inventory.Sem: "POSIX semaphore"},
}

// Ipcrm is util-linux's ipcrm(1), with ipcx's safety: every argument is checked before anything
// is removed, -a's type must be attached, -a=pshm unlinks regular files only. It returns nil, an
// ExitStatus once it has printed why, or Env.Open's error.
func Ipcrm(argv []string, env *Env) error {
	opts := &ipcrmOptions{}
	if err := parseIpcrm(opts, argv[1:]); err != nil {
		return env.exit(err)
	}
	switch {
	case opts.version:
		return env.version("ipcrm")
	case opts.help:
		return env.Help()
	}
	sys, err := env.open(opts.ns, opts.nsSet)
	if err != nil {
		return env.exit(err)
	}
	return env.exit(ipcrmRun(opts, sys, env.Stdout, env.Stderr))
}

func ipcrmRun(opts *ipcrmOptions, sys System, out, errOut io.Writer) error {
	failed := 0
	warn := func(format string, args ...any) {
		failed++
		fmt.Fprintf(errOut, "ipcrm: "+format+"\n", args...)
	}
	snap, err := sys.Snapshot(Request{})
	if err != nil {
		if _, ok := err.(*NamespaceError); ok {
			return err
		}
		return failf("ipcrm", "%v", err)
	}
	if len(opts.all) > 0 {
		for _, w := range snap.Warnings {
			warn("%v", w)
		}
	}
	remove := func(o *inventory.Object, byKey bool, arg string, verbose bool) error {
		if verbose {
			if o.Flavor == inventory.SysV {
				fmt.Fprintf(out, "removing %s `%d'\n", ipcrmWhat[o.Flavor][o.Kind], o.ID)
			} else {
				fmt.Fprintf(out, "removing %s `%s'\n", ipcrmWhat[o.Flavor][o.Kind], o.Name)
			}
		}
		err := sys.Remove(*o)
		var nse *NamespaceError
		if err == nil || errors.As(err, &nse) {
			return err
		}
		what := "id"
		switch {
		case o.Flavor == inventory.POSIX:
			what = "name"
		case byKey:
			what = "key"
		}
		switch {
		case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
			warn("permission denied for %s (%s)", what, arg)
		case errors.Is(err, unix.EIDRM):
			warn("already removed %s (%s)", what, arg)
		case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EINVAL):
			warn("invalid %s (%s)", what, arg)
		default:
			warn("%s (%s): %v", what, arg, err)
		}
		return nil
	}
	for _, a := range opts.actions {
		if a.by == "key" && a.key == sysv.Private {
			warn("illegal key (%s)", a.arg)
			continue
		}
		var ad addr.Addr
		switch a.by {
		case "id":
			ad = addr.Addr{Kind: addr.ID, ID: a.id}
		case "key":
			ad = addr.Addr{Kind: addr.Key, Key: a.key}
		default:
			ad = addr.Addr{Kind: addr.POSIX, Name: a.name}
		}
		found, _ := inventory.Lookup(snap.Objects, ad, map[inventory.Kind]bool{a.kind: true})
		var o *inventory.Object
		for i := range found {
			if found[i].Flavor == a.flavor {
				o = &found[i]
			}
		}
		if o == nil {
			warn("invalid %s (%s)", a.by, a.arg)
			continue
		}
		if err := remove(o, a.by == "key", a.arg, a.verbose); err != nil {
			return err
		}
	}
	for _, a := range opts.all {
		for i := range snap.Objects {
			o := &snap.Objects[i]
			if o.Kind != a.kind || o.Flavor != a.flavor {
				continue
			}
			arg := o.Name
			if o.Flavor == inventory.SysV {
				arg = strconv.Itoa(int(o.ID))
			}
			if err := remove(o, false, arg, opts.verbose); err != nil {
				return err
			}
		}
	}
	if failed > 0 {
		return ExitStatus(1)
	}
	if opts.oldForm {
		fmt.Fprintln(out, "resource(s) deleted")
	}
	return nil
}
