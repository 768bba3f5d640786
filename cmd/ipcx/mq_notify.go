package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type mqNotifyOptions struct {
	io   *iostreams.IOStreams
	addr string
	exec string
	json bool
	timeoutFlag
}

type notifyEvent struct {
	Queue string    `json:"queue"`
	Event string    `json:"event"`
	Time  time.Time `json:"time"`
}

func newMqNotifyCmd(io *iostreams.IOStreams, runF func(*mqNotifyOptions) error) *cobra.Command {
	opts := &mqNotifyOptions{io: io}
	c := &cobra.Command{
		Use:   "notify /NAME",
		Short: "Wait for a message to arrive on an empty POSIX queue",
		Long: `Register with mq_notify(3) and wait until a message arrives on the empty queue, then print the
event, or run CMD with --exec (through /bin/sh, with IPCX_QUEUE in its environment) and exit with
its status. The message is not taken off the queue.

The kernel notifies only for a message that arrives on an EMPTY queue while no process is blocked
receiving from it, and only one process may be registered per queue (another gets exit 1, busy).

` + exitStatusHelp,
		Example: `  $ ipcx mq notify /jobs
  $ ipcx mq notify /jobs --exec 'ipcx mq recv "$IPCX_QUEUE"'
  $ ipcx mq notify /jobs --timeout 30s --json`,
		Args: exactArgs(1, "one POSIX queue name"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return mqNotifyRun(opts)
		},
	}
	c.Flags().StringVar(&opts.exec, "exec", "", "run this shell command when a message arrives")
	c.Flags().BoolVar(&opts.json, "json", false, "print the event as JSON")
	opts.registerTimeout(c, "wait at most this long: exit 124 after; 0 does not wait (exit 124 at once)")
	return c
}

func mqNotifyRun(opts *mqNotifyOptions) error {
	a, err := parseAddr(opts.addr)
	if err != nil {
		return err
	}
	if a.Kind != addr.POSIX {
		return failure.UsageHint("System V queues have no notification; use: ipcx mq recv --timeout DUR", "mq notify is for POSIX queues (/name)")
	}
	if err := opts.checkTimeout(); err != nil {
		return err
	}
	obj := mqObject(a.Name)
	q, err := ipc.OpenQueue(a, ipc.QueueOptions{Receive: true})
	if err != nil {
		return obj.Explain(err)
	}
	defer q.Close()
	if n := q.Queued(); n > 0 {
		fmt.Fprintf(opts.io.ErrOut, "ipcx: mq %s: note: the queue holds %d message(s); the kernel notifies only when a message arrives on an empty queue\n", a.Name, n)
	}
	ctx, stop := interruptContext(context.Background())
	defer stop()
	ctx, cancel := opts.context(ctx)
	defer cancel()
	err = q.WaitNotify(ctx)
	if err != nil {
		return obj.Explain(opts.wait("no message arrived", "no message arrived", "within", err))
	}
	if opts.exec != "" {
		return obj.Explain(&failure.Progress{Before: "cannot run the command:", Err: runShell(opts.io, opts.exec, []string{"IPCX_QUEUE=" + a.Name}, false)})
	}
	ev := notifyEvent{Queue: a.Name, Event: "message", Time: time.Now().UTC()}
	if opts.json {
		return render.JSONLine(opts.io.Out, ev)
	}
	_, err = fmt.Fprintf(opts.io.Out, "message arrived on %s\n", a.Name)
	return err
}
