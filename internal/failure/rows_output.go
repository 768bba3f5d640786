//go:build linux

package failure

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sock"
	"golang.org/x/sys/unix"
)

// outputRows come ahead of the table: a failed write on standard output is never a failure of
// the object (ENOSPC of /dev/full is not "a system limit on the number of FIFOs"). The outermost
// Wait or Progress still speaks first, and a put-back keeps its own row, which tells what became
// of the message.
func outputRows() []row {
	return []row{
		// A seqpacket message is not a datagram: its limit is the sender's SO_SNDBUF less 32, as
		// unix_dgram_sendmsg checks for both.
		{nouns: "sock", match: func(err error) bool {
			dse := get[*sock.DatagramSizeError](err)
			return dse != nil && dse.Addr.Kind == sock.UnixSeqpacket && dse.Limit >= 0
		}, code: Failure, say: func(o Object, err error, e *Error) {
			dse := get[*sock.DatagramSizeError](err)
			size := fmt.Sprintf("%d bytes", dse.Size)
			if dse.More {
				size = "more than " + size
			}
			e.Msg = fmt.Sprintf("%s: the message is %s; a seqpacket socket sends at most %d bytes in one message (its send buffer, SO_SNDBUF, less 32)", o, size, dse.Limit)
			e.Hint = "send it over a stream socket (unix:) instead, or in smaller pieces; the send buffer grows with: sysctl net.core.wmem_default"
		}},
		// More semop operations than SEMOPM: the limit by name, not E2BIG.
		{nouns: "sem", match: as[*ipc.OpsLimitError](), code: Failure, say: func(o Object, err error, e *Error) {
			e.Msg = fmt.Sprintf("%s: %v", o, get[*ipc.OpsLimitError](err))
			e.Hint = "give fewer operations per call, or raise SEMOPM (the third number in /proc/sys/kernel/sem)"
		}},
		// An empty FIFO path is a usage error, not a missing file to create.
		{nouns: "fifo", match: is(posix.ErrEmptyPath), code: Usage, say: func(o Object, _ error, e *Error) {
			e.Msg = fmt.Sprintf("%s %s: %v", o.Noun, o.Verb, posix.ErrEmptyPath)
			if o.Verb == "" {
				e.Msg = fmt.Sprintf("%s: %v", o.Noun, posix.ErrEmptyPath)
			}
			e.Hint = "give the FIFO's path, as fifo create /tmp/f"
		}},
		{match: func(err error) bool {
			if top[*Wait]()(err) || top[*Progress]()(err) || as[*msgio.PutBackError]()(err) || as[*ipc.PutBackFailedError]()(err) {
				return false
			}
			return iostreams.IsOutputError(err)
		}, code: Failure, say: func(o Object, err error, e *Error) {
			if errors.Is(err, unix.EPIPE) {
				// a closed pipe keeps the rows (and the exit 141) it has always had
				return
			}
			e.Msg = fmt.Sprintf("cannot write standard output: %v", Errno(err))
			if o.String() != "" {
				e.Msg = fmt.Sprintf("%s: %s", o, e.Msg)
			}
		}},
	}
}

// Output explains err when it is a failed write on standard output, for a command that has no
// object to name (ls, sig list) or an error that reached ipcx's top unexplained; ok is false for
// any other error.
func Output(err error) (e error, ok bool) {
	if !iostreams.IsOutputError(err) || errors.Is(err, unix.EPIPE) {
		return err, false
	}
	return Object{}.Explain(err), true
}
