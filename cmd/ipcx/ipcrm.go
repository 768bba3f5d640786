package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

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
	io      *iostreams.IOStreams
	ns      inventory.Namespace
	actions []ipcrmAction
	all     []ipcrmAction // -a: one per kind and flavor
	verbose bool
	oldForm bool
	help    bool
}

func newIpcrmCmd(io *iostreams.IOStreams, runF func(*ipcrmOptions) error) *cobra.Command {
	opts := &ipcrmOptions{io: io}
	c := &cobra.Command{
		Use:   "ipcrm [options] | ipcrm {shm|msg|sem} ID...",
		Short: "Remove IPC resources, as util-linux's ipcrm does",
		Long: `Remove IPC resources, as util-linux's ipcrm(1) 2.41 does:

  -m, --shmem-id ID          -M, --shmem-key KEY        System V shared memory
  -q, --queue-id ID          -Q, --queue-key KEY        System V message queue
  -s, --semaphore-id ID      -S, --semaphore-key KEY    System V semaphore set
      --posix-shmem NAME         --posix-mqueue NAME        --posix-semaphore NAME
  -a, --all[=shm|pshm|msg|pmsg|sem|psem]   every resource (of that type) you may remove
  -v, --verbose              say what is removed

and the old form "ipcrm {shm|msg|sem} ID..." (which prints "resource(s) deleted").
` + compatNote + `

Where util-linux is unsafe, ipcx is not: every argument is checked before anything is removed, so
"ipcrm -a shm" (with a space) is refused instead of removing every resource of every type;
-a=pshm unlinks POSIX shared memory objects only, never other files or directories in /dev/shm;
a -a that cannot remove something says so and carries on with the rest.

EXIT STATUS
  0    everything asked for was removed
  1    something could not be removed, or a bad argument (as util-linux)`,
		Example: `  $ ipcx ipcrm -q 32768 -M 0x1a2b
  $ ipcx ipcrm --posix-mqueue /jobs
  $ ipcx ipcrm -a=pshm -v
  $ ipcx ipcrm shm 5 6`,
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		RunE: func(c *cobra.Command, args []string) error {
			if err := parseIpcrm(opts, args); err != nil {
				return compatExit(io, err)
			}
			if opts.help {
				return c.Help()
			}
			// With flag parsing off, --ns after "ipcrm" is not seen by cobra: parseIpcrm takes it.
			if opts.ns.Own() {
				ns, err := namespaceOf(c)
				if err != nil {
					return err
				}
				opts.ns = ns
			}
			if runF != nil {
				return runF(opts)
			}
			return ipcrmRun(opts)
		},
	}
	return withNS(c)
}

func ipcrmUsage(format string, args ...any) *compatError {
	return &compatError{tool: "ipcrm", msg: fmt.Sprintf(format, args...), tryHelp: true}
}

func ipcrmFail(format string, args ...any) *compatError {
	return &compatError{tool: "ipcrm", msg: fmt.Sprintf(format, args...)}
}

// parseIpcrm reads ipcrm's command line the way getopt_long does (clustered short options,
// -qID and -q ID, --opt=V and --opt V, unambiguous long prefixes), in order.
func parseIpcrm(opts *ipcrmOptions, args []string) error {
	type optDef struct {
		long   string
		short  byte
		kind   inventory.Kind
		flavor inventory.Flavor
		by     string
	}
	defs := []optDef{
		{"shmem-id", 'm', inventory.Shm, inventory.SysV, "id"}, {"shmem-key", 'M', inventory.Shm, inventory.SysV, "key"},
		{"queue-id", 'q', inventory.MQ, inventory.SysV, "id"}, {"queue-key", 'Q', inventory.MQ, inventory.SysV, "key"},
		{"semaphore-id", 's', inventory.Sem, inventory.SysV, "id"}, {"semaphore-key", 'S', inventory.Sem, inventory.SysV, "key"},
		{"posix-shmem", 0, inventory.Shm, inventory.POSIX, "name"}, {"posix-mqueue", 0, inventory.MQ, inventory.POSIX, "name"},
		{"posix-semaphore", 0, inventory.Sem, inventory.POSIX, "name"},
	}
	add := func(d optDef, arg string) error {
		a := ipcrmAction{kind: d.kind, flavor: d.flavor, by: d.by, arg: arg, verbose: opts.verbose}
		switch d.by {
		case "id":
			n, err := strconv.ParseInt(arg, 10, 32)
			if err != nil || n < 0 {
				return ipcrmFail("failed to parse argument: '%s'", arg)
			}
			a.id = sysv.ID(n)
		case "key":
			k, err := parseCKey(arg)
			if err != nil {
				return ipcrmFail("failed to parse argument: '%s'", arg)
			}
			a.key = k
		case "name":
			name := "/" + strings.TrimLeft(arg, "/")
			if err := posix.ValidName(name); err != nil {
				return ipcrmFail("invalid name (%s)", arg)
			}
			a.name = name
		}
		opts.actions = append(opts.actions, a)
		return nil
	}
	addAll := func(t string) error {
		types := map[string][2]string{"shm": {"shm", "sysv"}, "msg": {"mq", "sysv"}, "sem": {"sem", "sysv"},
			"pshm": {"shm", "posix"}, "pmsg": {"mq", "posix"}, "psem": {"sem", "posix"}}
		if t == "" {
			for _, n := range []string{"msg", "shm", "sem", "pmsg", "pshm", "psem"} {
				v := types[n]
				opts.all = append(opts.all, ipcrmAction{kind: inventory.Kind(v[0]), flavor: inventory.Flavor(v[1]), by: "all"})
			}
			return nil
		}
		v, ok := types[strings.TrimPrefix(t, "=")]
		if !ok {
			return ipcrmUsage("unknown argument: %s", t).withHint("-a takes shm, pshm, msg, pmsg, sem or psem, attached: -a=shm or --all=shm")
		}
		opts.all = append(opts.all, ipcrmAction{kind: inventory.Kind(v[0]), flavor: inventory.Flavor(v[1]), by: "all"})
		return nil
	}
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(arg, "--"):
			name, val, hasVal := strings.Cut(arg[2:], "=")
			var match []string
			for _, l := range []string{"shmem-id", "shmem-key", "queue-id", "queue-key", "semaphore-id", "semaphore-key",
				"posix-shmem", "posix-mqueue", "posix-semaphore", "all", "verbose", "help", "version", "ns"} {
				if l == name {
					match = []string{l}
					break
				}
				if strings.HasPrefix(l, name) && name != "" {
					match = append(match, l)
				}
			}
			if len(match) != 1 {
				return ipcrmUsage("unrecognized option '%s'", arg)
			}
			switch match[0] {
			case "all":
				if err := addAll(val); err != nil {
					return err
				}
				if !hasVal {
					// util-linux takes -a's type only attached; "--all shm" must not mean "all".
					if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
						return ipcrmUsage("unknown argument: %s", args[i+1]).withHint("to remove one type write --all=" + args[i+1] + "; -a alone removes every type")
					}
				}
			case "verbose":
				opts.verbose = true
			case "help":
				opts.help = true
			case "version":
				fmt.Fprintf(opts.io.Out, "ipcrm (ipcx) %s\n", buildVersion())
				return &silentExit{code: exitOK}
			default:
				if !hasVal {
					if i+1 >= len(args) {
						return ipcrmUsage("option '--%s' requires an argument", match[0])
					}
					i++
					val = args[i]
				}
				if match[0] == "ns" {
					ns, err := inventory.ParseNamespace(val)
					if err != nil {
						return usageErrorf("invalid --ns %q: %v", val, err)
					}
					opts.ns = ns
					continue
				}
				for _, d := range defs {
					if d.long == match[0] {
						if err := add(d, val); err != nil {
							return err
						}
					}
				}
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			for j := 1; j < len(arg); j++ {
				ch := arg[j]
				switch ch {
				case 'a':
					if err := addAll(arg[j+1:]); err != nil {
						return err
					}
					if j+1 == len(arg) && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
						return ipcrmUsage("unknown argument: %s", args[i+1]).withHint("to remove one type write -a=" + args[i+1] + "; -a alone removes every type")
					}
					j = len(arg)
				case 'v':
					opts.verbose = true
				case 'h':
					opts.help = true
				case 'V':
					fmt.Fprintf(opts.io.Out, "ipcrm (ipcx) %s\n", buildVersion())
					return &silentExit{code: exitOK}
				default:
					var def *optDef
					for k := range defs {
						if defs[k].short == ch {
							def = &defs[k]
						}
					}
					if def == nil {
						return ipcrmUsage("invalid option -- '%c'", ch)
					}
					val := arg[j+1:]
					if val == "" {
						if i+1 >= len(args) {
							return ipcrmUsage("option requires an argument -- '%c'", ch)
						}
						i++
						val = args[i]
					}
					if err := add(*def, val); err != nil {
						return err
					}
					j = len(arg)
				}
			}
		default:
			positional = append(positional, arg)
		}
	}
	if len(positional) == 0 {
		if len(opts.actions) == 0 && len(opts.all) == 0 && !opts.help {
			return ipcrmUsage("bad usage")
		}
		return nil
	}
	if len(opts.actions) > 0 || len(opts.all) > 0 {
		return ipcrmUsage("unknown argument: %s", positional[0])
	}
	// The old form: ipcrm {shm|msg|sem} ID...
	kinds := map[string]inventory.Kind{"shm": inventory.Shm, "msg": inventory.MQ, "sem": inventory.Sem}
	k, ok := kinds[positional[0]]
	if !ok || len(positional) < 2 {
		return ipcrmUsage("unknown resource type: %s", positional[0])
	}
	opts.oldForm = true
	for _, id := range positional[1:] {
		if err := add(optDef{kind: k, flavor: inventory.SysV, by: "id"}, id); err != nil {
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

func ipcrmRun(opts *ipcrmOptions) error {
	failed := 0
	warn := func(format string, args ...any) {
		failed++
		fmt.Fprintf(opts.io.ErrOut, "ipcrm: "+format+"\n", args...)
	}
	err := opts.ns.Do(func() error {
		inv, err := opts.ns.List(inventory.Options{})
		if err != nil {
			return err
		}
		for _, w := range inv.Warnings {
			if len(opts.all) > 0 {
				warn("%v", w)
			}
		}
		remove := func(o *inventory.Object, byKey bool, arg string, verbose bool, out io.Writer) {
			if verbose {
				if o.Flavor == inventory.SysV {
					fmt.Fprintf(out, "removing %s `%d'\n", ipcrmWhat[o.Flavor][o.Kind], o.ID)
				} else {
					fmt.Fprintf(out, "removing %s `%s'\n", ipcrmWhat[o.Flavor][o.Kind], o.Name)
				}
			}
			err := opts.ns.Remove(*o)
			if err == nil {
				return
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
			found, _ := inventory.Lookup(inv.Objects, ad, map[inventory.Kind]bool{a.kind: true})
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
			remove(o, a.by == "key", a.arg, a.verbose, opts.io.Out)
		}
		for _, a := range opts.all {
			for i := range inv.Objects {
				o := &inv.Objects[i]
				if o.Kind != a.kind || o.Flavor != a.flavor {
					continue
				}
				arg := o.Name
				if o.Flavor == inventory.SysV {
					arg = strconv.Itoa(int(o.ID))
				}
				remove(o, false, arg, opts.verbose, opts.io.Out)
			}
		}
		return nil
	})
	if err != nil {
		if !opts.ns.Own() {
			return nsFail(opts.ns, err)
		}
		return compatExit(opts.io, ipcrmFail("%v", err))
	}
	if failed > 0 {
		return &silentExit{code: exitFailure}
	}
	if opts.oldForm {
		fmt.Fprintln(opts.io.Out, "resource(s) deleted")
	}
	return nil
}
