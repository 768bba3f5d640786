package ipc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ipcx/ipcx/internal/msgio"
)

// ReceiveOptions say how ReceiveTo takes messages.
type ReceiveOptions struct {
	Count    int  // how many messages (without Follow)
	Follow   bool // receive until ctx ends
	NonBlock bool // never wait: ErrWouldBlock when the queue is empty
	// Wait bounds one wait for a message (a --timeout); nil waits as long as ctx allows.
	Wait func(ctx context.Context) (context.Context, context.CancelFunc)
	// AfterReceive, when set, runs between taking a message and writing it (a seam for tests of
	// the put-back path).
	AfterReceive func()
}

// RecvError is the error of a receive itself (not of writing the output): the queue was empty,
// the wait timed out, the queue was removed.
type RecvError struct{ Err error }

func (e *RecvError) Error() string { return e.Err.Error() }
func (e *RecvError) Unwrap() error { return e.Err }

// PutBackFailedError is an interruption between taking a message and writing it, when the
// message could not be put back.
type PutBackFailedError struct {
	Size    int // bytes of the message
	Err     error
	SavedTo string // where the message was saved instead ("" when it could not be)
}

func (e *PutBackFailedError) Error() string {
	if e.SavedTo != "" {
		return fmt.Sprintf("interrupted, and a message of %d bytes could not be put back (%v): saved in %s", e.Size, e.Err, e.SavedTo)
	}
	return fmt.Sprintf("interrupted, and a message of %d bytes could not be put back: %v", e.Size, e.Err)
}
func (e *PutBackFailedError) Unwrap() error { return e.Err }

// PutBack returns m to the queue, waiting at most 10 seconds for room: ErrStayedFull when the
// queue stayed full (refilled by other senders), ErrCannotPutBack without write permission.
func (q *Queue) PutBack(m msgio.Message) error {
	pctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return putBackErr(q.Send(pctx, m, false))
}

// InterruptedError is ctx's end (a signal) after which the messages the reader had not read were
// put back (Reclaimed, when there were any). It unwraps to ctx's error.
type InterruptedError struct {
	Err       error
	Reclaimed *msgio.PutBackError
}

func (e *InterruptedError) Error() string {
	if e.Reclaimed == nil {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Reclaimed.Error()
}
func (e *InterruptedError) Unwrap() error { return e.Err }

// ReceiveTo takes messages off q and writes them to sink (made with q.PutBack), keeping the
// sink's contract: a message is taken only when the output is ready for it, and one taken but not
// written (a failed write, or ctx ending in between) is put back. While it waits for a message it
// watches the output (msgio.Watch): when the reader goes away, it stops with a
// *msgio.PutBackError wrapping msgio.ErrOutputClosed, whatever is in flight put back. It returns
// how many messages were written and why it stopped early: a *RecvError, a *msgio.PutBackError,
// a *PutBackFailedError or an *InterruptedError (ctx's error). The sink is closed before it
// returns: when ctx ended, what the reader has not read is put back.
func (q *Queue) ReceiveTo(ctx context.Context, sink *msgio.Sink, o ReceiveOptions) (received int, err error) {
	buf := make([]byte, q.MaxRecv()+8)
	outer := ctx
	if f := sink.File(); f != nil {
		var stop func()
		ctx, stop = msgio.Watch(ctx, f)
		defer stop()
	}
	closed := func() error { return sink.Ready(ctx) } // puts back what is in flight
	finish := func(err error) (int, error) {
		if outer.Err() != nil {
			// Interrupted: what the reader has not read goes back now.
			ie := &InterruptedError{Err: outer.Err()}
			if rerr := sink.Reclaim(); rerr != nil {
				ie.Reclaimed, _ = rerr.(*msgio.PutBackError)
			}
			var pf *PutBackFailedError
			if errors.As(err, &pf) {
				return received, err
			}
			return received, ie
		}
		if msgio.Closed(ctx) {
			var pe *msgio.PutBackError
			if !errors.As(err, &pe) {
				err = closed()
			}
			return received, err
		}
		if cerr := sink.Close(ctx); cerr != nil && err == nil {
			err = cerr
		}
		return received, err
	}
	// A bounded wait (o.Wait) makes a context per message; without it, and without the test
	// seam, a message costs its receive and its write and no more.
	wait := func() (msgio.Message, error) {
		wctx, cancel := o.Wait(ctx)
		defer cancel()
		return q.Recv(wctx, buf, -1)
	}
	for o.Follow || received < o.Count {
		if err := sink.Ready(ctx); err != nil {
			return finish(err)
		}
		var m msgio.Message
		var err error
		switch {
		case o.NonBlock:
			m, err = q.Recv(ctx, buf, 0)
		case o.Wait != nil:
			m, err = wait()
		default:
			m, err = q.Recv(ctx, buf, -1)
		}
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return finish(err) // interrupted, or the output closed
			}
			return finish(&RecvError{Err: err})
		}
		if o.AfterReceive != nil {
			o.AfterReceive()
		}
		if ctx.Err() != nil {
			// Interrupted between taking the message and writing it: put it back.
			if perr := q.PutBack(m); perr != nil {
				saved, _ := sink.Save(m)
				return finish(&PutBackFailedError{Size: len(m.Data), Err: perr, SavedTo: saved})
			}
			return finish(ctx.Err())
		}
		if err := sink.Write(m); err != nil {
			return finish(err)
		}
		received++
	}
	return finish(nil)
}

// ReceivedMessage is the JSON form of a received message, as mq recv --json writes it: one
// object per line.
type ReceivedMessage struct {
	Queue    string `json:"queue"`
	Priority *uint  `json:"priority,omitempty"` // POSIX
	Type     *int64 `json:"type,omitempty"`     // System V
	Size     int    `json:"size"`
	Encoding string `json:"encoding"` // "text" (valid UTF-8) or "base64"
	Data     string `json:"data"`
}

// AppendJSON appends m, received from q (named name), as one JSON line.
func (q *Queue) AppendJSON(dst []byte, name string, m msgio.Message) []byte {
	r := ReceivedMessage{Queue: name, Size: len(m.Data)}
	if q.px != nil {
		r.Priority = &m.Prio
	} else {
		r.Type = &m.Type
	}
	if utf8.Valid(m.Data) {
		r.Encoding, r.Data = "text", string(m.Data)
	} else {
		r.Encoding, r.Data = "base64", base64.StdEncoding.EncodeToString(m.Data)
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // the struct always marshals
	}
	dst = append(dst, b...)
	return append(dst, '\n')
}
