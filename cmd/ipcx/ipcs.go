package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// compatError is an error of ipcs, ipcrm or ipcmk, printed the way util-linux prints it: "TOOL: msg",
// then optionally a hint and util-linux's "Try 'TOOL --help'" line. Exit status 1, as util-linux.
type compatError struct {
	tool    string
	msg     string
	hint    string
	tryHelp bool
}

func (e *compatError) Error() string { return e.tool + ": " + e.msg }

func (e *compatError) withHint(h string) *compatError { e.hint = h; return e }

// compatExit prints a compatError and ends ipcx with status 1; other errors pass through.
func compatExit(io *iostreams.IOStreams, err error) error {
	ce, ok := err.(*compatError)
	if !ok {
		return err
	}
	fmt.Fprintf(io.ErrOut, "%s: %s\n", ce.tool, ce.msg)
	if ce.hint != "" {
		fmt.Fprintf(io.ErrOut, "%s: hint: %s\n", ce.tool, ce.hint)
	}
	if ce.tryHelp {
		fmt.Fprintf(io.ErrOut, "Try '%s --help' for more information.\n", ce.tool)
	}
	return &silentExit{code: exitFailure}
}

// compatFlagError words the errors of flag parsing on the command line of ipcs or ipcmk as
// getopt_long(3) does in util-linux's tool, and ends with its status 1. (ipcrm parses its own
// command line and words them the same way.)
func compatFlagError(io *iostreams.IOStreams, tool string) func(*cobra.Command, error) error {
	return func(_ *cobra.Command, err error) error {
		return compatExit(io, getoptError(tool, err))
	}
}

func getoptError(tool string, err error) *compatError {
	e := &compatError{tool: tool, msg: err.Error(), tryHelp: true}
	var nee *pflag.NotExistError
	var vre *pflag.ValueRequiredError
	var ive *pflag.InvalidValueError
	switch {
	case errors.As(err, &nee) && nee.GetSpecifiedShortnames() != "":
		e.msg = fmt.Sprintf("invalid option -- '%s'", nee.GetSpecifiedName())
	case errors.As(err, &nee):
		e.msg = fmt.Sprintf("unrecognized option '--%s'", nee.GetSpecifiedName())
	case errors.As(err, &vre) && vre.GetSpecifiedShortnames() != "":
		e.msg = fmt.Sprintf("option requires an argument -- '%s'", vre.GetSpecifiedName())
	case errors.As(err, &vre):
		e.msg = fmt.Sprintf("option '--%s' requires an argument", vre.GetSpecifiedName())
	case errors.As(err, &ive) && ive.GetFlag().Value.Type() == "bool":
		e.msg = fmt.Sprintf("option '--%s' doesn't allow an argument", ive.GetFlag().Name)
	case errors.As(err, &ive):
		// util-linux's strtoxx_or_err: no "Try" line.
		e.msg, e.tryHelp = fmt.Sprintf("failed to parse %s argument: '%s'", ive.GetFlag().Name, ive.GetValue()), false
	}
	return e
}

// compatTools are the util-linux tools ipcx stands in for when run through a link of that name.
var compatTools = map[string]bool{"ipcs": true, "ipcrm": true, "ipcmk": true}

// argv0Args returns the command line run() takes: os.Args[1:], with the tool's name in front when
// the binary was invoked as ipcs, ipcrm or ipcmk (a link to ipcx).
func argv0Args(argv []string) []string {
	if len(argv) == 0 {
		return nil
	}
	if name := filepath.Base(argv[0]); compatTools[name] {
		return append([]string{name}, argv[1:]...)
	}
	return argv[1:]
}

type ipcsOptions struct {
	io                 *iostreams.IOStreams
	ns                 inventory.Namespace
	id                 int
	idSet              bool
	msg, shm, sem      bool
	pmsg, pshm, psem   bool
	all                bool
	time, pid, creator bool
	limits, summary    bool
	human, bytes       bool
}

const compatNote = `It prints what util-linux's tool prints, header lines and spacing included, so scripts written
for it keep working; when ipcx is invoked through a link named ipcs, ipcrm or ipcmk it behaves as
that tool.`

func newIpcsCmd(io *iostreams.IOStreams, runF func(*ipcsOptions) error) *cobra.Command {
	opts := &ipcsOptions{io: io}
	c := &cobra.Command{
		Use:   "ipcs [resource-option...] [output-option]",
		Short: "Show IPC facilities, as util-linux's ipcs does",
		Long: `Show information on IPC facilities, as util-linux's ipcs(1) does, with the options of its 2.41
release: System V message queues (-q), shared memory (-m) and semaphores (-s), and POSIX message
queues (-Q), shared memory (-M) and semaphores (-S). -a, or no resource option, shows all six.
` + compatNote + `

EXIT STATUS
  0    success (an id that is not found is reported on stderr)
  1    failure, or a bad option (worded as util-linux's getopt does)
  2    usage error (an argument, a bad --ns)`,
		Example: `  $ ipcx ipcs
  $ ipcx ipcs -q -t
  $ ipcx ipcs -m -i 32768
  $ ipcx ipcs -l
  $ ln -s "$(command -v ipcx)" ~/bin/ipcs && ipcs -a`,
		DisableFlagsInUseLine: true,
		Args:                  exactArgs(0, "options only"),
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := namespaceOf(c)
			if err != nil {
				return err
			}
			opts.ns = ns
			opts.idSet = c.Flags().Changed("id")
			if runF != nil {
				return runF(opts)
			}
			return ipcsRun(opts)
		},
	}
	f := c.Flags()
	f.IntVarP(&opts.id, "id", "i", 0, "print details on the resource identified by `id`")
	f.BoolVarP(&opts.msg, "queues", "q", false, "message queues")
	f.BoolVarP(&opts.shm, "shmems", "m", false, "shared memory segments")
	f.BoolVarP(&opts.sem, "semaphores", "s", false, "semaphores")
	f.BoolVarP(&opts.pmsg, "posix-mqueues", "Q", false, "POSIX message queues")
	f.BoolVarP(&opts.pshm, "posix-shmems", "M", false, "POSIX shared memory segments")
	f.BoolVarP(&opts.psem, "posix-semaphores", "S", false, "POSIX semaphores")
	f.BoolVarP(&opts.all, "all", "a", false, "all (default)")
	f.BoolVarP(&opts.time, "time", "t", false, "show attach, detach and change times")
	f.BoolVarP(&opts.pid, "pid", "p", false, "show PIDs of creator and last operator")
	f.BoolVarP(&opts.creator, "creator", "c", false, "show creator and owner")
	f.BoolVarP(&opts.limits, "limits", "l", false, "show resource limits")
	f.BoolVarP(&opts.summary, "summary", "u", false, "show status summary")
	f.BoolVar(&opts.human, "human", false, "show sizes in human-readable format")
	f.BoolVarP(&opts.bytes, "bytes", "b", false, "show sizes in bytes")
	c.SetFlagErrorFunc(compatFlagError(io, "ipcs"))
	return withNS(c)
}

type ipcsFormat int

const (
	fmtDefault ipcsFormat = iota
	fmtLimits
	fmtStatus
	fmtCreator
	fmtTime
	fmtPID
)

type sizeUnit int

const (
	unitDefault sizeUnit = iota
	unitBytes
	unitKB
	unitHuman
)

func ipcsRun(opts *ipcsOptions) error {
	format := fmtDefault
	switch {
	case opts.limits:
		format = fmtLimits
	case opts.summary:
		format = fmtStatus
	case opts.creator:
		format = fmtCreator
	case opts.time:
		format = fmtTime
	case opts.pid:
		format = fmtPID
	}
	unit := unitDefault
	if opts.bytes {
		unit = unitBytes
	}
	if opts.human {
		unit = unitHuman
	}
	if opts.all {
		opts.msg, opts.shm, opts.sem, opts.pmsg, opts.pshm, opts.psem = true, true, true, true, true, true
	}
	n := 0
	for _, b := range []bool{opts.msg, opts.shm, opts.sem, opts.pmsg, opts.pshm, opts.psem} {
		if b {
			n++
		}
	}
	if opts.idSet && (n != 1 || opts.pmsg || opts.pshm || opts.psem) {
		return compatExit(opts.io, &compatError{tool: "ipcs", msg: "when using an ID, a single resource must be specified"})
	}
	if n == 0 {
		opts.msg, opts.shm, opts.sem, opts.pmsg, opts.pshm, opts.psem = true, true, true, true, true, true
	}
	w := bufio.NewWriter(opts.io.Out)
	p := &ipcsPrinter{w: w, unit: unit}
	err := opts.ns.Do(func() error {
		inv, err := opts.ns.List(inventory.Options{QueueAttrs: opts.pmsg})
		if err != nil {
			return err
		}
		p.inv = inv
		if opts.idSet {
			switch {
			case opts.msg:
				p.msgDetails(opts.id, opts.io.ErrOut)
			case opts.shm:
				p.shmDetails(opts.id, opts.io.ErrOut)
			default:
				p.semDetails(opts.id, opts.io.ErrOut)
			}
			return nil
		}
		if format == fmtLimits {
			p.lims = inventory.Limits(inv)
		}
		if format == fmtStatus {
			if p.status, err = inventory.ReadStatus(); err != nil {
				return err
			}
		}
		w.WriteString("\n")
		for _, sec := range []struct {
			on bool
			f  func(ipcsFormat)
		}{{opts.msg, p.msgs}, {opts.shm, p.shms}, {opts.sem, p.sems}, {opts.pmsg, p.posixMsgs}, {opts.pshm, p.posixShms}, {opts.psem, p.posixSems}} {
			if sec.on {
				sec.f(format)
				w.WriteString("\n")
			}
		}
		return nil
	})
	if err != nil {
		if !opts.ns.Own() {
			return nsFail(opts.ns, err)
		}
		return compatExit(opts.io, &compatError{tool: "ipcs", msg: err.Error()})
	}
	return w.Flush()
}

type ipcsPrinter struct {
	w      *bufio.Writer
	unit   sizeUnit
	inv    *inventory.Inventory
	lims   []inventory.Limit
	status inventory.Status
}

func (p *ipcsPrinter) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

func (p *ipcsPrinter) each(k inventory.Kind, f inventory.Flavor, fn func(o *inventory.Object)) {
	for i := range p.inv.Objects {
		o := &p.inv.Objects[i]
		if o.Kind == k && o.Flavor == f {
			fn(o)
		}
	}
}

func (p *ipcsPrinter) limit(name string) uint64 {
	for _, l := range p.lims {
		if l.Name == name {
			return l.Value
		}
	}
	return 0
}

// ctime formats t as ctime(3) does, without the newline: "Sat Nov 21 14:36:37 2026".
func ctime(t time.Time) string { return t.Local().Format("Mon Jan _2 15:04:05 2006") }

// shortTime is ctime(t)+4 cut to 16 characters, as ipcs -t prints it, or "Not set".
func shortTime(t time.Time) string {
	if t.IsZero() {
		return "Not set"
	}
	return ctime(t)[4:20]
}

func longTime(t time.Time) string {
	if t.IsZero() {
		return "Not set"
	}
	return ctime(t)
}

// owner is the user's name or number, as getpwuid gives it.
func owner(uid uint32) string { return userName(uid) }

func trunc10(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// humanSize is util-linux's size_to_human_string with one-letter suffixes: 0B, 100B, 4K, 1.5M.
func humanSize(n uint64) string {
	const letters = "BKMGTPE"
	exp := 0
	for i := 10; i <= 60; i += 10 {
		if n >= 1<<uint(i) {
			exp = i
		}
	}
	dec, frac := n, uint64(0)
	if exp > 0 {
		dec, frac = n>>uint(exp), n&(1<<uint(exp)-1)
	}
	suffix := string(letters[exp/10])
	if frac != 0 {
		// Three digits of the fraction, computed as util-linux does (no overflow at exbibytes).
		frac = (frac >> uint(exp-10)) * 1000 / 1024
		frac = frac/100 + b2u(frac%100 >= 50)
		if frac == 10 {
			dec, frac = dec+1, 0
		}
	}
	if frac != 0 {
		return fmt.Sprintf("%d.%d%s", dec, frac, suffix)
	}
	return fmt.Sprintf("%d%s", dec, suffix)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// size prints as ipc_print_size: an optional label, the value in the unit, an optional end.
func (p *ipcsPrinter) size(unit sizeUnit, label string, n uint64, end string, width int) {
	switch {
	case label == "":
	case label[len(label)-1] == '=':
		p.printf("%s", label)
	case unit == unitBytes:
		p.printf("%s (bytes) = ", label)
	case unit == unitKB:
		p.printf("%s (kbytes) = ", label)
	default:
		p.printf("%s = ", label)
	}
	switch unit {
	case unitKB:
		p.printf("%*d", width, n/1024)
	case unitHuman:
		p.printf("%*s", width, humanSize(n))
	default:
		p.printf("%*d", width, n)
	}
	p.printf("%s", end)
}

func (p *ipcsPrinter) perms(o *inventory.Object) {
	p.printf("%-10d %-10o %-10s %-10s %-10s %-10s\n", o.ID, o.Mode&0o777, owner(o.CUID), groupName(o.CGID), owner(o.UID), groupName(o.GID))
}

func (p *ipcsPrinter) msgs(format ipcsFormat) {
	switch format {
	case fmtLimits:
		p.printf("------ Messages Limits --------\n")
		p.printf("max queues system wide = %d\n", p.limit("msgmni"))
		u := p.unit
		if u == unitDefault {
			u = unitBytes
		}
		p.size(u, "max size of message", p.limit("msgmax"), "\n", 0)
		p.size(u, "default max size of queue", p.limit("msgmnb"), "\n", 0)
		return
	case fmtStatus:
		p.printf("------ Messages Status --------\n")
		p.printf("allocated queues = %d\n", p.status.MsgQueues)
		p.printf("used headers = %d\n", p.status.MsgHeaders)
		end := "\n"
		if p.unit == unitDefault {
			end = " bytes\n"
		}
		p.size(p.unit, "used space", uint64(p.status.MsgBytes), end, 0)
		return
	case fmtCreator:
		p.printf("------ Message Queues Creators/Owners --------\n")
		p.printf("%-10s %-10s %-10s %-10s %-10s %-10s\n", "msqid", "perms", "cuid", "cgid", "uid", "gid")
	case fmtTime:
		p.printf("------ Message Queues Send/Recv/Change Times --------\n")
		p.printf("%-8s %-10s %-20s %-20s %-20s\n", "msqid", "owner", "send", "recv", "change")
	case fmtPID:
		p.printf("------ Message Queues PIDs --------\n")
		p.printf("%-10s %-10s %-10s %-10s\n", "msqid", "owner", "lspid", "lrpid")
	default:
		p.printf("------ Message Queues --------\n")
		sz := "used-bytes"
		if p.unit == unitHuman {
			sz = "size"
		}
		p.printf("%-10s %-10s %-10s %-10s %-12s %-12s\n", "key", "msqid", "owner", "perms", sz, "messages")
	}
	p.each(inventory.MQ, inventory.SysV, func(o *inventory.Object) {
		switch format {
		case fmtCreator:
			p.perms(o)
		case fmtTime:
			p.printf("%-8d %-10.10s", o.ID, owner(o.UID))
			p.printf(" %-20.16s %-20.16s %-20.16s\n", shortTime(o.STime), shortTime(o.RTime), shortTime(o.CTime))
		case fmtPID:
			p.printf("%-8d %-10.10s  %5d     %5d\n", o.ID, owner(o.UID), o.LSPID, o.LRPID)
		default:
			p.printf("%s %-10d %-10.10s %-10o ", o.Key, o.ID, owner(o.UID), o.Mode&0o777)
			if p.unit == unitHuman {
				p.size(p.unit, "", uint64(o.Size), "      ", 6)
			} else {
				p.size(p.unit, "", uint64(o.Size), "", -12)
			}
			p.printf(" %-12d\n", o.Messages)
		}
	})
}

func (p *ipcsPrinter) shms(format ipcsFormat) {
	switch format {
	case fmtLimits:
		page := uint64(os.Getpagesize())
		p.printf("------ Shared Memory Limits --------\n")
		p.printf("max number of segments = %d\n", p.limit("shmmni"))
		u := p.unit
		if u == unitDefault {
			u = unitKB
		}
		p.size(u, "max seg size", p.limit("shmmax"), "\n", 0)
		all := p.limit("shmall")
		if p.unit == unitKB || p.unit == unitDefault {
			tmp := all * (page / 1024)
			if all != 0 && tmp/all != page/1024 {
				tmp = math.MaxUint64 - math.MaxUint64%(page/1024)
			}
			p.size(unitDefault, "max total shared memory (kbytes)", tmp, "\n", 0)
		} else {
			tmp := all * page
			if all != 0 && tmp/all != page {
				tmp = math.MaxUint64 - math.MaxUint64%page
			}
			p.size(p.unit, "max total shared memory", tmp, "\n", 0)
		}
		u = p.unit
		if u == unitDefault {
			u = unitBytes
		}
		p.size(u, "min seg size", 1, "\n", 0)
		return
	case fmtStatus:
		s := p.status
		p.printf("------ Shared Memory Status --------\n")
		p.printf("segments allocated %d\npages allocated %d\npages resident  %d\npages swapped   %d\nSwap performance: %d attempts\t %d successes\n",
			s.ShmSegs, s.ShmPages, s.ShmRSS, s.ShmSwap, s.ShmSwapTry, s.ShmSwapOK)
		return
	case fmtCreator:
		p.printf("------ Shared Memory Segment Creators/Owners --------\n")
		p.printf("%-10s %-10s %-10s %-10s %-10s %-10s\n", "shmid", "perms", "cuid", "cgid", "uid", "gid")
	case fmtTime:
		p.printf("------ Shared Memory Attach/Detach/Change Times --------\n")
		p.printf("%-10s %-10s %-20s %-20s %-20s\n", "shmid", "owner", "attached", "detached", "changed")
	case fmtPID:
		p.printf("------ Shared Memory Creator/Last-op PIDs --------\n")
		p.printf("%-10s %-10s %-10s %-10s\n", "shmid", "owner", "cpid", "lpid")
	default:
		p.printf("------ Shared Memory Segments --------\n")
		sz := "bytes"
		if p.unit == unitHuman {
			sz = "size"
		}
		p.printf("%-10s %-10s %-10s %-10s %-10s %-10s %-12s\n", "key", "shmid", "owner", "perms", sz, "nattch", "status")
	}
	p.each(inventory.Shm, inventory.SysV, func(o *inventory.Object) {
		switch format {
		case fmtCreator:
			p.perms(o)
		case fmtTime:
			p.printf("%-10d %-10.10s", o.ID, owner(o.UID))
			p.printf(" %-20.16s %-20.16s %-20.16s\n", shortTime(o.ATime), shortTime(o.DTime), shortTime(o.CTime))
		case fmtPID:
			p.printf("%-10d %-10.10s %-10d %-10d\n", o.ID, owner(o.UID), o.CPID, o.LPID)
		default:
			p.printf("%s %-10d %-10.10s %-10o ", o.Key, o.ID, owner(o.UID), o.Mode&0o777)
			if p.unit == unitHuman {
				p.size(p.unit, "", uint64(o.Size), "    ", 6)
			} else {
				p.size(p.unit, "", uint64(o.Size), "", -10)
			}
			dest, locked := " ", " "
			if o.Mode&sysv.ShmDest != 0 {
				dest = "dest"
			}
			if o.Mode&sysv.ShmLocked != 0 {
				locked = "locked"
			}
			p.printf(" %-10d %-6s %-6s\n", o.NAttch, dest, locked)
		}
	})
}

func (p *ipcsPrinter) sems(format ipcsFormat) {
	switch format {
	case fmtLimits:
		p.printf("------ Semaphore Limits --------\n")
		p.printf("max number of arrays = %d\n", p.limit("semmni"))
		p.printf("max semaphores per array = %d\n", p.limit("semmsl"))
		p.printf("max semaphores system wide = %d\n", p.limit("semmns"))
		p.printf("max ops per semop call = %d\n", p.limit("semopm"))
		p.printf("semaphore max value = %d\n", p.limit("semvmx"))
		return
	case fmtStatus:
		p.printf("------ Semaphore Status --------\n")
		p.printf("used arrays = %d\n", p.status.SemSets)
		p.printf("allocated semaphores = %d\n", p.status.SemSems)
		return
	case fmtCreator:
		p.printf("------ Semaphore Arrays Creators/Owners --------\n")
		p.printf("%-10s %-10s %-10s %-10s %-10s %-10s\n", "semid", "perms", "cuid", "cgid", "uid", "gid")
	case fmtTime:
		p.printf("------ Semaphore Operation/Change Times --------\n")
		p.printf("%-8s %-10s %-26.24s %-26.24s\n", "semid", "owner", "last-op", "last-changed")
	case fmtPID:
		return // util-linux prints nothing for semaphores here
	default:
		p.printf("------ Semaphore Arrays --------\n")
		p.printf("%-10s %-10s %-10s %-10s %-10s\n", "key", "semid", "owner", "perms", "nsems")
	}
	p.each(inventory.Sem, inventory.SysV, func(o *inventory.Object) {
		switch format {
		case fmtCreator:
			p.perms(o)
		case fmtTime:
			p.printf("%-8d %-10.10s", o.ID, owner(o.UID))
			p.printf("  %-26.24s %-26.24s\n", longTime(o.OTime), longTime(o.CTime))
		default:
			p.printf("%s %-10d %-10.10s %-10o %-10d\n", o.Key, o.ID, owner(o.UID), o.Mode&0o777, o.Size)
		}
	})
}

// The POSIX sections follow util-linux 2.41's layout: a name column 30 wide, then the columns of
// the System V section of the same kind.

func (p *ipcsPrinter) posixHeader(title string, format ipcsFormat, cols ...string) bool {
	switch format {
	case fmtCreator:
		p.printf("------ %s Creators/Owners --------\n", title)
		p.printf("%-30s %-10s %-10s %-10s\n", "name", "perms", "uid", "gid")
	case fmtTime:
		p.printf("------ %s Change Times --------\n", title)
		p.printf("%-30s %-10s %-26.24s\n", "name", "owner", "last-changed")
	case fmtPID, fmtStatus:
		return false
	default:
		p.printf("------ %s --------\n", title)
		p.printf("%-30s %-10s %-10s", "name", "owner", "perms")
		for _, c := range cols {
			p.printf(" %-12s", c)
		}
		p.printf("\n")
	}
	return true
}

func (p *ipcsPrinter) posixRow(o *inventory.Object, format ipcsFormat, vals ...string) {
	switch format {
	case fmtCreator:
		p.printf("%-30s %-10o %-10s %-10s\n", o.Name, o.Mode&0o777, owner(o.UID), groupName(o.GID))
	case fmtTime:
		p.printf("%-30s %-10.10s %-26.24s\n", o.Name, owner(o.UID), longTime(o.CTime))
	default:
		p.printf("%-30s %-10.10s %-10o", o.Name, owner(o.UID), o.Mode&0o777)
		for _, v := range vals {
			p.printf(" %-12s", v)
		}
		p.printf("\n")
	}
}

func (p *ipcsPrinter) sizeCell(n int64) string {
	if n < 0 {
		return "-" // unknown: a queue the caller may not read
	}
	if p.unit == unitHuman {
		return humanSize(uint64(n))
	}
	return strconv.FormatInt(n, 10)
}

func (p *ipcsPrinter) posixMsgs(format ipcsFormat) {
	if format == fmtLimits {
		p.printf("------ POSIX Message Queues Limits --------\n")
		p.printf("max number of queues = %d\n", p.limit("queues_max"))
		p.printf("max messages per queue = %d\n", p.limit("msg_max"))
		p.size(unitBytes, "max size of message", p.limit("msgsize_max"), "\n", 0)
		return
	}
	sz := "used-bytes"
	if p.unit == unitHuman {
		sz = "size"
	}
	if !p.posixHeader("POSIX Message Queues", format, sz, "messages") {
		return
	}
	p.each(inventory.MQ, inventory.POSIX, func(o *inventory.Object) {
		msgs := "-"
		if o.Messages >= 0 {
			msgs = strconv.FormatInt(o.Messages, 10)
		}
		p.posixRow(o, format, p.sizeCell(o.Size), msgs)
	})
}

func (p *ipcsPrinter) posixShms(format ipcsFormat) {
	if format == fmtLimits {
		return // tmpfs limits, not IPC ones
	}
	sz := "bytes"
	if p.unit == unitHuman {
		sz = "size"
	}
	if !p.posixHeader("POSIX Shared Memory Segments", format, sz) {
		return
	}
	p.each(inventory.Shm, inventory.POSIX, func(o *inventory.Object) { p.posixRow(o, format, p.sizeCell(o.Size)) })
}

func (p *ipcsPrinter) posixSems(format ipcsFormat) {
	if format == fmtLimits {
		p.printf("------ POSIX Semaphore Limits --------\n")
		p.printf("semaphore max value = %d\n", 2147483647)
		return
	}
	if !p.posixHeader("POSIX Semaphores", format) {
		return
	}
	p.each(inventory.Sem, inventory.POSIX, func(o *inventory.Object) { p.posixRow(o, format) })
}

func (p *ipcsPrinter) find(k inventory.Kind, id int) *inventory.Object {
	for i := range p.inv.Objects {
		o := &p.inv.Objects[i]
		if o.Kind == k && o.Flavor == inventory.SysV && int(o.ID) == id {
			return o
		}
	}
	return nil
}

func (p *ipcsPrinter) msgDetails(id int, errw io.Writer) {
	o := p.find(inventory.MQ, id)
	if o == nil {
		fmt.Fprintf(errw, "ipcs: id %d not found\n", id)
		return
	}
	var qbytes uint64
	if ds, err := sysv.MsgStat(o.ID); err == nil {
		qbytes = ds.Qbytes
	}
	p.printf("\nMessage Queue msqid=%d\n", id)
	p.printf("uid=%d\tgid=%d\tcuid=%d\tcgid=%d\tmode=%#o\n", o.UID, o.GID, o.CUID, o.CGID, o.Mode)
	cb, qb := "cbytes=", "qbytes="
	if p.unit == unitHuman {
		cb, qb = "csize=", "qsize="
	}
	p.size(p.unit, cb, uint64(o.Size), "\t", 0)
	p.size(p.unit, qb, qbytes, "\t", 0)
	p.printf("qnum=%d\tlspid=%d\tlrpid=%d\n", o.Messages, o.LSPID, o.LRPID)
	p.printf("send_time=%-26.24s\n", longTime(o.STime))
	p.printf("rcv_time=%-26.24s\n", longTime(o.RTime))
	p.printf("change_time=%-26.24s\n", longTime(o.CTime))
	p.printf("\n")
}

func (p *ipcsPrinter) shmDetails(id int, errw io.Writer) {
	o := p.find(inventory.Shm, id)
	if o == nil {
		fmt.Fprintf(errw, "ipcs: id %d not found\n", id)
		return
	}
	p.printf("\nShared memory Segment shmid=%d\n", id)
	p.printf("uid=%d\tgid=%d\tcuid=%d\tcgid=%d\n", o.UID, o.GID, o.CUID, o.CGID)
	p.printf("mode=%#o\taccess_perms=%#o\n", o.Mode, o.Mode&0o777)
	label := "bytes="
	if p.unit == unitHuman {
		label = "size="
	}
	p.size(p.unit, label, uint64(o.Size), "\t", 0)
	p.printf("lpid=%d\tcpid=%d\tnattch=%d\n", o.LPID, o.CPID, o.NAttch)
	p.printf("att_time=%-26.24s\n", longTime(o.ATime))
	p.printf("det_time=%-26.24s\n", longTime(o.DTime))
	p.printf("change_time=%-26.24s\n", ctime(o.CTime))
	p.printf("\n")
}

func (p *ipcsPrinter) semDetails(id int, errw io.Writer) {
	o := p.find(inventory.Sem, id)
	if o == nil {
		fmt.Fprintf(errw, "ipcs: id %d not found\n", id)
		return
	}
	states, err := sysv.SemStates(o.ID)
	if err != nil {
		fmt.Fprintf(errw, "ipcs: semctl(GETVAL) failed: %v\n", err)
		return
	}
	p.printf("\nSemaphore Array semid=%d\n", id)
	p.printf("uid=%d\t gid=%d\t cuid=%d\t cgid=%d\n", o.UID, o.GID, o.CUID, o.CGID)
	p.printf("mode=%#o, access_perms=%#o\n", o.Mode, o.Mode&0o777)
	p.printf("nsems = %d\n", o.Size)
	p.printf("otime = %-26.24s\n", longTime(o.OTime))
	p.printf("ctime = %-26.24s\n", ctime(o.CTime))
	p.printf("%-10s %-10s %-10s %-10s %-10s\n", "semnum", "value", "ncount", "zcount", "pid")
	for _, s := range states {
		p.printf("%-10d %-10d %-10d %-10d %-10d\n", s.Num, s.Value, s.Ncnt, s.Zcnt, s.Pid)
	}
	p.printf("\n")
}
