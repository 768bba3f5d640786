//go:build linux

// Package msgio moves messages between message queues and byte streams without losing one.
//
// A Splitter cuts an input stream into messages (lines, NUL-terminated records, or the whole input).
// A Sink writes received messages to an output and guarantees that each one is either written out
// or handed back to a put-back function, which returns it to its queue. Every message is written
// with one write(2) before the next is taken, whatever the output, so a receiver killed by SIGKILL
// loses at most the one message it holds between taking and writing it. By kind of output:
//
//   - A pipe or FIFO: the next message is written only after the reader has drained the previous
//     one (FIONREAD reads 0), so `ipcx mq recv --follow /q | head -1` takes one message off the
//     queue, not a pipe-buffer full. While a written message still sits unread in the pipe, it is
//     "in flight": if the reader goes away before reading it (the pipe reports POLLERR), it is put
//     back. The one window that remains is a reader that reads a message and exits without using
//     it: the bytes left the pipe, and nothing can tell whether they were used.
//   - A socket (stream or seqpacket): the same, with SIOCOUTQ (bytes the peer has not taken) in
//     the role of FIONREAD; a peer that closes with the message unread leaves ECONNRESET.
//   - A terminal: written at once; a hang-up (EIO, POLLHUP) is the reader going away.
//   - A regular file: written at once; a write that fails part-way (disk full) is cut off again
//     with ftruncate(2), so the file ends in whole records, and the message is put back.
//   - Another device (/dev/null, /dev/full): written at once.
//
// Watch ends a follower's wait when its reader goes away (`| head -1` with nothing more coming),
// and Reclaim puts back, on a signal, what the reader has not read.
package msgio

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
	"unsafe"

	"github.com/ipcx/ipcx/internal/progress"
	"golang.org/x/sys/unix"
)

// Splitter reads messages from r separated by a delimiter, or the whole input as one message.
type Splitter struct {
	r     *bufio.Reader
	delim byte
	whole bool
	done  bool
	buf   []byte
}

// NewSplitter returns a splitter that cuts r at delim; with whole, the entire input is one message.
func NewSplitter(r io.Reader, delim byte, whole bool) *Splitter {
	return &Splitter{r: bufio.NewReaderSize(r, 64<<10), delim: delim, whole: whole}
}

// Next returns the next message without its delimiter, valid until the following call, or io.EOF.
// A last record without a delimiter is a message; an input that ends with a delimiter has no empty
// message after it. With whole, an empty input is one empty message.
func (s *Splitter) Next() ([]byte, error) {
	if s.done {
		return nil, io.EOF
	}
	if s.whole {
		s.done = true
		b, err := io.ReadAll(s.r)
		return b, err
	}
	line, err := s.r.ReadSlice(s.delim)
	if err == nil {
		return line[:len(line)-1], nil
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		s.buf = append(s.buf[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = s.r.ReadSlice(s.delim)
			s.buf = append(s.buf, line...)
		}
		if err == nil {
			return s.buf[:len(s.buf)-1], nil
		}
		line = s.buf
	}
	if errors.Is(err, io.EOF) {
		s.done = true
		if len(line) == 0 {
			return nil, io.EOF
		}
		return line, nil
	}
	return nil, err
}

// Message is a received message and what it takes to put it back where it came from.
type Message struct {
	Data []byte
	Prio uint  // POSIX priority
	Type int64 // System V type
}

// ErrOutputClosed is returned (wrapped) when the reader of a pipe went away.
var ErrOutputClosed = errors.New("output closed")

// PutBackError reports a failed output after which messages were put back.
type PutBackError struct {
	Err     error // why the output failed
	PutBack int   // messages returned to the queue
	Lost    int   // messages that could not be put back (LostErr says why)
	LostErr error
	SavedTo []string // where the messages that could not be put back were saved (see Sink.Save)
}

func (e *PutBackError) Error() string {
	s := e.Err.Error()
	if e.PutBack > 0 {
		s += "; " + plural(e.PutBack, "message") + " put back"
	}
	if e.Lost > 0 {
		s += "; " + plural(e.Lost, "message") + " could not be put back (" + e.LostErr.Error() + ")"
		if len(e.SavedTo) > 0 {
			s += ": saved in " + strings.Join(e.SavedTo, ", ")
		}
	}
	return s
}

func (e *PutBackError) Unwrap() error { return e.Err }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

type outKind int

const (
	outDirect outKind = iota // another writer (tests): write each message at once
	outPipe                  // pipe or FIFO: pace on FIONREAD, track the message in flight
	outSocket                // socket: pace on SIOCOUTQ, track the message in flight
	outTTY                   // terminal: write each message at once; a hang-up ends the output
	outFile                  // regular file: write each message at once; a torn record is cut off
	outDevice                // another character device (/dev/null, /dev/full): write at once
)

func (k outKind) String() string {
	return [...]string{"direct", "pipe", "socket", "tty", "file", "device"}[k]
}

// Sink writes encoded messages to an output file.
//
// Every message is written with one write(2) before the next is taken off its queue: a receiver
// killed by SIGKILL loses at most the one message it holds between taking and writing it. (An
// earlier version batched 64 KiB for files and devices, and lost a batch.)
type Sink struct {
	f       *os.File  // the output, when it is a file (nil for another writer)
	w       io.Writer // the output
	kind    outKind
	direct  int  // the descriptor written with write(2) itself, -1 for w.Write (see direct)
	raw     bool // direct writes cannot block (a memory device: /dev/null, /dev/full, /dev/zero)
	encode  func(dst []byte, m Message) []byte
	putBack func(Message) error

	buf     []byte    // the encoded message being written
	pending []pending // messages in flight in a pipe or socket
	arena   []byte    // the pending messages' payloads, one after the other
	inBytes int       // encoded bytes of the pending messages

	meter *progress.Meter // counts each message written (CountTo); nil: none
}

// pending is a message kept until its bytes are known to be read, to put it back otherwise. Its
// payload is arena[start:stop]: one buffer for all, not an allocation per message.
type pending struct {
	start, stop int
	prio        uint
	typ         int64
	size        int // encoded bytes
}

// keep records m as pending, copying its payload into the arena.
func (s *Sink) keep(m Message, size int) {
	start := len(s.arena)
	s.arena = append(s.arena, m.Data...)
	s.pending = append(s.pending, pending{start: start, stop: len(s.arena), prio: m.Prio, typ: m.Type, size: size})
	s.inBytes += size
}

// settle forgets the pending messages: they are out.
func (s *Sink) settle() { s.pending, s.arena, s.inBytes = s.pending[:0], s.arena[:0], 0 }

// NewSink returns a sink writing to f. encode appends a message's output form (payload and
// delimiter, or a JSON line) to dst. putBack returns a message to its queue.
func NewSink(f *os.File, encode func(dst []byte, m Message) []byte, putBack func(Message) error) *Sink {
	s := &Sink{f: f, w: f, kind: kindOf(f), encode: encode, putBack: putBack, direct: -1}
	s.direct, s.raw = direct(f, s.kind)
	return s
}

// direct says whether the sink writes to f with write(2) itself, bypassing *os.File, and whether
// those writes can be made without telling the Go scheduler: for a regular file or a device
// (not a pipe, socket or terminal, which are paced or watched) in blocking mode; an os.File costs
// a lock and a loop around each write. A memory device (major 1: /dev/null, /dev/zero, /dev/full)
// never blocks a write.
func direct(f *os.File, kind outKind) (fd int, raw bool) {
	if kind != outFile && kind != outDevice {
		return -1, false
	}
	fd = int(f.Fd())
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK != 0 {
		return -1, false
	}
	var st unix.Stat_t
	if kind == outDevice && unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR && unix.Major(st.Rdev) == 1 {
		raw = true
	}
	return fd, raw
}

// write writes b with write(2) to the sink's descriptor, all of it unless it fails: how many
// bytes were written, and the error.
func (s *Sink) write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		p := unsafe.Pointer(&b[done])
		var r uintptr
		var e unix.Errno
		if s.raw {
			r, _, e = unix.RawSyscall(unix.SYS_WRITE, uintptr(s.direct), uintptr(p), uintptr(len(b)-done))
		} else {
			r, _, e = unix.Syscall(unix.SYS_WRITE, uintptr(s.direct), uintptr(p), uintptr(len(b)-done))
		}
		switch {
		case e == unix.EINTR:
			continue
		case e != 0:
			return done, &os.PathError{Op: "write", Path: s.f.Name(), Err: e}
		case r == 0:
			return done, &os.PathError{Op: "write", Path: s.f.Name(), Err: io.ErrUnexpectedEOF}
		}
		done += int(r)
	}
	runtime.KeepAlive(s.f)
	return done, nil
}

// kindOf says how the output f is paced, from its file type.
func kindOf(f *os.File) outKind {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return outDevice
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return outPipe
	case unix.S_IFSOCK:
		return outSocket
	case unix.S_IFREG:
		return outFile
	case unix.S_IFCHR:
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			return outTTY
		}
	}
	return outDevice
}

// NewWriterSink is NewSink for any writer: a *os.File is paced as NewSink does; another writer (a
// buffer in tests) has each message written at once.
func NewWriterSink(w io.Writer, encode func(dst []byte, m Message) []byte, putBack func(Message) error) *Sink {
	if f, ok := w.(*os.File); ok {
		return NewSink(f, encode, putBack)
	}
	return &Sink{w: w, encode: encode, putBack: putBack, direct: -1}
}

// CountTo counts each message written into m (its payload's bytes), for a progress display.
func (s *Sink) CountTo(m *progress.Meter) { s.meter = m }

// File is the output file (nil for another writer).
func (s *Sink) File() *os.File { return s.f }

// Kind names the kind of output the sink paces for: pipe, socket, tty, file, device or direct.
func (s *Sink) Kind() string { return s.kind.String() }

// readySpins is how many times Ready yields the CPU before it sleeps.
const readySpins = 50

// unread is how many bytes written to a pipe or socket its reader has not read yet: FIONREAD on a
// pipe, SIOCOUTQ (bytes not yet taken by the peer) on a socket.
func (s *Sink) unread() (int, error) {
	req := uint(unix.TIOCINQ) // FIONREAD
	if s.kind == outSocket {
		req = unix.SIOCOUTQ
	}
	return unix.IoctlGetInt(int(s.f.Fd()), req)
}

// gone reports whether the reader of the output went away: POLLERR on a pipe without readers,
// POLLHUP on a socket whose peer closed or a terminal hung up.
func (s *Sink) gone() bool {
	if s.f == nil || s.kind == outFile || s.kind == outDevice {
		return false
	}
	pfd := []unix.PollFd{{Fd: int32(s.f.Fd())}}
	n, err := unix.Poll(pfd, 0)
	return err == nil && n > 0 && pfd[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}

// Ready waits until the output can take the next message: for a pipe or a socket, until the
// reader has read everything written so far. If the reader goes away first (also when ctx ends
// with cause ErrOutputClosed, see Watch), the messages in flight are put back and the error wraps
// ErrOutputClosed. Another end of ctx ends the wait with ctx's error; in-flight messages stay in
// flight, to be settled by Close or Reclaim.
func (s *Sink) Ready(ctx context.Context) error {
	if (s.kind == outPipe || s.kind == outSocket) && len(s.pending) > 0 {
		if err := s.drained(ctx); err != nil {
			return err
		}
	}
	if s.gone() {
		return s.failed(ErrOutputClosed)
	}
	return nil
}

// drained waits until the reader has read the messages in flight, and settles them.
func (s *Sink) drained(ctx context.Context) error {
	wait := 50 * time.Microsecond
	for spin := 0; ; spin++ {
		n, err := s.unread()
		if err != nil {
			return err
		}
		if n == 0 {
			// A socket's peer that closes with the message unread frees it (SIOCOUTQ reads 0
			// then too) and leaves ECONNRESET on this end: the message was not read.
			if s.kind == outSocket && s.reset() {
				return s.failed(ErrOutputClosed)
			}
			s.settle() // read by the reader
			return nil
		}
		// A reader that keeps up (cat, a shell loop's read) takes the message within a few
		// microseconds once it runs: yield the CPU to it a few times before sleeping on a timer,
		// whose wake-up alone costs more than the read.
		if spin < readySpins {
			unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
			continue
		}
		if s.kind == outPipe && s.gone() {
			return s.readerGone()
		}
		select {
		case <-ctx.Done():
			if Closed(ctx) {
				return s.readerGone()
			}
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 20*time.Millisecond)
	}
}

// readerGone puts back the messages in flight when the reader went away: those whose bytes are
// still in the pipe, or that the socket's peer left unread (ECONNRESET), were not read. The
// unread count is taken again here, after the reader is known to be gone: a reader that read the
// last message and then exited (`| head -1`, a loop that stops after a line) read it, and putting
// it back would deliver it twice.
func (s *Sink) readerGone() error {
	if n, err := s.unread(); err == nil && n == 0 && (s.kind == outPipe || !s.reset()) {
		s.settle()
	}
	return s.failed(ErrOutputClosed)
}

// reset reports whether the socket's peer went away with data unread (SO_ERROR is ECONNRESET).
func (s *Sink) reset() bool {
	if !s.gone() {
		return false
	}
	e, err := unix.GetsockoptInt(int(s.f.Fd()), unix.SOL_SOCKET, unix.SO_ERROR)
	return err == nil && e == int(unix.ECONNRESET)
}

// Write writes m with one write(2). On a failed write m is put back and a *PutBackError is
// returned; in a regular file, the part of its record that was written is cut off again, so the
// file ends in whole records.
func (s *Sink) Write(m Message) error {
	s.buf = s.encode(s.buf[:0], m)
	var n int
	var err error
	if s.direct >= 0 {
		n, err = s.write(s.buf)
	} else {
		n, err = s.w.Write(s.buf)
	}
	if err != nil {
		// A message not written whole is put back; a reader may have seen its first n bytes.
		if s.kind == outFile && n > 0 {
			s.cut(n)
		}
		s.keep(m, len(s.buf))
		return s.failed(s.outputErr(err))
	}
	if s.kind == outPipe || s.kind == outSocket {
		s.keep(m, len(s.buf))
	}
	s.meter.AddMessage(len(m.Data))
	return nil
}

// offset is the file offset of the output, -1 when unknown.
func (s *Sink) offset() int64 {
	off, err := unix.Seek(int(s.f.Fd()), 0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	return off
}

// cut removes the n bytes of a torn record just written at the end of the output file: they end
// where the file offset now is, also with O_APPEND (where the record started at the old end of
// file, wherever the offset was before). Nothing is cut unless the offset is the end of the file.
// (No offset is taken before each write: that was a system call per message, and a fresh
// O_APPEND descriptor's offset, 0, made the cut empty the file.)
func (s *Sink) cut(n int) {
	after := s.offset()
	var st unix.Stat_t
	if after < int64(n) || unix.Fstat(int(s.f.Fd()), &st) != nil || st.Size != after {
		return // not the end of the file: another writer, or the record was written in the middle
	}
	start := after - int64(n)
	if unix.Ftruncate(int(s.f.Fd()), start) == nil {
		unix.Seek(int(s.f.Fd()), start, io.SeekStart)
	}
}

// Flush is kept for callers of the batching sink: every message is written at once, so there is
// nothing to flush.
func (s *Sink) Flush() error { return nil }

// Close waits, for a pipe or a socket, until the reader has read the last messages (putting them
// back if it goes away instead). ctx bounds the wait; when it ends first, the messages still
// unread are reclaimed (see Reclaim).
func (s *Sink) Close(ctx context.Context) error {
	err := s.Ready(ctx)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrOutputClosed) {
		return s.Reclaim()
	}
	return err
}

// Reclaim puts back the messages in flight that the reader has not read, for a receiver that must
// stop now (a signal): what FIONREAD or SIOCOUTQ says is still unread. From a pipe or FIFO the
// unread bytes are first taken out again (through a read end opened on /proc/self/fd), so the
// reader never sees a message that is back on its queue (a message the reader has begun to read
// is left to it, whole); the bytes of a socket cannot be taken back, and its peer may still read
// a message that was put back. It returns nil when nothing was unread, else a *PutBackError whose
// Err is ErrInterrupted.
func (s *Sink) Reclaim() error {
	if len(s.pending) == 0 {
		return nil
	}
	n, err := s.unread()
	if err != nil || n == 0 {
		s.settle()
		return nil
	}
	if s.kind == outPipe {
		// With pacing, one message is in flight. A reader that has begun to read it (fewer bytes
		// unread than were written) gets the rest: taking the tail back would leave it a torn
		// record and the message twice. Else the bytes are taken out; when none are left to
		// take, the reader read the message meanwhile, and it is out. (More bytes than were
		// written: another writer shares the FIFO, and nothing is taken.)
		if n < s.inBytes || n == s.inBytes && s.drain(n) == 0 {
			s.settle()
			return nil
		}
	}
	return s.failed(ErrInterrupted)
}

// ErrInterrupted is the cause of a *PutBackError from Reclaim: the receiver was stopped while a
// message was unread.
var ErrInterrupted = errors.New("interrupted before the reader read it")

// drain reads back up to n unread bytes from the pipe the sink writes to, and returns how many it
// took (-1 when it could not open the pipe for reading).
func (s *Sink) drain(n int) int {
	fd, err := unix.Open("/proc/self/fd/"+itoa(int(s.f.Fd())), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	defer unix.Close(fd)
	buf := make([]byte, n)
	taken := 0
	for taken < n {
		k, err := unix.Read(fd, buf[:n-taken])
		if err != nil || k <= 0 {
			break
		}
		taken += k
	}
	return taken
}

// Save writes m, which could not be put back, as it would have been written out, to a new file in
// $TMPDIR, and returns its path: a message taken is never dropped silently.
func (s *Sink) Save(m Message) (string, error) {
	f, err := os.CreateTemp("", "ipcx-putback-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(s.encode(nil, m))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// failed puts back every pending message.
func (s *Sink) failed(cause error) error {
	e := &PutBackError{Err: cause}
	for _, p := range s.pending {
		m := Message{Data: s.arena[p.start:p.stop], Prio: p.prio, Type: p.typ}
		if err := s.putBack(m); err != nil {
			e.Lost++
			e.LostErr = err
			if path, err := s.Save(m); err == nil {
				e.SavedTo = append(e.SavedTo, path)
			}
			continue
		}
		e.PutBack++
	}
	s.buf = s.buf[:0]
	s.settle()
	return e
}

// outputErr says which write errors mean the reader went away: EPIPE (a pipe or a socket), a
// reset connection, EIO from a terminal that was hung up.
func (s *Sink) outputErr(err error) error {
	if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) || s.kind == outTTY && errors.Is(err, unix.EIO) {
		return ErrOutputClosed
	}
	return err
}
