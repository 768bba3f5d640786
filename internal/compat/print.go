package compat

import (
	"bufio"
	"fmt"
	"math"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
)

// printer writes ipcs's sections for a Snapshot, as util-linux's ipcs prints them.
type printer struct {
	w    *bufio.Writer
	unit sizeUnit
	s    *Snapshot
	loc  *time.Location
}

func newPrinter(w *bufio.Writer, s *Snapshot, unit sizeUnit) *printer {
	p := &printer{w: w, unit: unit, s: s, loc: s.Location}
	if p.loc == nil {
		p.loc = time.Local
	}
	if s.User == nil {
		s.User = UserName
	}
	if s.Group == nil {
		s.Group = GroupName
	}
	return p
}

func (p *printer) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

func (p *printer) each(k inventory.Kind, f inventory.Flavor, fn func(o *inventory.Object)) {
	for i := range p.s.Objects {
		o := &p.s.Objects[i]
		if o.Kind == k && o.Flavor == f {
			fn(o)
		}
	}
}

func (p *printer) limit(name string) uint64 {
	for _, l := range p.s.Limits {
		if l.Name == name {
			return l.Value
		}
	}
	return 0
}

// ctime formats t as p.ctime(3) does, without the newline: "Sat Nov 21 14:36:37 2026".
func (p *printer) ctime(t time.Time) string { return t.In(p.loc).Format("Mon Jan _2 15:04:05 2006") }

// shortTime is p.ctime(t)+4 cut to 16 characters, as ipcs -t prints it, or "Not set".
func (p *printer) shortTime(t time.Time) string {
	if t.IsZero() {
		return "Not set"
	}
	return p.ctime(t)[4:20]
}

func (p *printer) longTime(t time.Time) string {
	if t.IsZero() {
		return "Not set"
	}
	return p.ctime(t)
}

// owner is the user's name or number, as getpwuid gives it.
func (p *printer) owner(uid uint32) string { return p.s.User(uid) }

func (p *printer) group(gid uint32) string { return p.s.Group(gid) }

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
func (p *printer) size(unit sizeUnit, label string, n uint64, end string, width int) {
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

func (p *printer) perms(o *inventory.Object) {
	p.printf("%-10d %-10o %-10s %-10s %-10s %-10s\n", o.ID, o.Mode&0o777, p.owner(o.CUID), p.group(o.CGID), p.owner(o.UID), p.group(o.GID))
}

func (p *printer) msgs(format format) {
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
		p.printf("allocated queues = %d\n", p.s.Status.MsgQueues)
		p.printf("used headers = %d\n", p.s.Status.MsgHeaders)
		end := "\n"
		if p.unit == unitDefault {
			end = " bytes\n"
		}
		p.size(p.unit, "used space", uint64(p.s.Status.MsgBytes), end, 0)
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
			p.printf("%-8d %-10.10s", o.ID, p.owner(o.UID))
			p.printf(" %-20.16s %-20.16s %-20.16s\n", p.shortTime(o.STime), p.shortTime(o.RTime), p.shortTime(o.CTime))
		case fmtPID:
			p.printf("%-8d %-10.10s  %5d     %5d\n", o.ID, p.owner(o.UID), o.LSPID, o.LRPID)
		default:
			p.printf("%s %-10d %-10.10s %-10o ", o.Key, o.ID, p.owner(o.UID), o.Mode&0o777)
			if p.unit == unitHuman {
				p.size(p.unit, "", uint64(o.Size), "      ", 6)
			} else {
				p.size(p.unit, "", uint64(o.Size), "", -12)
			}
			p.printf(" %-12d\n", o.Messages)
		}
	})
}

func (p *printer) shms(format format) {
	switch format {
	case fmtLimits:
		page := p.s.PageSize
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
		s := p.s.Status
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
			p.printf("%-10d %-10.10s", o.ID, p.owner(o.UID))
			p.printf(" %-20.16s %-20.16s %-20.16s\n", p.shortTime(o.ATime), p.shortTime(o.DTime), p.shortTime(o.CTime))
		case fmtPID:
			p.printf("%-10d %-10.10s %-10d %-10d\n", o.ID, p.owner(o.UID), o.CPID, o.LPID)
		default:
			p.printf("%s %-10d %-10.10s %-10o ", o.Key, o.ID, p.owner(o.UID), o.Mode&0o777)
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

func (p *printer) sems(format format) {
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
		p.printf("used arrays = %d\n", p.s.Status.SemSets)
		p.printf("allocated semaphores = %d\n", p.s.Status.SemSems)
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
			p.printf("%-8d %-10.10s", o.ID, p.owner(o.UID))
			p.printf("  %-26.24s %-26.24s\n", p.longTime(o.OTime), p.longTime(o.CTime))
		default:
			p.printf("%s %-10d %-10.10s %-10o %-10d\n", o.Key, o.ID, p.owner(o.UID), o.Mode&0o777, o.Size)
		}
	})
}

// find returns the System V object of kind k with id, or nil.
func (p *printer) find(k inventory.Kind, id sysv.ID) *inventory.Object {
	for i := range p.s.Objects {
		o := &p.s.Objects[i]
		if o.Kind == k && o.Flavor == inventory.SysV && o.ID == id {
			return o
		}
	}
	return nil
}

// first returns the first System V object of kind k, or nil.
func (p *printer) first(k inventory.Kind) *inventory.Object {
	for i := range p.s.Objects {
		if o := &p.s.Objects[i]; o.Kind == k && o.Flavor == inventory.SysV {
			return o
		}
	}
	return nil
}

// details prints ipcs -i's report on o, or returns the failure util-linux reports.
func (p *printer) details(o *inventory.Object) error {
	switch o.Kind {
	case inventory.MQ:
		p.msgDetails(o)
	case inventory.Shm:
		p.shmDetails(o)
	default:
		return p.semDetails(o)
	}
	return nil
}

func (p *printer) msgDetails(o *inventory.Object) {
	id, qbytes := o.ID, p.s.Detail.QBytes
	p.printf("\nMessage Queue msqid=%d\n", id)
	p.printf("uid=%d\tgid=%d\tcuid=%d\tcgid=%d\tmode=%#o\n", o.UID, o.GID, o.CUID, o.CGID, o.Mode)
	cb, qb := "cbytes=", "qbytes="
	if p.unit == unitHuman {
		cb, qb = "csize=", "qsize="
	}
	p.size(p.unit, cb, uint64(o.Size), "\t", 0)
	p.size(p.unit, qb, qbytes, "\t", 0)
	p.printf("qnum=%d\tlspid=%d\tlrpid=%d\n", o.Messages, o.LSPID, o.LRPID)
	p.printf("send_time=%-26.24s\n", p.longTime(o.STime))
	p.printf("rcv_time=%-26.24s\n", p.longTime(o.RTime))
	p.printf("change_time=%-26.24s\n", p.longTime(o.CTime))
	p.printf("\n")
}

func (p *printer) shmDetails(o *inventory.Object) {
	id := o.ID
	p.printf("\nShared memory Segment shmid=%d\n", id)
	p.printf("uid=%d\tgid=%d\tcuid=%d\tcgid=%d\n", o.UID, o.GID, o.CUID, o.CGID)
	p.printf("mode=%#o\taccess_perms=%#o\n", o.Mode, o.Mode&0o777)
	label := "bytes="
	if p.unit == unitHuman {
		label = "size="
	}
	p.size(p.unit, label, uint64(o.Size), "\t", 0)
	p.printf("lpid=%d\tcpid=%d\tnattch=%d\n", o.LPID, o.CPID, o.NAttch)
	p.printf("att_time=%-26.24s\n", p.longTime(o.ATime))
	p.printf("det_time=%-26.24s\n", p.longTime(o.DTime))
	p.printf("change_time=%-26.24s\n", p.ctime(o.CTime))
	p.printf("\n")
}

func (p *printer) semDetails(o *inventory.Object) error {
	id := o.ID
	states, err := p.s.Detail.Sems, p.s.Detail.SemsErr
	if err != nil {
		return failf("ipcs", "semctl(GETVAL) failed: %s", errText(err))
	}
	p.printf("\nSemaphore Array semid=%d\n", id)
	p.printf("uid=%d\t gid=%d\t cuid=%d\t cgid=%d\n", o.UID, o.GID, o.CUID, o.CGID)
	p.printf("mode=%#o, access_perms=%#o\n", o.Mode, o.Mode&0o777)
	p.printf("nsems = %d\n", o.Size)
	p.printf("otime = %-26.24s\n", p.longTime(o.OTime))
	p.printf("ctime = %-26.24s\n", p.ctime(o.CTime))
	p.printf("%-10s %-10s %-10s %-10s %-10s\n", "semnum", "value", "ncount", "zcount", "pid")
	for _, s := range states {
		p.printf("%-10d %-10d %-10d %-10d %-10d\n", s.Num, s.Value, s.Ncnt, s.Zcnt, s.Pid)
	}
	p.printf("\n")
	return nil
}
