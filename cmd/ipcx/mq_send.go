package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/spf13/cobra"
)

type mqSendOptions struct {
	io       *iostreams.IOStreams
	addr     string
	messages []string // from the arguments; none: read stdin
	delim    string
	nul      bool
	whole    bool
	prio     uint64
	typ      int64
	create   bool
	mode     string
	wait     waitFlags
	flagSet  func(string) bool
	progressFlag
}

func newMqSendCmd(io *iostreams.IOStreams, runF func(*mqSendOptions) error) *cobra.Command {
	opts := &mqSendOptions{io: io}
	c := &cobra.Command{
		Use:   "send ADDR [MSG...]",
		Short: "Send messages to a queue",
		Long: `Send messages to a queue. Each MSG argument is one message. With no MSG, standard input is read
and each line is one message (without its newline); --delim changes the separator, -0 makes it NUL,
--whole sends all of standard input as one binary message.

A message larger than the queue takes is refused with both sizes; the messages before it in the
same run stay sent, none is sent twice. With arguments, every size is checked before the first is
sent.

When the queue is full, send waits for room: --nonblock exits 5 instead, --timeout bounds each wait
(exit 124).

--progress counts the messages sent and their bytes.
` + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx mq send /jobs hello world
  $ ipcx mq send /jobs --prio 9 urgent
  $ ipcx mq send 0x1a2b --type 3 'typed message'
  $ seq 1000 | ipcx mq send /jobs
  $ ipcx mq send /images --whole < picture.png
  $ ipcx mq send --progress /jobs < jobs.txt`,
		Args: minArgs(1, "an address and optional messages"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr, opts.messages = args[0], args[1:]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return mqSendRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.delim, "delim", "\n", "separator between messages on standard input: one byte, or a C escape (\\t, \\0, \\xHH)")
	f.BoolVarP(&opts.nul, "null", "0", false, "messages on standard input end with NUL")
	f.BoolVar(&opts.whole, "whole", false, "send all of standard input as one message")
	f.Uint64Var(&opts.prio, "prio", 0, "POSIX: message priority, 0 (lowest) to 32767")
	f.Int64Var(&opts.typ, "type", 1, "System V: message type, at least 1")
	f.BoolVar(&opts.create, "create", false, "create the queue when it does not exist")
	f.StringVar(&opts.mode, "mode", "0600", "with --create: permission bits of a new queue")
	opts.wait.register(c, "the queue is full")
	opts.registerProgress(c, "the messages and bytes sent")
	return c
}

// posixMaxPrio is the highest POSIX message priority Linux takes (MQ_PRIO_MAX - 1).
const posixMaxPrio = 32767

func mqSendRun(opts *mqSendOptions) error {
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
	if len(opts.messages) > 0 && (opts.whole || opts.nul || opts.flagSet("delim")) {
		return failure.Usagef("--whole, -0 and --delim are for standard input; messages were given as arguments")
	}
	if opts.nul && opts.flagSet("delim") {
		return failure.Usagef("-0 and --delim exclude each other")
	}
	if opts.whole && (opts.nul || opts.flagSet("delim")) {
		return failure.Usagef("--whole sends standard input as one message: it excludes -0 and --delim")
	}
	if opts.flagSet("mode") && !opts.create {
		return failure.Usagef("--mode is for a queue made by --create: add --create, or drop --mode")
	}
	if opts.prio > posixMaxPrio {
		return failure.Usagef("--prio must be 0..%d, got %d", posixMaxPrio, opts.prio)
	}
	mode, err := parseMode(opts.mode)
	if err != nil {
		return err
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	if !a.IsSysV() && opts.flagSet("type") {
		return failure.UsageHint("POSIX queues order by --prio", "--type is for System V queues")
	}
	if a.IsSysV() && opts.flagSet("prio") {
		return failure.UsageHint("System V queues take --type", "--prio is for POSIX queues")
	}
	if opts.typ < 1 {
		return failure.Usagef("--type must be at least 1 (System V message types are positive)")
	}
	if a.Kind == addr.Private {
		return failure.UsageHint("create it first: q=$(ipcx mq create private)", "cannot send to private: it names no existing queue")
	}
	obj := mqObject(a.String())
	q, err := ipc.OpenQueue(a, ipc.QueueOptions{Send: true, Create: opts.create, Mode: mode})
	if err != nil {
		return obj.Explain(err)
	}
	defer q.Close()

	d := opts.startProgress(opts.io, progress.Options{Label: obj.String(), Messages: true})
	defer d.Finish()
	m := d.Meter(0)
	sent := 0
	tooLarge := func(i int, tl *ipc.TooLargeError) error {
		return failure.Newf(failure.Failure, "%s: message %d is %d bytes; the queue takes at most %d (%s)", obj, i+1, tl.Size, tl.Max, tl.Limit).
			WithHint(fmt.Sprintf("%d message(s) before it were sent; none after it", sent))
	}
	timed := opts.wait.hasTimeout() // asked once: a flag lookup per message costs more than a send
	send := func(ctx context.Context, i int, data []byte) error {
		wctx, cancel := ctx, context.CancelFunc(nil)
		if timed {
			wctx, cancel = opts.wait.context(ctx)
		}
		err := q.Send(wctx, msgio.Message{Data: data, Prio: uint(opts.prio), Type: opts.typ}, opts.wait.nonblock)
		if cancel != nil {
			cancel()
		}
		if err != nil {
			return mqSendFail(obj, opts, sent, err, func(tl *ipc.TooLargeError) error { return tooLarge(i, tl) })
		}
		sent++
		m.AddMessage(len(data))
		return nil
	}
	if len(opts.messages) > 0 {
		for i, m := range opts.messages {
			var tl *ipc.TooLargeError
			if errors.As(q.Check(len(m)), &tl) {
				return tooLarge(i, tl)
			}
		}
		// Messages from the command line are tried without waiting; the signals are caught only
		// for the first that must wait (see tryThenWait).
		var l lazyInterrupt
		defer l.release()
		for i, msg := range opts.messages {
			data := []byte(msg)
			err := l.tryThenWait(&opts.wait, func(ctx context.Context, nonblock bool) error {
				return q.Send(ctx, msgio.Message{Data: data, Prio: uint(opts.prio), Type: opts.typ}, nonblock)
			})
			if err != nil {
				return mqSendFail(obj, opts, sent, err, func(tl *ipc.TooLargeError) error { return tooLarge(i, tl) })
			}
			sent++
			m.AddMessage(len(data))
		}
		return nil
	}
	// A signal stops the reading; what was read is still sent (or saved, and said so).
	ctx, stop := interruptContext(context.Background())
	defer stop()
	err = msgio.Pump(ctx, opts.io.In, delim, opts.whole, interruptGrace, send)
	var re *msgio.ReadError
	if errors.As(err, &re) {
		return failure.Newf(failure.Failure, "%s: reading standard input: %v", obj, re.Err)
	}
	var st *msgio.StoppedError
	if errors.As(err, &st) {
		return mqSendFail(obj, opts, st.Sent, st, nil)
	}
	return err
}

// interruptGrace is how long mq send, interrupted, still waits for room for the messages it has
// read from standard input.
const interruptGrace = 2 * time.Second

// mqSendFail says why a send failed after sent messages went: too large, full, removed.
func mqSendFail(obj failure.Object, opts *mqSendOptions, sent int, err error, tooLarge func(*ipc.TooLargeError) error) error {
	var tl *ipc.TooLargeError
	if errors.As(err, &tl) {
		return tooLarge(tl)
	}
	werr := opts.wait.wait("queue is full", "queue stayed full", "for", err)
	var st *msgio.StoppedError
	switch {
	case errors.As(err, &st):
		werr = &failure.Progress{Hint: st.Note(), Err: werr}
	case errors.Is(err, ipc.ErrRemoved):
		werr = &failure.Progress{After: fmt.Sprintf(" (after %d message(s))", sent), Err: werr}
	case sent > 0:
		werr = &failure.Progress{Hint: fmt.Sprintf("%d message(s) were sent before it", sent), Err: werr}
	}
	return obj.Explain(werr)
}
