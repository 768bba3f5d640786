//go:build linux

package inventory

import (
	"os"
	"strconv"
	"strings"
)

// Limit is one kernel limit on IPC objects with its current use where the kernel's state gives one.
type Limit struct {
	Name   string // the kernel's name: msgmni, shmall, queues_max, pipe-max-size…
	Source string // where it is read from (or "kernel constant")
	What   string // what it limits, in words
	Value  uint64 // 0 when it could not be read (Known false)
	Known  bool
	Unit   string // queues, bytes, pages, semaphores, sets, segments, operations, messages
	Use    *int64 // the current use, nil when there is no meaningful one
	// UseOf says what Use counts.
	UseOf string
	// Global is set for the limits on the namespace's total (the number of objects, all pages or
	// semaphores): the ones that run out. The others bound one object and Use is its largest.
	Global bool

	raw int64
}

// Percent is Use as a percentage of Value, or -1 when there is no use or no limit.
func (l Limit) Percent() float64 {
	if l.Use == nil || !l.Known || l.Value == 0 {
		return -1
	}
	return float64(*l.Use) * 100 / float64(l.Value)
}

const pipeBuf = 4096 // PIPE_BUF on Linux

// Limits reads every System V, POSIX mqueue and pipe limit of the namespace with the current use
// computed from inv (a listing of all objects of the namespace, without filters; QueueAttrs for
// the POSIX queue sizes). Call it inside ns.Do: the System V and mqueue sysctls are per namespace.
func Limits(inv *Inventory) []Limit {
	var nMsg, nShm, nSem, nMQ, semTotal, semMax, shmMax, shmPages, msgMaxBytes, mqMaxMsg, mqMaxSize int64
	page := int64(os.Getpagesize())
	for _, o := range inv.Objects {
		switch {
		case o.Flavor == SysV && o.Kind == MQ:
			nMsg++
			msgMaxBytes = max(msgMaxBytes, o.Size)
		case o.Flavor == SysV && o.Kind == Shm:
			nShm++
			shmMax = max(shmMax, o.Size)
			shmPages += (o.Size + page - 1) / page
		case o.Flavor == SysV && o.Kind == Sem:
			nSem++
			semTotal += o.Size
			semMax = max(semMax, o.Size)
		case o.Flavor == POSIX && o.Kind == MQ:
			nMQ++
			mqMaxMsg = max(mqMaxMsg, o.MaxMsg)
			mqMaxSize = max(mqMaxSize, o.MsgSize)
		}
	}
	use := func(n int64) *int64 { return &n }
	sem := readInts("/proc/sys/kernel/sem", 4) // semmsl semmns semopm semmni
	k := func(name string) int64 { return readInt("/proc/sys/kernel/" + name) }
	mq := func(name string) int64 { return readInt("/proc/sys/fs/mqueue/" + name) }
	out := []Limit{
		{Name: "msgmni", Global: true, Source: "/proc/sys/kernel/msgmni", What: "System V message queues", raw: k("msgmni"), Unit: "queues", Use: use(nMsg), UseOf: "queues"},
		{Name: "msgmax", Source: "/proc/sys/kernel/msgmax", What: "bytes in one System V message", raw: k("msgmax"), Unit: "bytes"},
		{Name: "msgmnb", Source: "/proc/sys/kernel/msgmnb", What: "default bytes on one System V queue", raw: k("msgmnb"), Unit: "bytes", Use: use(msgMaxBytes), UseOf: "bytes on the fullest queue"},
		{Name: "shmmax", Source: "/proc/sys/kernel/shmmax", What: "bytes in one System V segment", raw: k("shmmax"), Unit: "bytes", Use: use(shmMax), UseOf: "largest segment"},
		{Name: "shmall", Global: true, Source: "/proc/sys/kernel/shmall", What: "pages of System V shared memory in all", raw: k("shmall"), Unit: "pages", Use: use(shmPages), UseOf: "pages of all segments"},
		{Name: "shmmni", Global: true, Source: "/proc/sys/kernel/shmmni", What: "System V shared memory segments", raw: k("shmmni"), Unit: "segments", Use: use(nShm), UseOf: "segments"},
		{Name: "semmsl", Source: "/proc/sys/kernel/sem", What: "semaphores in one System V set", raw: sem[0], Unit: "semaphores", Use: use(semMax), UseOf: "largest set"},
		{Name: "semmns", Global: true, Source: "/proc/sys/kernel/sem", What: "System V semaphores in all", raw: sem[1], Unit: "semaphores", Use: use(semTotal), UseOf: "semaphores of all sets"},
		{Name: "semopm", Source: "/proc/sys/kernel/sem", What: "operations in one semop call", raw: sem[2], Unit: "operations"},
		{Name: "semmni", Global: true, Source: "/proc/sys/kernel/sem", What: "System V semaphore sets", raw: sem[3], Unit: "sets", Use: use(nSem), UseOf: "sets"},
		{Name: "semvmx", Source: "kernel constant", What: "value of one System V semaphore", raw: 32767, Unit: "value"},
		{Name: "queues_max", Global: true, Source: "/proc/sys/fs/mqueue/queues_max", What: "POSIX message queues (root is exempt)", raw: mq("queues_max"), Unit: "queues", Use: use(nMQ), UseOf: "queues"},
		{Name: "msg_max", Source: "/proc/sys/fs/mqueue/msg_max", What: "mq_maxmsg of a POSIX queue (unprivileged)", raw: mq("msg_max"), Unit: "messages", Use: use(mqMaxMsg), UseOf: "largest mq_maxmsg"},
		{Name: "msgsize_max", Source: "/proc/sys/fs/mqueue/msgsize_max", What: "mq_msgsize of a POSIX queue (unprivileged)", raw: mq("msgsize_max"), Unit: "bytes", Use: use(mqMaxSize), UseOf: "largest mq_msgsize"},
		{Name: "msg_default", Source: "/proc/sys/fs/mqueue/msg_default", What: "default mq_maxmsg", raw: mq("msg_default"), Unit: "messages"},
		{Name: "msgsize_default", Source: "/proc/sys/fs/mqueue/msgsize_default", What: "default mq_msgsize", raw: mq("msgsize_default"), Unit: "bytes"},
		{Name: "PIPE_BUF", Source: "kernel constant", What: "bytes a pipe writes atomically", raw: pipeBuf, Unit: "bytes"},
		{Name: "pipe-max-size", Source: "/proc/sys/fs/pipe-max-size", What: "capacity an unprivileged user may give a pipe", raw: readInt("/proc/sys/fs/pipe-max-size"), Unit: "bytes"},
		{Name: "pipe-user-pages-soft", Source: "/proc/sys/fs/pipe-user-pages-soft", What: "pipe pages per user before pipes shrink to one page", raw: readInt("/proc/sys/fs/pipe-user-pages-soft"), Unit: "pages"},
	}
	for i := range out {
		out[i].Value, out[i].Known = lim(out[i].raw)
	}
	return out
}

// readInt reads a sysctl; shmmax and shmall go beyond int64, hence uint64.
func readInt(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return -1
	}
	return int64(n) // reinterpreted by lim below
}

// lim makes a Limit's value from readInt's result (-1: unknown; values past int64 come back
// negative from the reinterpretation and are restored here, except -1 itself, ULONG_MAX, which
// the kernel never uses for these).
func lim(v int64) (uint64, bool) {
	if v == -1 {
		return 0, false
	}
	return uint64(v), true
}

func readInts(path string, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = -1
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for i, f := range strings.Fields(string(b)) {
		if i >= n {
			break
		}
		if v, err := strconv.ParseInt(f, 10, 64); err == nil {
			out[i] = v
		}
	}
	return out
}

// Limits lists the namespace (inside it) and returns its limits with their use (see Limits).
func (ns Namespace) Limits() ([]Limit, error) {
	var lims []Limit
	err := ns.Do(func() error {
		inv, err := ns.List(Options{QueueAttrs: true})
		if err != nil {
			return err
		}
		lims = Limits(inv)
		return nil
	})
	return lims, err
}
