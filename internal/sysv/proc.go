//go:build linux

package sysv

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
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
	UID  uint32
	GID  uint32
	CUID uint32
	CGID uint32
}

// MsgQueue is one line of /proc/sysvipc/msg, or a queue's IPC_STAT (MsgQueueOf), which also has
// QBytes.
type MsgQueue struct {
	Key    Key
	ID     ID
	Mode   uint32
	Bytes  uint64
	Msgs   uint64
	LSPID  int
	LRPID  int
	Owner  // uid, gid, cuid, cgid
	STime  *time.Time
	RTime  *time.Time
	CTime  *time.Time
	QBytes uint64 // the byte limit (msg_qbytes); 0 when read from /proc, which does not show it
}

// SemSet is one line of /proc/sysvipc/sem.
type SemSet struct {
	Key   Key
	ID    ID
	Mode  uint32
	NSems int
	Owner // uid, gid, cuid, cgid
	OTime *time.Time
	CTime *time.Time
}

// ShmSeg is one line of /proc/sysvipc/shm.
type ShmSeg struct {
	Key    Key
	ID     ID
	Mode   uint32
	Size   uint64
	CPID   int
	LPID   int
	NAttch uint64
	Owner  // uid, gid, cuid, cgid
	ATime  *time.Time
	DTime  *time.Time
	CTime  *time.Time
	RSS    uint64
	Swap   uint64
}

// MsgQueues reads /proc/sysvipc/msg: every queue of the IPC namespace, whatever its permissions.
func MsgQueues() ([]MsgQueue, error) { return readTable(filepath.Join(ProcDir, "msg"), ParseMsgQueues) }

// SemSets reads /proc/sysvipc/sem.
func SemSets() ([]SemSet, error) { return readTable(filepath.Join(ProcDir, "sem"), ParseSemSets) }

// ShmSegs reads /proc/sysvipc/shm.
func ShmSegs() ([]ShmSeg, error) { return readTable(filepath.Join(ProcDir, "shm"), ParseShmSegs) }

// readTable reads a /proc/sysvipc table in large reads: the kernel walks its table again for every
// read(2), so small reads make a long listing quadratic.
func readTable[T any](path string, parse func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := parse(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// ParseMsgQueues parses the text of /proc/sysvipc/msg.
func ParseMsgQueues(r io.Reader) ([]MsgQueue, error) {
	// key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
	return parseTable(r, 14, func(f *[maxFields]int64) MsgQueue {
		return MsgQueue{
			Key: Key(int32(f[0])), ID: ID(f[1]), Mode: uint32(f[2]), Bytes: uint64(f[3]), Msgs: uint64(f[4]),
			LSPID: int(f[5]), LRPID: int(f[6]), Owner: owner(f[7:11]),
			STime: Time(f[11]), RTime: Time(f[12]), CTime: Time(f[13]),
		}
	})
}

// ParseSemSets parses the text of /proc/sysvipc/sem.
func ParseSemSets(r io.Reader) ([]SemSet, error) {
	// key semid perms nsems uid gid cuid cgid otime ctime
	return parseTable(r, 10, func(f *[maxFields]int64) SemSet {
		return SemSet{
			Key: Key(int32(f[0])), ID: ID(f[1]), Mode: uint32(f[2]), NSems: int(f[3]), Owner: owner(f[4:8]),
			OTime: Time(f[8]), CTime: Time(f[9]),
		}
	})
}

// ParseShmSegs parses the text of /proc/sysvipc/shm.
func ParseShmSegs(r io.Reader) ([]ShmSeg, error) {
	// key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
	return parseTable(r, 14, func(f *[maxFields]int64) ShmSeg {
		return ShmSeg{
			Key: Key(int32(f[0])), ID: ID(f[1]), Mode: uint32(f[2]), Size: uint64(f[3]), CPID: int(f[4]),
			LPID: int(f[5]), NAttch: uint64(f[6]), Owner: owner(f[7:11]),
			ATime: Time(f[11]), DTime: Time(f[12]), CTime: Time(f[13]), RSS: uint64(f[14]), Swap: uint64(f[15]),
		}
	})
}

func owner(f []int64) Owner {
	return Owner{UID: uint32(f[0]), GID: uint32(f[1]), CUID: uint32(f[2]), CGID: uint32(f[3])}
}

// maxFields is the most columns a table has (shm, with rss and swap); later ones are ignored.
const maxFields = 16

// parseTable reads a /proc/sysvipc table: a header line, then one object per line with at least
// min fields, all numbers: the key signed decimal, the perms octal, the rest unsigned decimal. It
// scans the bytes itself, without a string per field: a listing of 20,000 objects is mostly this
// loop.
func parseTable[T any](r io.Reader, min int, row func(*[maxFields]int64) T) ([]T, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	rows := make([]T, 0, bytes.Count(text, []byte{'\n'}))
	for line := 1; len(text) > 0; line++ {
		var l []byte
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			l, text = text, nil
		}
		if line == 1 {
			continue // header
		}
		var f [maxFields]int64
		n := 0
		for {
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
			if n < maxFields {
				base := uint64(10)
				if n == 2 {
					base = 8
				}
				v, ok := parseInt(l[:j], base)
				if !ok || (v < 0 && n != 0) { // only the key is signed
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
		if n < min {
			return nil, fmt.Errorf("line %d: %d fields, want %d", line, n, min)
		}
		if f[0] < math.MinInt32 || f[0] > math.MaxInt32 || f[2] < 0 || f[2] > math.MaxUint32 {
			return nil, fmt.Errorf("line %d: key or perms out of range", line)
		}
		rows = append(rows, row(&f))
	}
	return rows, nil
}

// parseInt parses an optionally negative whole number in base 8 or 10 that fits in an int64.
func parseInt(b []byte, base uint64) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d := uint64(c - '0')
		if c < '0' || d >= base || v > (math.MaxInt64-d)/base {
			return 0, false
		}
		v = v*base + d
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// MsgMax returns the largest System V message the kernel takes (/proc/sys/kernel/msgmax), or
// Linux's default of 8192 when it cannot be read.
func MsgMax() int {
	b, err := os.ReadFile("/proc/sys/kernel/msgmax")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			return n
		}
	}
	return 8192
}
