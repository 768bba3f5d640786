//go:build linux

// Package msgio moves messages between message queues and byte streams without losing one.
//
// A Splitter cuts an input stream into messages (lines, NUL-terminated records, or the whole input).
// A Sink writes received messages to an output and guarantees that each one is either written out
// or handed back to a put-back function, which returns it to its queue:
//
//   - When the output is a pipe, the next message is written only after the reader has drained the
//     previous one (FIONREAD reads 0), so `ipcx mq recv --follow /q | head -1` takes one message off
//     the queue, not a pipe-buffer full. While a written message still sits unread in the pipe, it
//     is "in flight": if the reader goes away before reading it (the pipe reports an error), it is
//     put back. The one window that remains is a reader that reads a message and exits without
//     using it: the bytes left the pipe, and nothing can tell whether they were used.
//   - When the output is a regular file or a device such as /dev/null, messages are written in
//     batches for speed; a failed write (disk full) puts back every message of the batch that was not
//     written whole.
//   - On a terminal each message is written at once.
package msgio

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"time"

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
}

func (e *PutBackError) Error() string {
	s := e.Err.Error()
	if e.PutBack > 0 {
		s += "; " + plural(e.PutBack, "message") + " put back"
	}
	if e.Lost > 0 {
		s += "; " + plural(e.Lost, "message") + " could not be put back: " + e.LostErr.Error()
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
	outDirect outKind = iota // terminal or unknown: write each message at once
	outPipe                  // pace the reader, track in-flight messages
	outBatch                 // regular file or device: batch writes
)

// batchSize is how many bytes a batch holds before it is written.
const batchSize = 64 << 10

// Sink writes encoded messages to an output file.
type Sink struct {
	f       *os.File  // the output, when it is a file (nil for another writer)
	w       io.Writer // the output
	kind    outKind
	encode  func(dst []byte, m Message) []byte
	putBack func(Message) error

	buf     []byte    // encoded bytes not yet written (batch mode)
	pending []pending // messages whose bytes are in buf, or in flight in a pipe
	arena   []byte    // the pending messages' payloads, one after the other
}

// pending is a message kept until its bytes are known to be out, to put it back otherwise. Its
// payload is arena[start:stop]: one buffer for all, not an allocation per message.
type pending struct {
	start, stop int
	prio        uint
	typ         int64
	end         int // offset in buf just past the message's bytes (batch mode)
}

// keep records m as pending, copying its payload into the arena.
func (s *Sink) keep(m Message, end int) {
	start := len(s.arena)
	s.arena = append(s.arena, m.Data...)
	s.pending = append(s.pending, pending{start: start, stop: len(s.arena), prio: m.Prio, typ: m.Type, end: end})
}

// settle forgets the pending messages: they are out.
func (s *Sink) settle() { s.pending, s.arena = s.pending[:0], s.arena[:0] }

// NewSink returns a sink writing to f. encode appends a message's output form (payload and
// delimiter, or a JSON line) to dst. putBack returns a message to its queue.
func NewSink(f *os.File, encode func(dst []byte, m Message) []byte, putBack func(Message) error) *Sink {
	s := &Sink{f: f, w: f, encode: encode, putBack: putBack}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err == nil {
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFIFO:
			s.kind = outPipe
		case unix.S_IFREG:
			s.kind = outBatch
		case unix.S_IFCHR:
			if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
				s.kind = outBatch // /dev/null and friends
			}
		}
	}
	return s
}

// NewWriterSink is NewSink for any writer: a *os.File is paced or batched as NewSink does; another
// writer (a buffer in tests) has each message written at once.
func NewWriterSink(w io.Writer, encode func(dst []byte, m Message) []byte, putBack func(Message) error) *Sink {
	if f, ok := w.(*os.File); ok {
		return NewSink(f, encode, putBack)
	}
	return &Sink{w: w, encode: encode, putBack: putBack}
}

// Batching reports whether messages are collected and written in batches (a file or device), so
// that a receiver may wait a little for the next message before flushing.
func (s *Sink) Batching() bool { return s.kind == outBatch }

// readySpins is how many times Ready yields the CPU before it sleeps.
const readySpins = 50

// Ready waits until the output can take the next message: for a pipe, until the reader has read
// everything written so far. If the reader goes away first, the messages in flight are put back and
// the error wraps ErrOutputClosed. ctx ends the wait (its error is returned; in-flight messages stay
// in flight, to be settled by Close).
func (s *Sink) Ready(ctx context.Context) error {
	if s.kind != outPipe || len(s.pending) == 0 {
		return nil
	}
	fd := int(s.f.Fd())
	wait := 50 * time.Microsecond
	for spin := 0; ; spin++ {
		n, err := unix.IoctlGetInt(fd, unix.TIOCINQ) // FIONREAD
		if err != nil {
			return err
		}
		if n == 0 {
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
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if _, err := unix.Poll(pfd, 0); err == nil && pfd[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return s.failed(ErrOutputClosed, 0)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 20*time.Millisecond)
	}
}

// Write writes m (or, in batch mode, adds it to the batch). Data is copied when kept. On a failed
// write, every message not written whole is put back and a *PutBackError is returned.
func (s *Sink) Write(m Message) error {
	switch s.kind {
	case outBatch:
		s.buf = s.encode(s.buf, m)
		s.keep(m, len(s.buf))
		if len(s.buf) >= batchSize {
			return s.Flush()
		}
		return nil
	default:
		s.buf = s.encode(s.buf[:0], m)
		if _, err := s.w.Write(s.buf); err != nil {
			// A message not written whole is put back; a reader may have seen its first n bytes.
			s.keep(m, 0)
			return s.failed(outputErr(err), 0)
		}
		if s.kind == outPipe {
			s.keep(m, 0)
		}
		return nil
	}
}

// Flush writes a pending batch. In pipe mode it does nothing: in-flight messages are settled by
// Ready and Close.
func (s *Sink) Flush() error {
	if s.kind != outBatch || len(s.buf) == 0 {
		return nil
	}
	n, err := s.w.Write(s.buf)
	if err != nil {
		return s.failed(outputErr(err), n)
	}
	s.buf = s.buf[:0]
	s.settle()
	return nil
}

// Close flushes a batch, and for a pipe waits until the reader has read the last messages (putting
// them back if it goes away instead). ctx bounds the wait; when it ends first, the messages still
// in the pipe are left to the reader.
func (s *Sink) Close(ctx context.Context) error {
	if err := s.Flush(); err != nil {
		return err
	}
	if err := s.Ready(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// failed puts back every pending message not wholly within the first written bytes.
func (s *Sink) failed(cause error, written int) error {
	e := &PutBackError{Err: cause}
	for _, p := range s.pending {
		if s.kind == outBatch && p.end <= written {
			continue
		}
		m := Message{Data: s.arena[p.start:p.stop], Prio: p.prio, Type: p.typ}
		if err := s.putBack(m); err != nil {
			e.Lost++
			e.LostErr = err
			continue
		}
		e.PutBack++
	}
	s.buf = s.buf[:0]
	s.settle()
	return e
}

func outputErr(err error) error {
	if errors.Is(err, unix.EPIPE) {
		return ErrOutputClosed
	}
	return err
}
