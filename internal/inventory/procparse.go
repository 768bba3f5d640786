package inventory

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ipcx/ipcx/internal/sysv"
)

// A parser of /proc/sysvipc tables straight into Objects. sysv.ParseMsgQueues and its siblings
// parse the same text into their own rows (allocating a string per field and a time per column);
// with 20,000 objects that was a third of a listing, so the inventory parses the bytes itself.
// TestProcParseMatchesSysv holds both parsers to the same results.

// procTable is the column layout of one table: the fields of an Object each column sets.
type procTable struct {
	kind   Kind
	min    int // fields a line must have
	assign func(o *Object, f *[16]int64)
}

var (
	msgTable = procTable{MQ, 14, func(o *Object, f *[16]int64) {
		// key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
		o.Size, o.Messages, o.LSPID, o.LRPID = f[3], f[4], int(f[5]), int(f[6])
		o.UID, o.GID, o.CUID, o.CGID = uint32(f[7]), uint32(f[8]), uint32(f[9]), uint32(f[10])
		o.STime, o.RTime, o.CTime = epoch(f[11]), epoch(f[12]), epoch(f[13])
	}}
	shmTable = procTable{Shm, 14, func(o *Object, f *[16]int64) {
		// key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
		o.Size, o.CPID, o.LPID, o.NAttch = f[3], int(f[4]), int(f[5]), f[6]
		o.UID, o.GID, o.CUID, o.CGID = uint32(f[7]), uint32(f[8]), uint32(f[9]), uint32(f[10])
		o.ATime, o.DTime, o.CTime = epoch(f[11]), epoch(f[12]), epoch(f[13])
		o.RSS, o.Swap = f[14], f[15]
	}}
	semTable = procTable{Sem, 10, func(o *Object, f *[16]int64) {
		// key semid perms nsems uid gid cuid cgid otime ctime
		o.Size = f[3]
		o.UID, o.GID, o.CUID, o.CGID = uint32(f[4]), uint32(f[5]), uint32(f[6]), uint32(f[7])
		o.OTime, o.CTime = epoch(f[8]), epoch(f[9])
	}}
)

func epoch(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// readTable reads a /proc/sysvipc table in large reads (the kernel formats it afresh for every
// read(2)) and parses it.
func readTable(name string, t procTable) ([]Object, error) {
	f, err := os.Open(sysv.ProcDir + "/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	chunk := make([]byte, 256<<10)
	for {
		n, err := f.Read(chunk)
		buf.Write(chunk[:n])
		if err == io.EOF || (err == nil && n == 0) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	objs, err := parseTable(buf.Bytes(), t)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", sysv.ProcDir, name, err)
	}
	return objs, nil
}

// parseTable parses a table's text: a header line, then one object per line. Keys are signed
// decimal, perms octal, everything else decimal.
func parseTable(text []byte, t procTable) ([]Object, error) {
	out := make([]Object, 0, bytes.Count(text, []byte{'\n'}))
	line := 0
	for len(text) > 0 {
		var l []byte
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			l, text = text, nil
		}
		line++
		if line == 1 {
			continue // header
		}
		var f [16]int64
		n := 0
		for len(l) > 0 {
			for len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
				l = l[1:]
			}
			if len(l) == 0 {
				break
			}
			j := 0
			for j < len(l) && l[j] != ' ' && l[j] != '\t' {
				j++
			}
			if n < len(f) {
				base := int64(10)
				if n == 2 {
					base = 8
				}
				v, ok := parseInt(l[:j], base)
				if !ok {
					return nil, fmt.Errorf("line %d: field %d %q is not a number", line, n+1, l[:j])
				}
				f[n] = v
			}
			n++
			l = l[j:]
		}
		if n == 0 {
			continue
		}
		if n < t.min {
			return nil, fmt.Errorf("line %d: %d fields, want %d", line, n, t.min)
		}
		if f[0] < -1<<31 || f[0] > 1<<31-1 || f[2] < 0 || f[2] > 1<<32-1 {
			return nil, fmt.Errorf("line %d: key or perms out of range", line)
		}
		o := Object{Kind: t.kind, Flavor: SysV, Key: sysv.Key(int32(f[0])), ID: sysv.ID(f[1]), Mode: uint32(f[2])}
		t.assign(&o, &f)
		out = append(out, o)
	}
	return out, nil
}

// parseInt parses an optionally negative number in base 8 or 10 that fits in int64.
func parseInt(b []byte, base int64) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d := uint64(c - '0')
		if c < '0' || d >= uint64(base) {
			return 0, false
		}
		if v > (1<<64-1-d)/uint64(base) {
			return 0, false
		}
		v = v*uint64(base) + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	return int64(v), true // values past int64 (none in these tables) wrap
}
