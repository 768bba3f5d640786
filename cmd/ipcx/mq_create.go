package main

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
)

type mqCreateOptions struct {
	io        *iostreams.IOStreams
	addr      string
	mode      string
	exclusive bool
	maxMsg    int64
	msgSize   int64
	maxBytes  string
	json      bool
	flagSet   func(string) bool
}

// createdQueue is what mq create reports.
type createdQueue struct {
	ipc.Ref
	Mode    string `json:"mode"`
	Created bool   `json:"created"`
	MaxMsg  int64  `json:"maxmsg,omitempty"`
	MsgSize int64  `json:"msgsize,omitempty"`
	QBytes  uint64 `json:"qbytes,omitempty"`
}

func newMqCreateCmd(io *iostreams.IOStreams, runF func(*mqCreateOptions) error) *cobra.Command {
	opts := &mqCreateOptions{io: io}
	c := &cobra.Command{
		Use:   "create ADDR",
		Short: "Create a message queue",
		Long: `Create a message queue: POSIX for a /name, System V for a key, ftok:PATH:PROJ or private.

It prints the queue's address for later commands: the /name, or id:N for System V (private queues
have no other name). An existing queue is left as it is and printed, unless --exclusive, which
makes it an error (exit 4). An existing queue is never changed: when it differs from what --mode,
--maxmsg, --msgsize or --max-bytes ask for, that is an error too (exit 4). New queues have mode 0600
unless --mode says otherwise; the mode is set exactly, whatever the umask.

` + exitStatusHelp,
		Example: `  $ ipcx mq create /jobs
  $ ipcx mq create /jobs --maxmsg 100 --msgsize 1024 --mode 0660
  $ ipcx mq create 0x1a2b --max-bytes 64K
  $ q=$(ipcx mq create private) && ipcx mq send "$q" hello`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return mqCreateRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.mode, "mode", "0600", "permission bits of a new queue, octal")
	f.BoolVar(&opts.exclusive, "exclusive", false, "fail (exit 4) when the queue exists")
	f.Int64Var(&opts.maxMsg, "maxmsg", 0, "POSIX: most messages on the queue (default: /proc/sys/fs/mqueue/msg_default)")
	f.Int64Var(&opts.msgSize, "msgsize", 0, "POSIX: largest message in bytes (default: /proc/sys/fs/mqueue/msgsize_default)")
	f.StringVar(&opts.maxBytes, "max-bytes", "", "System V: most bytes on the queue, msg_qbytes (like 16K)")
	f.BoolVar(&opts.json, "json", false, "print what was created as JSON")
	return c
}

func mqCreateRun(opts *mqCreateOptions) error {
	a, err := parseAddr(opts.addr)
	if err != nil {
		return err
	}
	mode, err := parseMode(opts.mode)
	if err != nil {
		return err
	}
	obj := mqObject(a.String())
	o := ipc.QueueOptions{Mode: mode, Exclusive: opts.exclusive, MaxMsg: opts.maxMsg, MsgSize: opts.msgSize}
	if !a.IsSysV() {
		if opts.maxBytes != "" {
			return failure.UsageHint("POSIX queues take --maxmsg and --msgsize", "--max-bytes is for System V queues")
		}
		for _, f := range []struct {
			name string
			v    int64
		}{{"maxmsg", opts.maxMsg}, {"msgsize", opts.msgSize}} {
			if opts.flagSet(f.name) && f.v < 1 {
				return failure.Usagef("--%s must be at least 1, got %d", f.name, f.v)
			}
		}
	} else {
		if opts.maxMsg != 0 || opts.msgSize != 0 {
			return failure.UsageHint("System V queues take --max-bytes", "--maxmsg and --msgsize are for POSIX queues")
		}
		if opts.maxBytes != "" {
			n, err := units.ParseSize(opts.maxBytes)
			if err != nil || n <= 0 {
				return failure.Usagef("invalid --max-bytes %q: want a size like 16384 or 16K", opts.maxBytes)
			}
			o.MaxBytes = uint64(n)
		}
	}
	made := o
	if (o.MaxMsg == 0) != (o.MsgSize == 0) {
		// one of the two: the other is the default a queue created without either gets
		maxMsg, msgSize, err := posix.MqDefaults()
		if err != nil {
			return obj.Explain(err)
		}
		made.MaxMsg, made.MsgSize = cmp.Or(o.MaxMsg, maxMsg), cmp.Or(o.MsgSize, msgSize)
	}
	info, err := ipc.CreateQueue(a, made)
	if err != nil {
		return obj.Explain(err)
	}
	if !info.Created {
		diff, drop := queueDiff(info, opts, o)
		if err := existsDiffering(obj, diff, drop); err != nil {
			return err
		}
	}
	out := createdQueue{Ref: info.Ref(),
		Mode: render.Mode(info.Mode), Created: info.Created, MaxMsg: info.MaxMsg, MsgSize: info.MsgSize, QBytes: info.QBytes}
	return reportCreated(opts.io, obj, opts.json, out, info.Made, ipc.RemoveQueue)
}

// queueDiff says how an existing queue differs from what the flags ask for: what it has, and the
// flags to drop.
func queueDiff(info ipc.QueueInfo, opts *mqCreateOptions, o ipc.QueueOptions) (diff, drop []string) {
	if opts.flagSet("mode") && info.Mode&0o777 != o.Mode {
		diff, drop = append(diff, "mode "+render.Mode(info.Mode)), append(drop, "--mode")
	}
	// only what was asked for: --maxmsg alone does not ask for the default msgsize
	both := o.MaxMsg > 0 && o.MsgSize > 0
	switch {
	case both && (info.MaxMsg != o.MaxMsg || info.MsgSize != o.MsgSize):
		diff = append(diff, fmt.Sprintf("maxmsg %d, msgsize %d", info.MaxMsg, info.MsgSize))
		drop = append(drop, "--maxmsg and --msgsize")
	case !both && o.MaxMsg > 0 && info.MaxMsg != o.MaxMsg:
		diff, drop = append(diff, fmt.Sprintf("maxmsg %d", info.MaxMsg)), append(drop, "--maxmsg")
	case !both && o.MsgSize > 0 && info.MsgSize != o.MsgSize:
		diff, drop = append(diff, fmt.Sprintf("msgsize %d", info.MsgSize)), append(drop, "--msgsize")
	}
	if o.MaxBytes != 0 && info.QBytes != o.MaxBytes {
		diff, drop = append(diff, fmt.Sprintf("max-bytes %d", info.QBytes)), append(drop, "--max-bytes")
	}
	return diff, drop
}

// existsDiffering is the error for an existing queue that differs from what the flags ask for
// (diff: what it has; drop: the flags to drop), or nil when nothing differs.
func existsDiffering(obj failure.Object, diff, drop []string) error {
	if len(diff) == 0 {
		return nil
	}
	return failure.Newf(failure.Exists, "%s: exists with %s; remove it first, or drop %s", obj, strings.Join(diff, "; "), strings.Join(drop, " and ")).WithHint(fmt.Sprintf("an existing queue is not changed; see it with: ipcx mq stat %s", obj.Addr))
}
