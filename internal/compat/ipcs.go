package compat

import (
	"bufio"
	"fmt"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
)

// IpcsOptions is ipcs's option table, for the host command's help.
func IpcsOptions() []Option { return ipcsGetopt.Options }

// ipcsGetopt is ipcs's command line: util-linux 2.41's options, in its order, and ipcx's --ns.
// util-linux's ipcs has no POSIX options (lsipc lists POSIX objects).
var ipcsGetopt = Getopt{Prog: "ipcs", Options: []Option{
	{"id", 'i', RequiredArg, "print details on the resource identified by `id`"},
	{"queues", 'q', NoArg, "message queues"}, {"shmems", 'm', NoArg, "shared memory segments"}, {"semaphores", 's', NoArg, "semaphores"},
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

// formatOption is the output format the option named name selects, if it selects one.
func formatOption(name string) (format, bool) {
	switch name {
	case "limits":
		return fmtLimits, true
	case "summary":
		return fmtStatus, true
	case "creator":
		return fmtCreator, true
	case "time":
		return fmtTime, true
	case "pid":
		return fmtPID, true
	}
	return 0, false
}

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
			if f, ok := formatOption(o.Name); ok {
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
	for _, s := range ipcsSections {
		if all || selected[s.option] {
			on = append(on, s)
		}
	}
	if idSet && len(on) != 1 {
		return env.exit(failf("ipcs", "when using an ID, a single resource must be specified"))
	}
	if len(on) == 0 {
		on = ipcsSections
	}
	sys, err := env.open(ns, nsSet)
	if err != nil {
		return env.exit(err)
	}
	// Only the sections printed are read: ipcs -q reads /proc/sysvipc/msg alone.
	kinds := map[inventory.Kind]bool{}
	for _, s := range on {
		kinds[s.kind] = true
	}
	req := Request{Limits: out == fmtLimits, Status: out == fmtStatus,
		Inventory: inventory.Options{Kinds: kinds, Flavors: map[inventory.Flavor]bool{inventory.SysV: true}}}
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
		o := p.find(on[0].kind, sysv.ID(id))
		if o == nil && id == -1 && on[0].kind != inventory.Sem {
			// util-linux asks for "every object" then (its -1) and prints the first, with the
			// id it was given and no msg_qbytes. (Its semaphore report crashes instead.)
			if o = p.first(on[0].kind); o != nil {
				c := *o
				c.ID, o = -1, &c
				snap.Detail.QBytes = 0
			}
		}
		if o == nil {
			fmt.Fprintf(env.Stderr, "ipcs: id %d not found\n", id)
			return w.Flush()
		}
		if err := p.details(o); err != nil {
			w.Flush()
			return env.exit(err)
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
