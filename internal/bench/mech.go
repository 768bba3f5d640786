//go:build linux

package bench

import (
	"errors"
	"os"
	"strings"
)

// errPeerGone ends a loop whose other end has ended (or whose run was stopped): the run says
// which from the child's exit status.
var errPeerGone = errors.New("the other end is gone")

// end is one process's side of a mechanism: it sends and receives messages of len(b) bytes
// (for a mechanism that carries no data or a fixed value, b is what the run passes and may be
// ignored). Neither allocates.
type end interface {
	send(b []byte, seq uint64) error
	recv(b []byte, seq uint64) error
	close()
}

// spec is what the echoing process needs to open its end: it travels as JSON in the environment.
type spec struct {
	Mech      string   `json:"mech"`
	Size      int      `json:"size"`
	CPU       int      `json:"cpu"` // -1: not pinned
	ParentPid int      `json:"ppid"`
	ParentTid int      `json:"ptid"`
	Names     []string `json:"names,omitempty"` // paths and object names
	ID        int      `json:"id,omitempty"`    // a System V identifier
	Port      int      `json:"port,omitempty"`  // the parent's port
	Slots     int      `json:"slots,omitempty"` // shm: messages per ring
	Files     int      `json:"files,omitempty"` // descriptors passed from 4 on
}

// half is the measuring process's side while a run is set up and after.
type half interface {
	// files are the descriptors given to the child, from fd 4 on; the parent closes its copies
	// once the child has started.
	files() []*os.File
	// connect finishes the parent's end once the child is ready, with what the child reported.
	connect(info int64) (end, error)
	// abort unblocks the parent's end after the child ended.
	abort()
	// cleanup removes every object the run made; it may run twice.
	cleanup()
}

// kind is what a mechanism carries.
type kind int

const (
	carriesData  kind = iota // --size bytes
	carriesValue             // a fixed 8-byte value (signal, eventfd)
	carriesNone              // nothing (semaphores)
)

// mechanism is one way for two processes to talk.
type mechanism struct {
	name   string
	about  string
	kind   kind
	stream bool // throughput runs are made
	// limit is the largest message and what sets it (0: --size is not limited here).
	limit func() (int, string)
	// start makes the objects in the parent and fills sp for the child.
	start func(sp *spec, g *gone) (half, error)
	// child opens the child's end; info goes back to the parent in the ready message.
	child func(sp *spec, files []*os.File) (end, int64, error)
	// lossy: a datagram may be dropped; the stream counts what arrives (udp).
	lossy bool
	// fds: the ends' calls take descriptors, so each end's timed loops run on a thread with a
	// descriptor table of its own (onOwnThread). The others stay on the locked thread: signal's
	// ends wait for a signal sent to that very thread.
	fds bool
}

// loop runs fn, an end's timed loop, where m's loops run (see fds): on a new thread pinned to
// cpu (when cpu >= 0) or on the calling one, locked and already pinned. It returns fn's error and
// the CPU the loop ended on.
func (m *mechanism) loop(cpu int, fn func() error) (int, error) {
	ran := -1
	run := func() error {
		defer func() { ran = getcpu() }()
		return fn()
	}
	if !m.fds {
		return ran, run()
	}
	err := onOwnThread(cpu, run)
	return ran, err
}

func mechanismByName(name string) *mechanism {
	for _, m := range mechanisms() {
		if m.name == name {
			return m
		}
	}
	return nil
}

// Mechanisms are the names ipcx bench measures, in the order they run.
func Mechanisms() []string {
	var names []string
	for _, m := range mechanisms() {
		names = append(names, m.name)
	}
	return names
}

// MechanismHelp is one line per mechanism for --help.
func MechanismHelp() string {
	var b strings.Builder
	for _, m := range mechanisms() {
		b.WriteString("  " + m.name + strings.Repeat(" ", max(1, 16-len(m.name))) + m.about + "\n")
	}
	return b.String()
}

// stamp writes seq into the message so that the receiver can check it got that message.
func stamp(b []byte, seq uint64) {
	if len(b) >= 8 {
		b[0], b[1], b[2], b[3] = byte(seq), byte(seq>>8), byte(seq>>16), byte(seq>>24)
		b[4], b[5], b[6], b[7] = byte(seq>>32), byte(seq>>40), byte(seq>>48), byte(seq>>56)
	} else if len(b) > 0 {
		b[0] = byte(seq)
	}
}

// stamped reads the sequence number stamp wrote (its low byte for messages under 8 bytes).
func stamped(b []byte) uint64 {
	if len(b) >= 8 {
		return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	}
	if len(b) > 0 {
		return uint64(b[0])
	}
	return 0
}

// seqOK says whether b holds seq as stamp wrote it.
func seqOK(b []byte, seq uint64) bool {
	if len(b) >= 8 {
		return stamped(b) == seq
	}
	if len(b) > 0 {
		return b[0] == byte(seq)
	}
	return true
}

// errWrongMessage: a message came out of order or corrupted.
var errWrongMessage = errors.New("a message arrived out of order or changed")
