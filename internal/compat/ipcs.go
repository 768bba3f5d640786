package compat

import (
	"bufio"
	"fmt"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
)

// ipcsGetopt is ipcs's command line: util-linux 2.41's options (2.38's order, the POSIX resources
// after the System V ones) and ipcx's --ns.
// IpcsOptions is ipcs's option table, for the host command's help.
func IpcsOptions() []Option { return ipcsGetopt.Options }

var ipcsGetopt = Getopt{Prog: "ipcs", Options: []Option{
	{"id", 'i', RequiredArg, "print details on the resource identified by `id`"},
	{"queues", 'q', NoArg, "message queues"}, {"shmems", 'm', NoArg, "shared memory segments"}, {"semaphores", 's', NoArg, "semaphores"},
	{"posix-mqueues", 'Q', NoArg, "POSIX message queues"}, {"posix-shmems", 'M', NoArg, "POSIX shared memory segments"}, {"posix-semaphores", 'S', NoArg, "POSIX semaphores"},
	{"all", 'a', NoArg, "all (default)"},
	{"time", 't', NoArg, "show attach, detach and change times"}, {"pid", 'p', NoArg, "show PIDs of creator and last operator"}, {"creator", 'c', NoArg, "show creator and owner"}, {"limits", 'l', NoArg, "show resource limits"}, {"summary", 'u', NoArg, "show status summary"},
	{"human", 0, NoArg, "show sizes in human-readable format"}, {"bytes", 'b', NoArg, "show sizes in bytes"},
	{"version", 'V', NoArg, "print the version"}, {"help", 'h', NoArg, ""},
	{"ns", 0, RequiredArg, ""},
}}

// format is ipcs's output format: the last of -l, -u, -c, -t, -p given wins, as in util-linux.
type format int

const (
	fmtDefault format = iota
	fmtLimits
	fmtStatus
	fmtCreator
	fmtTime
	fmtPID
)

var formatOptions = map[string]format{"limits": fmtLimits, "summary": fmtStatus, "creator": fmtCreator, "time": fmtTime, "pid": fmtPID}

// sizeUnit is how sizes print: the last of -b and --human wins, as in util-linux.
type sizeUnit int

const (
	unitDefault sizeUnit = iota
	unitBytes
	unitKB
	unitHuman
)

// section is one resource ipcs can show: the option that selects it and its printer. ipcs prints
// the sections selected in this order (all of them with -a or none selected).
type section struct {
	option string
	kind   inventory.Kind
	flavor inventory.Flavor
	print  func(*printer, format)
}

var ipcsSections = []section{
	{"queues", inventory.MQ, inventory.SysV, (*printer).msgs},
	{"shmems", inventory.Shm, inventory.SysV, (*printer).shms},
	{"semaphores", inventory.Sem, inventory.SysV, (*printer).sems},
	{"posix-mqueues", inventory.MQ, inventory.POSIX, (*printer).posixMsgs},
	{"posix-shmems", inventory.Shm, inventory.POSIX, (*printer).posixShms},
	{"posix-semaphores", inventory.Sem, inventory.POSIX, (*printer).posixSems},
}

// Ipcs is util-linux's ipcs(1) (argv[0] is ignored: it is always "ipcs" in messages). It returns
// nil, an ExitStatus once it has printed why, or Env.Open's error.
func Ipcs(argv []string, env *Env) error {
	opts, _, perr := ipcsGetopt.Parse(argv[1:]) // util-linux ignores operands
	var (
		id       int32
		idSet    bool
		all      bool
		ns       string
		nsSet    bool
		out      = fmtDefault
		unit     = unitDefault
		selected = map[string]bool{}
	)
	for _, o := range opts {
		switch o.Name {
		case "id":
			n, err := parseS32("ipcs", "id", o.Value)
			if err != nil {
				return env.exit(err)
			}
			id, idSet = n, true
		case "all":
			all = true
		case "human":
			unit = unitHuman
		case "bytes":
			unit = unitBytes
		case "ns":
			ns, nsSet = o.Value, true
		case "help":
			return env.Help()
		case "version":
			return env.version("ipcs")
		default:
			if f, ok := formatOptions[o.Name]; ok {
				out = f
			} else {
				selected[o.Name] = true
			}
		}
	}
	if perr != nil {
		return env.exit(perr)
	}
	var on []section
	posix := false
	for _, s := range ipcsSections {
		if all || selected[s.option] {
			on = append(on, s)
			posix = posix || s.flavor == inventory.POSIX
		}
	}
	if idSet && (len(on) != 1 || posix) {
		return env.exit(failf("ipcs", "when using an ID, a single resource must be specified"))
	}
	if len(on) == 0 {
		on = ipcsSections
	}
	sys, err := env.open(ns, nsSet)
	if err != nil {
		return env.exit(err)
	}
	req := Request{Limits: out == fmtLimits, Status: out == fmtStatus}
	for _, s := range on {
		if s.kind == inventory.MQ && s.flavor == inventory.POSIX {
			req.Inventory.QueueAttrs = true
		}
	}
	if idSet {
		req.WithDetail, req.Detail, req.DetailID = true, on[0].kind, sysv.ID(id)
		req.Limits, req.Status = false, false
	}
	snap, err := sys.Snapshot(req)
	if err != nil {
		if _, ok := err.(*NamespaceError); ok {
			return err
		}
		return env.exit(failf("ipcs", "%s", err.Error()))
	}
	w := bufio.NewWriter(env.Stdout)
	p := newPrinter(w, snap, unit)
	if idSet {
		if o := p.find(on[0].kind, sysv.ID(id)); o == nil {
			fmt.Fprintf(env.Stderr, "ipcs: id %d not found\n", id)
		} else {
			p.details(o, env.Stderr)
		}
		return w.Flush()
	}
	w.WriteString("\n")
	for _, s := range on {
		s.print(p, out)
		w.WriteString("\n")
	}
	return w.Flush()
}
