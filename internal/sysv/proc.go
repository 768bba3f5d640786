package sysv

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ProcDir is where the System V tables are read from; a caller inspecting another IPC namespace
// reads them from a thread that joined it.
const ProcDir = "/proc/sysvipc"

// Owner is the owner and creator of an object, as /proc/sysvipc and the *_STAT calls give them.
type Owner struct {
	UID  uint32 `json:"uid"`
	GID  uint32 `json:"gid"`
	CUID uint32 `json:"cuid"`
	CGID uint32 `json:"cgid"`
}

// MsgQueue is one line of /proc/sysvipc/msg.
type MsgQueue struct {
	Key   Key        `json:"key"`
	ID    ID         `json:"id"`
	Mode  uint32     `json:"mode"`
	Bytes uint64     `json:"bytes"`
	Msgs  uint64     `json:"messages"`
	LSPID int        `json:"lspid"`
	LRPID int        `json:"lrpid"`
	Owner            // uid, gid, cuid, cgid
	STime *time.Time `json:"stime"`
	RTime *time.Time `json:"rtime"`
	CTime *time.Time `json:"ctime"`
}

// SemSet is one line of /proc/sysvipc/sem.
type SemSet struct {
	Key   Key        `json:"key"`
	ID    ID         `json:"id"`
	Mode  uint32     `json:"mode"`
	NSems int        `json:"nsems"`
	Owner            // uid, gid, cuid, cgid
	OTime *time.Time `json:"otime"`
	CTime *time.Time `json:"ctime"`
}

// ShmSeg is one line of /proc/sysvipc/shm.
type ShmSeg struct {
	Key    Key        `json:"key"`
	ID     ID         `json:"id"`
	Mode   uint32     `json:"mode"`
	Size   uint64     `json:"size"`
	CPID   int        `json:"cpid"`
	LPID   int        `json:"lpid"`
	NAttch uint64     `json:"nattch"`
	Owner             // uid, gid, cuid, cgid
	ATime  *time.Time `json:"atime"`
	DTime  *time.Time `json:"dtime"`
	CTime  *time.Time `json:"ctime"`
	RSS    uint64     `json:"rss"`
	Swap   uint64     `json:"swap"`
}

// MsgQueues reads /proc/sysvipc/msg: every queue of the IPC namespace, whatever its permissions.
func MsgQueues() ([]MsgQueue, error) { return readTable(filepath.Join(ProcDir, "msg"), ParseMsgQueues) }

// SemSets reads /proc/sysvipc/sem.
func SemSets() ([]SemSet, error) { return readTable(filepath.Join(ProcDir, "sem"), ParseSemSets) }

// ShmSegs reads /proc/sysvipc/shm.
func ShmSegs() ([]ShmSeg, error) { return readTable(filepath.Join(ProcDir, "shm"), ParseShmSegs) }

func readTable[T any](path string, parse func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// ParseMsgQueues parses the text of /proc/sysvipc/msg.
func ParseMsgQueues(r io.Reader) ([]MsgQueue, error) {
	return parseTable(r, 14, func(f *fields) MsgQueue {
		return MsgQueue{
			Key: f.key(0), ID: ID(f.int(1)), Mode: f.octal(2), Bytes: f.uint(3), Msgs: f.uint(4),
			LSPID: int(f.int(5)), LRPID: int(f.int(6)), Owner: f.owner(7),
			STime: f.time(11), RTime: f.time(12), CTime: f.time(13),
		}
	})
}

// ParseSemSets parses the text of /proc/sysvipc/sem.
func ParseSemSets(r io.Reader) ([]SemSet, error) {
	return parseTable(r, 10, func(f *fields) SemSet {
		return SemSet{
			Key: f.key(0), ID: ID(f.int(1)), Mode: f.octal(2), NSems: int(f.int(3)), Owner: f.owner(4),
			OTime: f.time(8), CTime: f.time(9),
		}
	})
}

// ParseShmSegs parses the text of /proc/sysvipc/shm.
func ParseShmSegs(r io.Reader) ([]ShmSeg, error) {
	return parseTable(r, 16, func(f *fields) ShmSeg {
		s := ShmSeg{
			Key: f.key(0), ID: ID(f.int(1)), Mode: f.octal(2), Size: f.uint(3), CPID: int(f.int(4)),
			LPID: int(f.int(5)), NAttch: f.uint(6), Owner: f.owner(7),
			ATime: f.time(11), DTime: f.time(12), CTime: f.time(13),
		}
		if len(f.s) >= 16 {
			s.RSS, s.Swap = f.uint(14), f.uint(15)
		}
		return s
	})
}

// parseTable reads a /proc/sysvipc table: a header line, then one object per line with at least
// min whitespace-separated fields.
func parseTable[T any](r io.Reader, min int, row func(*fields) T) ([]T, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	rows := []T{}
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue // header
		}
		f := fields{s: strings.Fields(sc.Text())}
		if len(f.s) == 0 {
			continue
		}
		if len(f.s) < min {
			return nil, fmt.Errorf("line %d: %d fields, want %d", line+1, len(f.s), min)
		}
		r := row(&f)
		if f.err != nil {
			return nil, fmt.Errorf("line %d: %w", line+1, f.err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// fields converts the columns of one line, remembering the first error.
type fields struct {
	s   []string
	err error
}

func (f *fields) parse(i int, base, bits int, signed bool) uint64 {
	var v uint64
	var err error
	if signed {
		var n int64
		n, err = strconv.ParseInt(f.s[i], base, bits)
		v = uint64(n)
	} else {
		v, err = strconv.ParseUint(f.s[i], base, bits)
	}
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("field %d %q: %w", i+1, f.s[i], err)
	}
	return v
}

func (f *fields) int(i int) int64    { return int64(f.parse(i, 10, 64, true)) }
func (f *fields) uint(i int) uint64  { return f.parse(i, 10, 64, false) }
func (f *fields) octal(i int) uint32 { return uint32(f.parse(i, 8, 32, false)) }

// key reads a key, which the kernel prints as a signed decimal int.
func (f *fields) key(i int) Key { return Key(int32(f.parse(i, 10, 32, true))) }

func (f *fields) time(i int) *time.Time { return Time(f.int(i)) }

func (f *fields) owner(i int) Owner {
	return Owner{UID: uint32(f.uint(i)), GID: uint32(f.uint(i + 1)), CUID: uint32(f.uint(i + 2)), CGID: uint32(f.uint(i + 3))}
}
