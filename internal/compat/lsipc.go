package compat

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
)

// LsipcOptions is lsipc's option table, for the host command's help.
func LsipcOptions() []Option { return lsipcGetopt.Options }

// lsipcGetopt is lsipc's command line: util-linux 2.41's longopts, in their order, and ipcx's --ns.
var lsipcGetopt = Getopt{Prog: "lsipc", Options: []Option{
	{"bytes", 'b', NoArg, "print SIZE in bytes rather than in human readable format"},
	{"creator", 'c', NoArg, "show creator and owner"},
	{"export", 'e', NoArg, "display in an export-able output format"},
	{"global", 'g', NoArg, "info about system-wide usage (may be used with -m, -q and -s)"},
	{"help", 'h', NoArg, ""},
	{"id", 'i', RequiredArg, "System V resource identified by `id`"},
	{"json", 'J', NoArg, "use the JSON output format"},
	{"list", 'l', NoArg, "force list output format (for example with --id)"},
	{"name", 'N', RequiredArg, "POSIX resource identified by `name`"},
	{"newline", 'n', NoArg, "display each piece of information on a new line"},
	{"noheadings", 0, NoArg, "don't print headings"},
	{"notruncate", 0, NoArg, "don't truncate output"},
	{"numeric-perms", 'P', NoArg, "print numeric permissions (PERMS column)"},
	{"output", 'o', RequiredArg, "define the columns to output (`list`, +list to add)"},
	{"posix-mqueues", 'Q', NoArg, "POSIX message queues"},
	{"posix-semaphores", 'S', NoArg, "POSIX semaphores"},
	{"posix-shmems", 'M', NoArg, "POSIX shared memory segments"},
	{"queues", 'q', NoArg, "message queues"},
	{"raw", 'r', NoArg, "display in raw mode"},
	{"semaphores", 's', NoArg, "semaphores"},
	{"shmems", 'm', NoArg, "shared memory segments"},
	{"time", 't', NoArg, "show attach, detach and change times"},
	{"time-format", 0, RequiredArg, "display dates in short, full or iso `format`"},
	{"version", 'V', NoArg, "print the version"},
	{"shell", 'y', NoArg, "use column names to be usable as shell variables"},
	{"ns", 0, RequiredArg, ""},
}}

// lsipcExclusive are the groups of options lsipc refuses together: its ul_excl_t table, by
// short letter, checked as util-linux's err_exclusive_options checks it. That function stops at
// the first row that starts after the option's letter, and the last row starts with 'M', after
// 'c': so -M, -Q and -S are never checked against it, only -m, -q and -s against each other.
var lsipcExclusive = []string{"Jelnr", "Ngi", "cot", "MQSmqs"}

// exclusive returns the failure for option c (its short letter, or 0x80 and up for a long-only
// one) when status says another of its group came before; status keeps the first of each row.
func exclusive(c int, status []int) error {
	for e, row := range lsipcExclusive {
		if int(row[0]) > c {
			break
		}
		for _, op := range []byte(row) {
			if int(op) > c {
				break
			}
			if int(op) != c {
				continue
			}
			if status[e] == 0 {
				status[e] = c
			} else if status[e] != c {
				var b strings.Builder
				b.WriteString("mutually exclusive arguments:")
				for _, x := range []byte(row) {
					name := ""
					for _, o := range lsipcGetopt.Options {
						if o.Short == x {
							name = o.Long
						}
					}
					fmt.Fprintf(&b, " --%s", name)
				}
				return failf("lsipc", "%s", b.String())
			}
			break
		}
	}
	return nil
}

// lsipcColumn is one column lsipc can print: one entry of its coldescs[].
type lsipcColumn struct {
	Name, Help, Pretty string
	Right              bool
}

// The columns, in util-linux's order (the index is the column's id). The ranges say which
// resource a column applies to.
var lsipcColumns = []lsipcColumn{
	colKey: {"KEY", "Resource key", "Key", false}, colID: {"ID", "Resource ID", "ID", false},
	colOwner: {"OWNER", "Owner's username or UID", "Owner", true}, colPerms: {"PERMS", "Permissions", "Permissions", true},
	colCUID: {"CUID", "Creator UID", "Creator UID", true}, colCUser: {"CUSER", "Creator user", "Creator user", false},
	colCGID: {"CGID", "Creator GID", "Creator GID", true}, colCGroup: {"CGROUP", "Creator group", "Creator group", false},
	colUID: {"UID", "User ID", "UID", true}, colUser: {"USER", "User name", "User name", false},
	colGID: {"GID", "Group ID", "GID", true}, colGroup: {"GROUP", "Group name", "Group name", false},
	colCTime: {"CTIME", "Time of the last change", "Last change", true},
	colName:  {"NAME", "POSIX resource name", "Name", false}, colMTime: {"MTIME", "Time of last action", "Last action", true},
	colUsedBytes: {"USEDBYTES", "Bytes used", "Bytes used", true}, colMsgs: {"MSGS", "Number of messages", "Messages", false},
	colSend: {"SEND", "Time of last msg sent", "Msg sent", true}, colRecv: {"RECV", "Time of last msg received", "Msg received", true},
	colLSPID: {"LSPID", "PID of the last msg sender", "Msg sender", true}, colLRPID: {"LRPID", "PID of the last msg receiver", "Msg receiver", true},
	colSize: {"SIZE", "Segment size", "Segment size", true}, colNAttch: {"NATTCH", "Number of attached processes", "Attached processes", true},
	colStatus: {"STATUS", "Status", "Status", false}, colAttach: {"ATTACH", "Attach time", "Attach time", true},
	colDetach: {"DETACH", "Detach time", "Detach time", true}, colCommand: {"COMMAND", "Creator command line", "Creator command", false},
	colCPID: {"CPID", "PID of the creator", "Creator PID", true}, colLPID: {"LPID", "PID of last user", "Last user PID", true},
	colNSems: {"NSEMS", "Number of semaphores", "Semaphores", true}, colOTime: {"OTIME", "Time of the last operation", "Last operation", true},
	colResource: {"RESOURCE", "Resource name", "Resource", false}, colDesc: {"DESCRIPTION", "Resource description", "Description", false},
	colLimit: {"LIMIT", "System-wide limit", "Limit", true}, colUsed: {"USED", "Currently used", "Used", true},
	colUsePerc: {"USE%", "Currently use percentage", "Use", true},
	colSVal:    {"SVAL", "Semaphore value", "Value", true},
}

const (
	colKey = iota
	colID
	colOwner // the generic columns that also apply to POSIX objects: OWNER to CGROUP
	colPerms
	colCUID
	colCUser
	colCGID
	colCGroup
	colUID
	colUser
	colGID
	colGroup
	colCTime // the last generic column
	colName  // POSIX
	colMTime
	colUsedBytes // queues
	colMsgs
	colSend
	colRecv
	colLSPID
	colLRPID
	colSize // shared memory
	colNAttch
	colStatus
	colAttach
	colDetach
	colCommand
	colCPID
	colLPID
	colNSems // semaphores
	colOTime
	colResource // --global
	colDesc
	colLimit
	colUsed
	colUsePerc
	colSVal // POSIX semaphores
)

// colRange is the columns besides the generic ones that apply to a resource (LOWER, UPPER).
type colRange struct{ lo, hi int }

var (
	rangeMsg   = colRange{colUsedBytes, colLRPID}
	rangePosix = colRange{colName, colMTime}
	rangeShm   = colRange{colSize, colLPID}
	rangeSem   = colRange{colNSems, colOTime}
	rangeSum   = colRange{colResource, colUsePerc}
)

// LsipcColumnsHelp lists the columns as lsipc --help does, for the host command's help.
func LsipcColumnsHelp() string {
	var b strings.Builder
	section := func(title string, ids ...int) {
		fmt.Fprintf(&b, "\n%s\n", title)
		for _, i := range ids {
			fmt.Fprintf(&b, " %14s  %s\n", lsipcColumns[i].Name, lsipcColumns[i].Help)
		}
	}
	span := func(lo, hi int) []int {
		var s []int
		for i := lo; i <= hi; i++ {
			s = append(s, i)
		}
		return s
	}
	section("Generic System V columns:", span(colKey, colCTime)...)
	section("Generic POSIX columns:", append(append([]int{colName}, span(colOwner, colCGroup)...), colMTime)...)
	section("System V Shared-memory columns (--shmems):", span(rangeShm.lo, rangeShm.hi)...)
	section("System V Message-queue columns (--queues):", span(rangeMsg.lo, rangeMsg.hi)...)
	section("System V Semaphore columns (--semaphores):", span(rangeSem.lo, rangeSem.hi)...)
	section("POSIX Semaphore columns (--posix-semaphores):", colSVal)
	section("Summary columns (--global):", span(rangeSum.lo, rangeSum.hi)...)
	return b.String()
}

// Output modes, as lsipc's.
const (
	outTable = iota
	outExport
	outNewline
	outRaw
	outJSON
	outPretty
	outList
)

// Time formats.
const (
	timeNone = iota
	timeShort
	timeFull
	timeISO
)

type lsipcControl struct {
	outmode                       int
	noheadings, shellvar, bytes   bool
	numperms                      bool
	timeMode                      int
	now                           time.Time
	loc                           *time.Location
	user, group                   func(uint32) (string, bool)
	columns                       []int
	res                           colRange
	msg, shm, sem, pmsg, pshm, pm bool
}

// Lsipc is util-linux's lsipc(1). It returns nil, an ExitStatus once it has printed why, or
// Env.Open's error.
func Lsipc(argv []string, env *Env) error {
	parsed, _, perr := lsipcGetopt.Parse(argv[1:]) // lsipc ignores operands
	ctl := &lsipcControl{}
	var (
		id                          int32 = -1
		name                        string
		nameSet                     bool
		showTime, showCreat, global bool
		outarg                      string
		outSet                      bool
		ns                          string
		nsSet                       bool
		psem                        bool
		excl                        = make([]int, len(lsipcExclusive))
	)
	add := func(cols ...int) { ctl.columns = append(ctl.columns, cols...) }
	for _, o := range parsed {
		c := 0x80 // a long-only option: in no group
		for _, x := range lsipcGetopt.Options {
			if x.Long == o.Name && x.Short != 0 {
				c = int(x.Short)
			}
		}
		if err := exclusive(c, excl); err != nil {
			return env.exit(err)
		}
		switch o.Name {
		case "bytes":
			ctl.bytes = true
		case "id":
			n, err := parseS32Msg("lsipc", "failed to parse IPC identifier", o.Value)
			if err != nil {
				return env.exit(err)
			}
			id = n
		case "name":
			name, nameSet = o.Value, true
		case "export":
			ctl.outmode = outExport
		case "raw":
			ctl.outmode = outRaw
		case "output":
			outarg, outSet = o.Value, true
		case "global":
			global = true
		case "queues":
			ctl.msg = true
			add(colKey, colID, colPerms, colOwner, colUsedBytes, colMsgs, colLSPID, colLRPID)
			ctl.res = rangeMsg
		case "posix-mqueues":
			ctl.pmsg = true
			add(colName, colPerms, colOwner, colMTime, colUsedBytes, colMsgs)
			ctl.res = rangePosix
		case "list":
			ctl.outmode = outList
		case "shmems":
			ctl.shm = true
			add(colKey, colID, colPerms, colOwner, colSize, colNAttch, colStatus, colCTime, colCPID, colLPID, colCommand)
			ctl.res = rangeShm
		case "posix-shmems":
			ctl.pshm = true
			add(colName, colPerms, colOwner, colSize, colMTime)
			ctl.res = rangePosix
		case "newline":
			ctl.outmode = outNewline
		case "numeric-perms":
			ctl.numperms = true
		case "semaphores":
			ctl.sem = true
			add(colKey, colID, colPerms, colOwner, colNSems)
			ctl.res = rangeSem
		case "posix-semaphores":
			psem = true
			add(colName, colPerms, colOwner, colMTime, colSVal)
			ctl.res = rangePosix
		case "notruncate":
		case "noheadings":
			ctl.noheadings = true
		case "time-format":
			switch o.Value {
			case "iso":
				ctl.timeMode = timeISO
			case "full":
				ctl.timeMode = timeFull
			case "short":
				ctl.timeMode = timeShort
			default:
				return env.exit(failf("lsipc", "unknown time format: %s", o.Value))
			}
		case "json":
			ctl.outmode = outJSON
		case "time":
			showTime = true
		case "creator":
			showCreat = true
		case "shell":
			ctl.shellvar = true
		case "ns":
			ns, nsSet = o.Value, true
		case "help":
			return env.Help()
		case "version":
			return env.version("lsipc")
		}
	}
	if perr != nil {
		return env.exit(perr)
	}
	ctl.pm = psem
	if !ctl.msg && !ctl.shm && !ctl.sem && !ctl.pmsg && !ctl.pshm && !psem {
		ctl.msg, ctl.shm, ctl.sem, ctl.pmsg, ctl.pshm, psem, global = true, true, true, true, true, true, true
		ctl.pm = true
		if showTime || showCreat || id != -1 || nameSet {
			return env.exit(failf("lsipc", "--global is mutually exclusive with --creator, --id, --name and --time"))
		}
	}
	if global {
		add(colResource, colDesc, colLimit, colUsed, colUsePerc)
		ctl.res = rangeSum
	}
	if (id != -1 || nameSet) && ctl.outmode == outTable {
		ctl.outmode = outPretty
	}
	if ctl.timeMode == timeNone {
		ctl.timeMode = timeShort
		if ctl.outmode == outPretty {
			ctl.timeMode = timeFull
		}
	}
	if ctl.outmode == outPretty && !showCreat && !showTime {
		ctl.columns = ctl.columns[:0]
		for i := range lsipcColumns {
			add(i)
		}
	} else {
		if showCreat {
			add(colCUID, colCGID)
			if !ctl.pmsg && !ctl.pshm && !psem {
				add(colUID, colGID)
			}
		}
		if ctl.msg && showTime {
			add(colSend, colRecv, colCTime)
		}
		if ctl.shm && showTime {
			// COMMAND stays the last column.
			cmd := len(ctl.columns) > 0 && ctl.columns[len(ctl.columns)-1] == colCommand
			if cmd {
				ctl.columns = ctl.columns[:len(ctl.columns)-1]
			}
			add(colAttach, colDetach)
			if cmd {
				add(colCommand)
			}
		}
		if ctl.sem && showTime {
			add(colOTime, colCTime)
		}
	}
	if outSet {
		if err := ctl.addColumns(outarg, env); err != nil {
			return err
		}
	}
	if len(ctl.columns) > 2*len(lsipcColumns) {
		return env.exit(failf("lsipc", "too many columns specified, the limit is %d columns", 2*len(lsipcColumns)-1))
	}

	sys, err := env.open(ns, nsSet)
	if err != nil {
		return env.exit(err)
	}
	req := Request{Limits: global, Posix: ctl.pmsg || ctl.pshm || psem,
		Inventory: inventory.Options{Flavors: map[inventory.Flavor]bool{inventory.SysV: true}}}
	if id > -1 && ctl.sem && !global {
		req.WithDetail, req.Detail, req.DetailID = true, inventory.Sem, sysv.ID(id)
	}
	snap, err := sys.Snapshot(req)
	if err != nil {
		if _, ok := err.(*NamespaceError); ok {
			return err
		}
		return env.exit(failf("lsipc", "%s", err.Error()))
	}
	ctl.loc = snap.Location
	if ctl.loc == nil {
		ctl.loc = time.Local
	}
	ctl.now = snap.Now
	if ctl.now.IsZero() {
		ctl.now = time.Now()
	}
	ctl.user = func(uid uint32) (string, bool) { return lookupKnown(snap.User, uid) }
	ctl.group = func(gid uint32) (string, bool) { return lookupKnown(snap.Group, gid) }

	tb := &scolsTable{noheadings: ctl.noheadings, shellvar: ctl.shellvar}
	for _, c := range ctl.columns {
		tb.columns = append(tb.columns, scolsColumn{name: lsipcColumns[c].Name, right: lsipcColumns[c].Right})
	}
	switch ctl.outmode {
	case outExport:
		tb.format = fmtExport
	case outNewline:
		tb.format, tb.newline = fmtExport, true
	case outRaw:
		tb.format = fmtRaw
	case outJSON:
		tb.format = fmtJSON
	case outPretty:
		tb.noheadings = true
	}
	if global {
		tb.name = "ipclimits"
	}
	warn := func(format string, args ...any) { fmt.Fprintf(env.Stderr, "lsipc: "+format+"\n", args...) }
	d := &lsipcData{ctl: ctl, snap: snap, tb: tb, warn: warn, cmdline: snap.Cmdline}
	if d.cmdline == nil {
		d.cmdline = cmdline
	}
	if ctl.msg {
		if global {
			d.msgGlobal()
		} else {
			d.msgs(id)
		}
	}
	if ctl.pmsg {
		if global {
			d.posixMsgGlobal()
		} else {
			d.posix(inventory.MQ, name, nameSet)
		}
	}
	if ctl.shm {
		if global {
			d.shmGlobal()
		} else {
			d.shms(id)
		}
	}
	if ctl.pshm && !global {
		d.posix(inventory.Shm, name, nameSet)
	}
	if ctl.sem {
		if global {
			d.semGlobal()
		} else if err := d.sems(id); err != nil {
			return env.exit(err)
		}
	}
	if psem && !global {
		d.posix(inventory.Sem, name, nameSet)
	}
	w := bufio.NewWriter(env.Stdout)
	if ctl.outmode == outPretty {
		d.printPretty(w)
	} else {
		tb.print(w)
	}
	return w.Flush()
}

// lookupKnown returns the name of an id and whether it has one (getpwuid(3) found it).
func lookupKnown(f func(uint32) string, n uint32) (string, bool) {
	if f == nil {
		return "", false
	}
	s := f(n)
	return s, s != fmt.Sprint(n)
}

// addColumns reads -o LIST (+LIST adds to the default columns) as string_add_to_idarray does.
func (ctl *lsipcControl) addColumns(list string, env *Env) error {
	if list == "" {
		return ExitStatus(1)
	}
	if l, ok := strings.CutPrefix(list, "+"); ok {
		list = l
	} else {
		ctl.columns = ctl.columns[:0]
	}
	if list == "" {
		return ExitStatus(1)
	}
	for rest := list; ; {
		n, after, more := strings.Cut(rest, ",")
		if n == "" {
			return ExitStatus(1)
		}
		if more && after == "" {
			n = rest // util-linux's last name runs to the end of the string, comma included
		}
		id := -1
		for i, c := range lsipcColumns {
			if strings.EqualFold(c.Name, n) {
				id = i
				break
			}
		}
		switch {
		case id == -1:
			fmt.Fprintf(env.Stderr, "lsipc: unknown column: %s\n", rest)
			return ExitStatus(1)
		case id > colCTime && (id < ctl.res.lo || id > ctl.res.hi):
			fmt.Fprintf(env.Stderr, "lsipc: column %s does not apply to the specified IPC\n", rest)
			return ExitStatus(1)
		}
		ctl.columns = append(ctl.columns, id)
		if !more || after == "" {
			return nil
		}
		rest = after
	}
}

// parseS32Msg is parseS32 with util-linux's whole message ("failed to parse IPC identifier").
func parseS32Msg(tool, msg, s string) (int32, error) {
	n, err := parseS32(tool, "", s)
	if f, ok := err.(*failure); ok {
		f.msg = strings.Replace(f.msg, "failed to parse  argument", msg, 1)
	}
	return n, err
}

// lsipcData fills lsipc's table from a snapshot.
type lsipcData struct {
	ctl     *lsipcControl
	snap    *Snapshot
	tb      *scolsTable
	warn    func(string, ...any)
	cmdline func(int) (string, bool)
	sub     *scolsTable // the semaphore elements of lsipc -s -i ID
}

func (d *lsipcData) time(t time.Time) cell {
	if t.IsZero() {
		return cell{}
	}
	t = t.In(d.ctl.loc)
	switch d.ctl.timeMode {
	case timeFull:
		return text(t.Format("Mon Jan _2 15:04:05 2006"))
	case timeISO:
		return text(t.Format("2006-01-02T15:04:05-07:00"))
	}
	now := d.ctl.now.In(d.ctl.loc)
	switch {
	case t.YearDay() == now.YearDay() && t.Year() == now.Year():
		return text(t.Format("15:04"))
	case t.Year() == now.Year():
		return text(t.Format("Jan02"))
	}
	return text(t.Format("2006-Jan02"))
}

func (d *lsipcData) size(n uint64) cell {
	if d.ctl.bytes {
		return text(fmt.Sprint(n))
	}
	return text(humanSize(n))
}

func (d *lsipcData) perms(mode uint32) cell {
	if d.ctl.numperms {
		return text(fmt.Sprintf("%#o", mode&0o777))
	}
	return text(strmode(mode & 0o777))
}

func strmode(m uint32) string {
	const rwx = "rwxrwxrwx"
	b := []byte("---------")
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i] = rwx[i]
		}
	}
	return string(b)
}

func (d *lsipcData) user(uid uint32) cell {
	if s, ok := d.ctl.user(uid); ok {
		return text(s)
	}
	return cell{}
}

func (d *lsipcData) group(gid uint32) cell {
	if s, ok := d.ctl.group(gid); ok {
		return text(s)
	}
	return cell{}
}

func (d *lsipcData) owner(uid uint32) cell {
	if s, ok := d.ctl.user(uid); ok {
		return text(s)
	}
	return text(fmt.Sprint(uid))
}

func num[T int | int32 | int64 | uint32 | uint64](n T) cell { return text(fmt.Sprint(n)) }

// generic fills the columns every System V object has.
func (d *lsipcData) generic(c int, o *inventory.Object) (cell, bool) {
	switch c {
	case colKey:
		return text(fmt.Sprintf("0x%08x", uint32(o.Key))), true
	case colID:
		return num(int(o.ID)), true
	case colOwner:
		return d.owner(o.UID), true
	case colPerms:
		return d.perms(o.Mode), true
	case colCUID:
		return num(o.CUID), true
	case colCUser:
		return d.user(o.CUID), true
	case colCGID:
		if o.Kind == inventory.Shm {
			return num(o.CUID), true // util-linux prints the creator's uid there for segments
		}
		return num(o.CGID), true
	case colCGroup:
		return d.group(o.CGID), true
	case colUID:
		return num(o.UID), true
	case colUser:
		return d.user(o.UID), true
	case colGID:
		return num(o.GID), true
	case colGroup:
		return d.group(o.GID), true
	case colCTime:
		return d.time(o.CTime), true
	}
	return cell{}, false
}

// sysvRows adds a row per System V object of kind k (only id's when id > -1), with fill for the
// kind's own columns, or says "id N not found".
func (d *lsipcData) sysvRows(k inventory.Kind, id int32, name string, fill func(c int, o *inventory.Object) cell) []*inventory.Object {
	var objs []*inventory.Object
	for i := range d.snap.Objects {
		o := &d.snap.Objects[i]
		if o.Kind == k && o.Flavor == inventory.SysV && (id < 0 || o.ID == sysv.ID(id)) {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		if id > -1 {
			d.warn("id %d not found", id)
		}
		return nil
	}
	d.tb.name = name
	for _, o := range objs {
		row := make([]cell, len(d.ctl.columns))
		for n, c := range d.ctl.columns {
			if v, ok := d.generic(c, o); ok {
				row[n] = v
			} else {
				row[n] = fill(c, o)
			}
		}
		d.tb.rows = append(d.tb.rows, row)
	}
	return objs
}

func (d *lsipcData) msgs(id int32) {
	d.sysvRows(inventory.MQ, id, "messages", func(c int, o *inventory.Object) cell {
		switch c {
		case colUsedBytes:
			return d.size(uint64(o.Size))
		case colMsgs:
			return num(o.Messages)
		case colSend:
			return d.time(o.STime)
		case colRecv:
			return d.time(o.RTime)
		case colLSPID:
			return num(o.LSPID)
		case colLRPID:
			return num(o.LRPID)
		}
		return cell{}
	})
	if d.ctl.numperms {
		d.blank(colPerms) // util-linux formats the number but never sets it for queues
	}
}

// blank empties column c in every row.
func (d *lsipcData) blank(c int) {
	for n, col := range d.ctl.columns {
		if col == c {
			for _, r := range d.tb.rows {
				r[n] = cell{}
			}
		}
	}
}

func (d *lsipcData) shms(id int32) {
	d.sysvRows(inventory.Shm, id, "sharedmemory", func(c int, o *inventory.Object) cell {
		switch c {
		case colSize:
			return d.size(uint64(o.Size))
		case colNAttch:
			return num(o.NAttch)
		case colStatus:
			// As util-linux writes it: only "dest" puts a comma before what follows.
			s, comma := "", false
			if o.Mode&sysv.ShmDest != 0 {
				s, comma = "dest", true
			}
			for _, f := range []struct {
				bit  uint32
				name string
			}{{sysv.ShmLocked, "locked"}, {0o4000, "hugetlb"}, {0o10000, "noreserve"}} {
				if o.Mode&f.bit != 0 {
					if comma {
						s += ","
					}
					s += f.name
				}
			}
			return text(s)
		case colAttach:
			return d.time(o.ATime)
		case colDetach:
			return d.time(o.DTime)
		case colCPID:
			return num(o.CPID)
		case colLPID:
			return num(o.LPID)
		case colCommand:
			if s, ok := d.cmdline(o.CPID); ok {
				return text(s)
			}
		}
		return cell{}
	})
}

func (d *lsipcData) sems(id int32) error {
	d.tb.name = "semaphores" // named even when there are none, unlike the others
	objs := d.sysvRows(inventory.Sem, id, "semaphores", func(c int, o *inventory.Object) cell {
		switch c {
		case colNSems:
			return num(o.Size)
		case colOTime:
			return d.time(o.OTime)
		}
		return cell{}
	})
	if id < 0 || len(objs) == 0 || objs[0].Size == 0 {
		return nil
	}
	if err := d.snap.Detail.SemsErr; err != nil {
		return failf("lsipc", "semctl(GETVAL) failed: %s", errText(err))
	}
	// The elements, printed after the pretty report.
	sub := &scolsTable{name: "elements"}
	for _, n := range []string{"SEMNUM", "VALUE", "NCOUNT", "ZCOUNT", "PID", "COMMAND"} {
		sub.columns = append(sub.columns, scolsColumn{name: n, right: true})
	}
	for i, s := range d.snap.Detail.Sems {
		cmd := cell{}
		if c, ok := d.cmdline(s.Pid); ok {
			cmd = text(c)
		}
		sub.rows = append(sub.rows, []cell{num(i), num(s.Value), num(s.Ncnt), num(s.Zcnt), num(s.Pid), cmd})
	}
	d.sub = sub
	return nil
}

func (d *lsipcData) posix(k inventory.Kind, name string, nameSet bool) {
	tbName := map[inventory.Kind]string{inventory.MQ: "posix-messages", inventory.Shm: "posix-sharedmemory", inventory.Sem: "posix-semaphores"}[k]
	notFound := map[inventory.Kind]string{inventory.MQ: "mqueue", inventory.Shm: "shm", inventory.Sem: "mqueue"}[k]
	if k == inventory.MQ && nameSet && !strings.HasPrefix(name, "/") {
		d.warn("mqueue name must start with '/': %s", name)
		return
	}
	var ents []*PosixEntry
	for i := range d.snap.Posix {
		e := &d.snap.Posix[i]
		if e.Kind != k {
			continue
		}
		if nameSet {
			if e.Name == name {
				ents = []*PosixEntry{e}
				break
			}
			continue
		}
		ents = append(ents, e)
	}
	if len(ents) == 0 {
		if nameSet {
			d.warn("%s %s not found", notFound, name)
		}
		return
	}
	d.tb.name = tbName
	for _, e := range ents {
		row := make([]cell, len(d.ctl.columns))
		for n, c := range d.ctl.columns {
			switch c {
			case colName:
				row[n] = text(e.Name)
			case colOwner:
				row[n] = d.owner(e.UID)
			case colPerms:
				if !(k == inventory.MQ && d.ctl.numperms) {
					row[n] = d.perms(e.Mode)
				}
			case colCUID:
				row[n] = num(e.UID)
			case colCUser:
				row[n] = d.user(e.UID)
			case colCGID:
				row[n] = num(e.GID)
			case colCGroup:
				row[n] = d.group(e.GID)
			case colMTime:
				row[n] = d.time(e.MTime)
			case colUsedBytes:
				if k == inventory.MQ {
					row[n] = d.size(uint64(e.Size))
				}
			case colMsgs:
				if k == inventory.MQ {
					row[n] = num(e.Messages)
				}
			case colSize:
				if k == inventory.Shm {
					row[n] = d.size(uint64(e.Size))
				}
			case colSVal:
				if k == inventory.Sem {
					row[n] = num(e.Value)
				}
			}
		}
		d.tb.rows = append(d.tb.rows, row)
	}
}

// global adds one row of lsipc --global.
func (d *lsipcData) global(resource, desc string, used, limit uint64, usage, byteUnit bool) {
	row := make([]cell, len(d.ctl.columns))
	for n, c := range d.ctl.columns {
		switch c {
		case colResource:
			row[n] = text(resource)
		case colDesc:
			row[n] = text(desc)
		case colUsed:
			switch {
			case !usage:
				row[n] = text("-")
			case !byteUnit || d.ctl.bytes:
				row[n] = num(used)
			default:
				row[n] = text(humanSize(used))
			}
		case colUsePerc:
			if usage {
				row[n] = text(fmt.Sprintf("%2.2f%%", float64(used)/float64(limit)*100))
			} else {
				row[n] = text("-")
			}
		case colLimit:
			if !byteUnit || d.ctl.bytes {
				row[n] = num(limit)
			} else {
				row[n] = text(humanSize(limit))
			}
		}
	}
	d.tb.rows = append(d.tb.rows, row)
}

func (d *lsipcData) limit(name string) uint64 {
	for _, l := range d.snap.Limits {
		if l.Name == name {
			return l.Value
		}
	}
	return 0
}

func (d *lsipcData) count(k inventory.Kind) (n, sum uint64) {
	for _, o := range d.snap.Objects {
		if o.Kind == k && o.Flavor == inventory.SysV {
			n++
			sum += uint64(o.Size)
		}
	}
	return n, sum
}

func (d *lsipcData) msgGlobal() {
	n, _ := d.count(inventory.MQ)
	d.global("MSGMNI", "Number of System V message queues", n, uint64(int32(d.limit("msgmni"))), true, false)
	d.global("MSGMAX", "Max size of System V message (bytes)", 0, d.limit("msgmax"), false, true)
	d.global("MSGMNB", "Default max size of System V queue (bytes)", 0, uint64(int32(d.limit("msgmnb"))), false, true)
}

func (d *lsipcData) posixMsgGlobal() {
	n := uint64(0)
	for _, e := range d.snap.Posix {
		if e.Kind == inventory.MQ {
			n++
		}
	}
	d.global("MQUMNI", "Number of POSIX message queues", n, d.limit("queues_max"), true, false)
	d.global("MQUMAX", "Max size of POSIX message (bytes)", 0, d.limit("msgsize_max"), false, true)
	d.global("MQUMNB", "Number of messages in POSIX message queue", 0, d.limit("msg_max"), false, false)
}

func (d *lsipcData) shmGlobal() {
	n, sum := d.count(inventory.Shm)
	page := d.snap.PageSize
	if page == 0 {
		page = uint64(os.Getpagesize())
	}
	d.global("SHMMNI", "Shared memory segments", n, d.limit("shmmni"), true, false)
	d.global("SHMALL", "Shared memory pages", sum/page, d.limit("shmall"), true, false)
	d.global("SHMMAX", "Max size of shared memory segment (bytes)", 0, d.limit("shmmax"), false, true)
	d.global("SHMMIN", "Min size of shared memory segment (bytes)", 0, 1, false, true)
}

func (d *lsipcData) semGlobal() {
	n, sum := d.count(inventory.Sem)
	d.global("SEMMNI", "Number of semaphore identifiers", n, d.limit("semmni"), true, false)
	d.global("SEMMNS", "Total number of semaphores", sum, d.limit("semmns"), true, false)
	d.global("SEMMSL", "Max semaphores per semaphore set.", 0, d.limit("semmsl"), false, false)
	d.global("SEMOPM", "Max number of operations per semop(2)", 0, d.limit("semopm"), false, false)
	d.global("SEMVMX", "Semaphore max value", 0, 32767, false, false)
}

// printPretty prints the first row as "Pretty name:   value" lines (lsipc --id, --name), then
// a semaphore set's elements.
func (d *lsipcData) printPretty(w *bufio.Writer) {
	if len(d.tb.rows) == 0 {
		return
	}
	for n, c := range d.ctl.columns {
		v := d.tb.rows[0][n]
		if !v.set {
			continue
		}
		h := lsipcColumns[c].Pretty
		pad := 35 - len(h)
		if pad < 1 {
			pad = 1
		}
		fmt.Fprintf(w, "%s:%*c%-36s\n", h, pad, ' ', v.s)
	}
	if d.sub != nil {
		w.WriteString("Elements:\n\n")
		d.sub.print(w)
	}
}
