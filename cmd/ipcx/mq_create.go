package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
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
	Address string    `json:"address"`
	Flavor  string    `json:"flavor"`
	Name    string    `json:"name,omitempty"`
	Key     *sysv.Key `json:"key,omitempty"`
	ID      *sysv.ID  `json:"id,omitempty"`
	Mode    string    `json:"mode"`
	Created bool      `json:"created"`
	MaxMsg  int64     `json:"maxmsg,omitempty"`
	MsgSize int64     `json:"msgsize,omitempty"`
	QBytes  uint64    `json:"qbytes,omitempty"`
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
	var out createdQueue
	if a.Kind == addr.POSIX {
		if opts.maxBytes != "" {
			return usageHint("POSIX queues take --maxmsg and --msgsize", "--max-bytes is for System V queues")
		}
		if opts.maxMsg < 0 || opts.msgSize < 0 || (opts.maxMsg == 0) != (opts.msgSize == 0) {
			return usageErrorf("--maxmsg and --msgsize go together, each at least 1")
		}
		var attr *posix.MqAttr
		if opts.maxMsg > 0 {
			attr = &posix.MqAttr{MaxMsg: opts.maxMsg, MsgSize: opts.msgSize}
		}
		q, created, err := posix.MqCreate(a.Name, unix.O_RDONLY, mode, attr, opts.exclusive)
		if err != nil {
			if errors.Is(err, unix.EINVAL) && attr != nil {
				return &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: the system refuses --maxmsg %d --msgsize %d", obj, opts.maxMsg, opts.msgSize),
					hint: "see the limits in /proc/sys/fs/mqueue/msg_max and msgsize_max (ipcx limits)"}
			}
			return obj.fail(err)
		}
		defer q.Close()
		at, err := q.Attr()
		if err != nil {
			return obj.fail(err)
		}
		st, err := q.Stat()
		if err != nil {
			return obj.fail(err)
		}
		if !created {
			var diff, drop []string
			if opts.flagSet("mode") && st.Mode&0o777 != mode {
				diff, drop = append(diff, "mode "+render.Mode(st.Mode)), append(drop, "--mode")
			}
			if attr != nil && (at.MaxMsg != opts.maxMsg || at.MsgSize != opts.msgSize) {
				diff = append(diff, fmt.Sprintf("maxmsg %d, msgsize %d", at.MaxMsg, at.MsgSize))
				drop = append(drop, "--maxmsg and --msgsize")
			}
			if err := existsDiffering(obj, diff, drop); err != nil {
				return err
			}
		}
		out = createdQueue{Address: a.Name, Flavor: "posix", Name: a.Name, Mode: render.Mode(st.Mode), Created: created,
			MaxMsg: at.MaxMsg, MsgSize: at.MsgSize}
	} else {
		if opts.maxMsg != 0 || opts.msgSize != 0 {
			return usageHint("System V queues take --max-bytes", "--maxmsg and --msgsize are for POSIX queues")
		}
		var qbytes uint64
		if opts.maxBytes != "" {
			n, err := units.ParseSize(opts.maxBytes)
			if err != nil || n <= 0 {
				return usageErrorf("invalid --max-bytes %q: want a size like 16384 or 16K", opts.maxBytes)
			}
			qbytes = uint64(n)
		}
		// Create exclusively first, so that "created" is known; then, unless --exclusive, open.
		id, err := sysvMsgID(a, sysv.Create|sysv.Exclusive|int(mode))
		created := err == nil
		if errors.Is(err, unix.EEXIST) && !opts.exclusive {
			id, err = sysvMsgID(a, 0)
		}
		if err != nil {
			return obj.fail(err)
		}
		// A queue made here and then refused is removed again: nothing half-made stays behind.
		undo := func(err error) error {
			if created {
				_ = sysv.MsgRemove(id)
			}
			return err
		}
		ds, err := sysv.MsgStat(id)
		if err != nil {
			return undo(obj.fail(err))
		}
		if !created {
			var diff, drop []string
			if opts.flagSet("mode") && uint32(ds.Perm.Mode)&0o777 != mode {
				diff, drop = append(diff, "mode "+render.Mode(uint32(ds.Perm.Mode))), append(drop, "--mode")
			}
			if qbytes != 0 && ds.Qbytes != qbytes {
				diff, drop = append(diff, fmt.Sprintf("max-bytes %d", ds.Qbytes)), append(drop, "--max-bytes")
			}
			if err := existsDiffering(obj, diff, drop); err != nil {
				return err
			}
		} else if qbytes != 0 && ds.Qbytes != qbytes {
			ds.Qbytes = qbytes
			if err := sysv.MsgSet(id, ds); err != nil {
				if errors.Is(err, unix.EPERM) {
					return undo(&cmdError{code: exitFailure, msg: fmt.Sprintf("%s: --max-bytes %d is above msgmnb (/proc/sys/kernel/msgmnb); going above it needs CAP_SYS_RESOURCE", obj, qbytes),
						hint: "nothing was created; see the limits with: ipcx limits"})
				}
				return undo(obj.fail(err))
			}
		}
		out = createdQueue{Address: fmt.Sprintf("id:%d", id), Flavor: "sysv", Key: &ds.Perm.Key, ID: &id,
			Mode: render.Mode(uint32(ds.Perm.Mode)), Created: created, QBytes: ds.Qbytes}
	}
	if opts.json {
		return render.JSON(opts.io.Out, out)
	}
	_, err = fmt.Fprintln(opts.io.Out, out.Address)
	return err
}

// existsDiffering is the error for an existing queue that differs from what the flags ask for
// (diff: what it has; drop: the flags to drop), or nil when nothing differs.
func existsDiffering(obj object, diff, drop []string) error {
	if len(diff) == 0 {
		return nil
	}
	return &cmdError{code: exitExists,
		msg:  fmt.Sprintf("%s: exists with %s; remove it first, or drop %s", obj, strings.Join(diff, "; "), strings.Join(drop, " and ")),
		hint: fmt.Sprintf("an existing queue is not changed; see it with: ipcx mq stat %s", obj.addr)}
}
