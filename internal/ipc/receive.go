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
	Size int // bytes of the message lost
	Err  error
}

func (e *PutBackFailedError) Error() string {
	return fmt.Sprintf("interrupted, and a message of %d bytes could not be put back: %v", e.Size, e.Err)
}
func (e *PutBackFailedError) Unwrap() error { return e.Err }

// batchPatience is how long a receiver writing to a file or device waits for the next message
// before it writes out the batch it holds: long enough to keep a stream in batches, short enough
// to go unnoticed by someone reading the file.
const batchPatience = 5 * time.Millisecond

// PutBack returns m to the queue, waiting at most 10 seconds for room.
func (q *Queue) PutBack(m msgio.Message) error {
	pctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return q.Send(pctx, m, false)
}

// ReceiveTo takes messages off q and writes them to sink (made with q.PutBack), keeping the
// sink's contract: a message is taken only when the output is ready for it, and one taken but not
// written (a failed write, or ctx ending in between) is put back. It returns how many messages
// were written and why it stopped early: a *RecvError, a *msgio.PutBackError, a
// *PutBackFailedError or ctx's error. The sink is closed before it returns.
func (q *Queue) ReceiveTo(ctx context.Context, sink *msgio.Sink, o ReceiveOptions) (received int, err error) {
	buf := make([]byte, q.MaxRecv()+8)
	finish := func(err error) (int, error) {
		// Settle what is in flight: wait (briefly once interrupted) for the reader.
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err == nil {
			cctx, cancel = context.WithCancel(ctx)
		}
		defer cancel()
		if cerr := sink.Close(cctx); cerr != nil && err == nil {
			err = cerr
		}
		return received, err
	}
	wait := func() (msgio.Message, error) {
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if o.Wait != nil {
			wctx, cancel = o.Wait(ctx)
		}
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
		case sink.Batching():
			// Keep batching while messages come; when none came for a moment, flush, then wait.
			m, err = q.Recv(ctx, buf, batchPatience)
			if errors.Is(err, ErrWouldBlock) {
				if ferr := sink.Flush(); ferr != nil {
					return finish(ferr)
				}
				m, err = wait()
			}
		default:
			m, err = wait()
		}
		if err != nil {
			return finish(&RecvError{Err: err})
		}
		if o.AfterReceive != nil {
			o.AfterReceive()
		}
		if ctx.Err() != nil {
			// Interrupted between taking the message and writing it: put it back.
			if perr := q.PutBack(m); perr != nil {
				return finish(&PutBackFailedError{Size: len(m.Data), Err: perr})
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
