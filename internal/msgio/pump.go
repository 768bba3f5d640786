//go:build linux

package msgio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrStopped is what a reader made by UntilDone returns once its context has ended.
var ErrStopped = errors.New("reading stopped")

// UntilDone returns a reader of r that stops reading (ErrStopped) once ctx ends, also in the
// middle of a read that waits for input: a sender interrupted by a signal reads nothing more from
// its standard input. r must be an *os.File to be stopped in a wait (poll(2) on it and an
// eventfd); another reader is stopped between reads. stop releases the eventfd.
func UntilDone(ctx context.Context, r io.Reader) (_ io.Reader, stop func()) {
	f, ok := r.(*os.File)
	if !ok {
		return &ctxReader{ctx: ctx, r: r}, func() {}
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return &ctxReader{ctx: ctx, r: r}, func() {}
	}
	after := context.AfterFunc(ctx, func() { unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0}) })
	return &pollReader{ctx: ctx, f: f, efd: efd}, func() { after(); unix.Close(efd) }
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, ErrStopped
	}
	return c.r.Read(p)
}

type pollReader struct {
	ctx context.Context
	f   *os.File
	efd int
}

func (p *pollReader) Read(b []byte) (int, error) {
	pfd := []unix.PollFd{{Fd: int32(p.f.Fd()), Events: unix.POLLIN}, {Fd: int32(p.efd), Events: unix.POLLIN}}
	for {
		if p.ctx.Err() != nil {
			return 0, ErrStopped
		}
		if _, err := unix.Poll(pfd, -1); err != nil && err != unix.EINTR {
			return 0, err
		}
		if pfd[1].Revents != 0 || p.ctx.Err() != nil {
			return 0, ErrStopped
		}
		if pfd[0].Revents != 0 {
			return p.f.Read(b)
		}
	}
}

// StoppedError is a Pump ended by its context (a signal): Sent messages went before, Unsent
// messages read from the input could not be sent in the grace time and were saved in SavedTo.
// It unwraps to the context's error.
type StoppedError struct {
	Err     error
	Sent    int
	Unsent  int
	SavedTo string
	SaveErr error // why they could not be saved, if so
}

func (e *StoppedError) Error() string { return e.Err.Error() + ": " + e.Note() }

// Note says what was sent and what was not: "3 messages sent; 1 message read from the input not
// sent, saved in /tmp/ipcx-unsent-123".
func (e *StoppedError) Note() string {
	s := plural(e.Sent, "message") + " sent"
	switch {
	case e.Unsent > 0 && e.SaveErr == nil:
		s += fmt.Sprintf("; %s read from the input not sent, saved in %s", plural(e.Unsent, "message"), e.SavedTo)
	case e.Unsent > 0:
		s += fmt.Sprintf("; %s read from the input lost: %v", plural(e.Unsent, "message"), e.SaveErr)
	}
	return s
}
func (e *StoppedError) Unwrap() error { return e.Err }

// ReadError is a failed read of the input.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// Pump cuts r into messages (see NewSplitter) and hands each to send, numbered from 0, until r
// ends (nil). It keeps a sender's promise when ctx ends (SIGTERM to a bridge `mq recv | mq send`):
// nothing more is read from r, but every complete message already read from it is still handed
// to send, whose context then ends grace after ctx; the messages send cannot take by then are
// written, each followed by delim, to a file in $TMPDIR. It then returns a *StoppedError. A
// failed read is a *ReadError; another error of send is returned as it is.
func Pump(ctx context.Context, r io.Reader, delim byte, whole bool, grace time.Duration,
	send func(ctx context.Context, i int, data []byte) error) error {
	in, stop := UntilDone(ctx, r)
	defer stop()
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })()
	sp := NewSplitter(in, delim, whole)
	for i := 0; ; i++ {
		data, err := sp.Next()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, ErrStopped):
			return &StoppedError{Err: ctx.Err(), Sent: i}
		case err != nil:
			return &ReadError{Err: err}
		}
		if err := send(sctx, i, data); err != nil {
			if ctx.Err() == nil {
				return err
			}
			// Interrupted, and the grace time is over: save what was read and not sent.
			unsent := [][]byte{append([]byte(nil), data...)}
			for {
				m, err := sp.Next()
				if err != nil {
					break
				}
				unsent = append(unsent, append([]byte(nil), m...))
			}
			e := &StoppedError{Err: ctx.Err(), Sent: i, Unsent: len(unsent)}
			e.SavedTo, e.SaveErr = save(unsent, delim)
			return e
		}
	}
}

// save writes msgs, each followed by delim, to a new file in $TMPDIR and returns its path.
func save(msgs [][]byte, delim byte) (string, error) {
	f, err := os.CreateTemp("", "ipcx-unsent-*")
	if err != nil {
		return "", err
	}
	for _, m := range msgs {
		if _, err := f.Write(append(m, delim)); err != nil {
			f.Close()
			return f.Name(), err
		}
	}
	return f.Name(), f.Close()
}
