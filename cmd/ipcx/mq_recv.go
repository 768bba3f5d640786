package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/spf13/cobra"
)

type mqRecvOptions struct {
	io      *iostreams.IOStreams
	addr    string
	count   int
	follow  bool
	typ     int64
	except  bool
	delim   string
	nul     bool
	raw     bool
	json    bool
	mayLose bool
	wait    waitFlags
	flagSet func(string) bool
	progressFlag

	// afterReceive, when set, runs between taking a message and writing it (a seam for tests of
	// the put-back path).
	afterReceive func()
}

func newMqRecvCmd(io *iostreams.IOStreams, runF func(*mqRecvOptions) error) *cobra.Command {
	opts := &mqRecvOptions{io: io}
	c := &cobra.Command{
		Use:   "recv ADDR",
		Short: "Receive messages from a queue",
		Long: `Receive messages from a queue and write them to standard output: one message by default, --count N
messages, or --follow until interrupted. Each payload is written raw, followed by a newline (--delim,
-0 for NUL, --raw for nothing); --json writes one JSON object per message with its priority or
type, size and data (text when valid UTF-8, else base64).

POSIX queues give the oldest message of the highest priority first. System V queues select by
--type as msgrcv(2) does: 0 the first message, N > 0 the first of type N (with --except: the first
of any other type), N < 0 the first of the lowest type <= |N|.

NOTHING LOST
A message is taken off the queue only when ipcx is ready to write it out, and each is written with
one write(2) before the next is taken, whatever standard output is: even kill -9 of ipcx loses at
most the one message it holds. When the write fails (closed pipe, full disk) or SIGINT, SIGTERM,
SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 or SIGALRM arrives between taking and writing, the message is put
back and ipcx exits non-zero: 141 for a closed pipe, 128+N for signal N. A record cut short by a
full disk is cut off the file again: a file ends in whole records (whole JSON lines). A closed
standard output (>&-) is refused before anything is taken (exit 1). A POSIX message put back lands
behind the messages of its priority; a System V message at the tail of the queue.
When standard output is a pipe, a FIFO or a socket, the next message is taken only after the
reader has read the previous one, so "ipcx mq recv --follow /q | head -1" leaves the other
messages on the queue, and exits once head has, also when nothing more arrives. A message the
reader has not read when it goes away, or when a signal ends ipcx, is put back (from a pipe the
unread bytes are taken back out first; a socket's peer may still read it). The one window that
remains is a reader that reads a message and exits without using it.
Without write permission on the queue nothing could be put back: ipcx refuses before taking
anything, unless --no-putback accepts that a message may be lost. A message that cannot be put
back (the queue was refilled by other senders for 10 s) is saved in a file in $TMPDIR that the
error names.

--progress counts the messages written out and their payloads' bytes.
` + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx mq recv /jobs
  $ ipcx mq recv --count 10 --timeout 5s /jobs
  $ ipcx mq recv --follow /jobs | while read -r job; do echo "got $job"; done
  $ ipcx mq recv --type -5 0x1a2b
  $ ipcx mq recv --json --nonblock /jobs
  $ ipcx mq recv --follow --progress /jobs > jobs.log`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return mqRecvRun(context.Background(), opts)
		},
	}
	f := c.Flags()
	f.IntVarP(&opts.count, "count", "n", 1, "receive this many messages")
	f.BoolVarP(&opts.follow, "follow", "f", false, "receive until interrupted")
	f.Int64Var(&opts.typ, "type", 0, "System V: which message, as msgrcv's msgtyp (0 first, N that type, -N lowest type <= N)")
	f.BoolVar(&opts.except, "except", false, "System V: with --type N > 0, the first message of any type but N")
	f.StringVar(&opts.delim, "delim", "\n", "written after each message: one byte, or a C escape (\\t, \\0, \\xHH)")
	f.BoolVarP(&opts.nul, "null", "0", false, "write NUL after each message")
	f.BoolVar(&opts.raw, "raw", false, "write nothing between messages")
	f.BoolVar(&opts.json, "json", false, "write one JSON object per message")
	f.BoolVar(&opts.mayLose, "no-putback", false, "receive without write permission on the queue, accepting that a message whose write fails is lost")
	opts.wait.register(c, "the queue is empty")
	opts.registerProgress(c, "the messages and bytes received")
	return c
}

func mqRecvRun(parent context.Context, opts *mqRecvOptions) error {
	a, err := parseAddr(opts.addr)
	if err != nil {
		return err
	}
	if err := opts.wait.validate(); err != nil {
		return err
	}
	delim, err := delimiter(opts.delim, opts.nul)
	if err != nil {
		return err
	}
	if opts.count < 1 {
		return failure.Usagef("--count must be at least 1")
	}
	if opts.follow && opts.flagSet("count") {
		return failure.Usagef("--follow and --count exclude each other")
	}
	switch {
	case opts.json && opts.raw:
		return failure.Usagef("--json and --raw exclude each other")
	case opts.json && (opts.nul || opts.flagSet("delim")):
		return failure.Usagef("--json writes one object per line: it excludes -0 and --delim")
	case opts.raw && (opts.nul || opts.flagSet("delim")):
		return failure.Usagef("--raw writes nothing between messages: it excludes -0 and --delim")
	case opts.nul && opts.flagSet("delim"):
		return failure.Usagef("-0 and --delim exclude each other")
	}
	if !a.IsSysV() && (opts.flagSet("type") || opts.except) {
		return failure.UsageHint("POSIX queues always give the highest priority first", "--type and --except are for System V queues")
	}
	if opts.except && opts.typ <= 0 {
		return failure.Usagef("--except needs --type N with N > 0")
	}
	if a.Kind == addr.Private {
		return failure.UsageHint("name an existing queue with id:N or a key", "cannot receive from private: it names no existing queue")
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	obj := mqObject(a.String())
	if f, ok := opts.io.OutFile(); ok && iostreams.ClosedByRuntime(f) {
		return failure.Newf(failure.Failure, "%s: standard output is closed; nothing was taken", obj).WithHint("redirect it to a file, a pipe or /dev/null (>/dev/null) to discard messages")
	}
	q, err := ipc.OpenQueue(a, ipc.QueueOptions{Receive: true, PutBack: true, MayLose: opts.mayLose, Type: opts.typ, Except: opts.except})
	if err != nil {
		return obj.Explain(err)
	}
	defer q.Close()
	catchSIGPIPE()
	ctx, stop := interruptContext(parent)
	defer stop()

	encode := func(dst []byte, m msgio.Message) []byte {
		if opts.json {
			return q.AppendJSON(dst, a.String(), m)
		}
		dst = append(dst, m.Data...)
		if !opts.raw {
			dst = append(dst, delim)
		}
		return dst
	}
	sink := msgio.NewWriterSink(opts.io.Out, encode, q.PutBack)
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String(), Messages: true})
	sink.CountTo(d.Meter(0))
	var wait func(context.Context) (context.Context, context.CancelFunc) // nil: no per-message context
	if opts.wait.hasTimeout() {
		wait = opts.wait.context
	}
	received, err := q.ReceiveTo(ctx, sink, ipc.ReceiveOptions{Count: opts.count, Follow: opts.follow,
		NonBlock: opts.wait.nonblock, Wait: wait, AfterReceive: opts.afterReceive})
	d.Finish()
	return mqRecvFail(obj, q, opts, received, err)
}

// mqRecvFail says why mq recv stopped: how its wait ended, the messages received before.
func mqRecvFail(obj failure.Object, q *ipc.Queue, opts *mqRecvOptions, received int, err error) error {
	var re *ipc.RecvError
	var pf *ipc.PutBackFailedError
	switch {
	case err == nil || errors.As(err, &pf) || !errors.As(err, &re) || errors.Is(err, ipc.ErrRecvTooLarge):
		return obj.Explain(err)
	}
	now := "queue is empty"
	if n := q.Queued(); n > 0 && opts.typ != 0 && !opts.wait.zero() {
		now = fmt.Sprintf("%s (the queue holds %d)", noMessageOfType(opts.typ, opts.except), n)
	}
	werr := opts.wait.wait(now, "no message", "within", re.Err)
	if received > 0 {
		werr = &failure.Progress{After: fmt.Sprintf(" (after %d message(s))", received), Err: werr}
	}
	return obj.Explain(werr)
}

// noMessageOfType says which message msgrcv's type selection found none of.
func noMessageOfType(typ int64, except bool) string {
	switch {
	case typ < 0:
		return fmt.Sprintf("no message of type %d or lower", -typ)
	case except:
		return fmt.Sprintf("no message of a type other than %d", typ)
	}
	return fmt.Sprintf("no message of type %d", typ)
}
