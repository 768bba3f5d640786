package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

type mqStatOptions struct {
	io   *iostreams.IOStreams
	addr string
	json bool
}

// mqStatus is what mq stat and mq ls report of a queue of either flavor. Fields that do not apply
// to a flavor are left out of the JSON.
type mqStatus struct {
	Flavor  string `json:"flavor"`
	Address string `json:"address"`
	// POSIX
	Name      string `json:"name,omitempty"`
	MaxMsg    *int64 `json:"maxmsg,omitempty"`
	MsgSize   *int64 `json:"msgsize,omitempty"`
	NotifyPID *int   `json:"notifyPid,omitempty"`
	// System V
	Key    *sysv.Key  `json:"key,omitempty"`
	ID     *sysv.ID   `json:"id,omitempty"`
	QBytes *uint64    `json:"qbytes,omitempty"`
	LSPID  *int       `json:"lspid,omitempty"`
	LRPID  *int       `json:"lrpid,omitempty"`
	STime  *time.Time `json:"stime,omitempty"`
	RTime  *time.Time `json:"rtime,omitempty"`
	// Both
	// Messages and Bytes are null when unknown (a POSIX queue the user may not open or read).
	Messages *int64     `json:"messages"`
	Bytes    *int64     `json:"bytes"`
	Mode     string     `json:"mode"`
	UID      uint32     `json:"uid"`
	GID      uint32     `json:"gid"`
	Owner    string     `json:"owner"`
	CTime    *time.Time `json:"ctime"`
	// MTime is a POSIX queue's last send or receive (its creation before any).
	MTime *time.Time `json:"mtime,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// optSize64 is a size cell: "-" when unknown, human on a terminal.
func optSize64(n *int64, human bool) string {
	return render.Opt(n, render.SizeFormat[int64](human), render.Dash)
}

func optCount(n *int64) string { return render.Opt(n, render.Int[int64], render.Dash) }

func newMqStatCmd(io *iostreams.IOStreams, runF func(*mqStatOptions) error) *cobra.Command {
	opts := &mqStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat ADDR",
		Short: "Show a queue's attributes and state",
		Long: `Show a queue's attributes and state. POSIX: maxmsg, msgsize, messages and bytes on the queue, the
pid registered with mq_notify, mode, owner, mtime (the last send or receive, the creation before
any) and ctime (the last send, receive, chmod or chown, the creation before any). Reading a POSIX
queue's status makes the kernel set its ctime; ipcx reports the ctime from before such reads (its
own and others', e.g. cat /dev/mqueue/q), so looking at a queue does not change its ctime; a chmod
or chown followed by such a read shows as the mtime. System V: key, id, mode, owner, messages (qnum),
bytes (cbytes), the byte limit (qbytes), the last sender and receiver pids and the times of the
last send, receive and change.

` + exitStatusHelp,
		Example: `  $ ipcx mq stat /jobs
  $ ipcx mq stat --json id:0`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return mqStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNSWhole(c)
}

func mqStatRun(opts *mqStatOptions) error {
	a, err := parseAddr(opts.addr)
	if err != nil {
		return err
	}
	if a.Kind == addr.Private {
		return usageHint("name an existing queue with id:N or a key", "private names no existing queue")
	}
	obj := mqObject(a.String())
	var st mqStatus
	if a.Kind == addr.POSIX {
		st, err = posixMqStatus(a.Name)
	} else {
		var id sysv.ID
		if id, err = sysvMsgID(a, 0); err == nil {
			st, err = sysvMqStatus(id)
		}
	}
	if err != nil {
		return obj.fail(err)
	}
	if opts.json {
		return render.JSON(opts.io.Out, st)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, statFields(st), []mqStatus{st})
}

// posixMqStatus opens the queue for its attributes and reads the mqueue filesystem, when one is
// mounted, for the notify pid.
func posixMqStatus(name string) (mqStatus, error) {
	q, err := posix.MqOpen(name, unix.O_RDONLY, 0, nil)
	if errors.Is(err, unix.EACCES) {
		q, err = posix.MqOpen(name, unix.O_WRONLY, 0, nil)
	}
	if err != nil {
		return mqStatus{}, err
	}
	defer q.Close()
	at, err := q.Attr()
	if err != nil {
		return mqStatus{}, err
	}
	fst, err := q.Stat()
	if err != nil {
		return mqStatus{}, err
	}
	st := mqStatus{Flavor: "posix", Address: name, Name: name, MaxMsg: &at.MaxMsg, MsgSize: &at.MsgSize,
		Messages: &at.CurMsgs, Mode: render.Mode(fst.Mode), UID: fst.UID, GID: fst.GID, Owner: userName(fst.UID), CTime: &fst.CTime}
	if dir, release, err := posix.MqueueDir(); err == nil {
		defer release()
		if info, err := posix.MqStatIn(dir, name); err == nil {
			// Times from the mqueue filesystem: taken before its read and corrected for
			// earlier reads (see posix.MqStatIn).
			st.CTime, st.MTime = &info.CTime, &info.MTime
			if info.StatusRead {
				st.Bytes, st.NotifyPID = &info.Bytes, &info.NotifyPID
			}
		}
	}
	return st, nil
}

func sysvMqStatus(id sysv.ID) (mqStatus, error) {
	ds, err := sysv.MsgStat(id)
	if err != nil {
		return mqStatus{}, err
	}
	key := ds.Perm.Key
	lspid, lrpid := int(ds.Lspid), int(ds.Lrpid)
	return mqStatus{Flavor: "sysv", Address: fmt.Sprintf("id:%d", id), Key: &key, ID: &id, QBytes: &ds.Qbytes,
		LSPID: &lspid, LRPID: &lrpid, STime: sysv.Time(ds.Stime), RTime: sysv.Time(ds.Rtime), CTime: sysv.Time(ds.Ctime),
		Messages: ptr(int64(ds.Qnum)), Bytes: ptr(int64(ds.Cbytes)), Mode: render.Mode(uint32(ds.Perm.Mode)),
		UID: ds.Perm.UID, GID: ds.Perm.GID, Owner: userName(ds.Perm.UID)}, nil
}

// statFields are the columns mq stat shows for one queue's flavor.
func statFields(st mqStatus) []render.Column[mqStatus] {
	if st.Flavor == "posix" {
		return []render.Column[mqStatus]{
			{Header: "NAME", Value: func(s mqStatus) string { return s.Name }},
			{Header: "MODE", Value: func(s mqStatus) string { return s.Mode }},
			{Header: "OWNER", Value: func(s mqStatus) string { return s.Owner }},
			{Header: "MAXMSG", Value: func(s mqStatus) string { return fmt.Sprint(*s.MaxMsg) }},
			{Header: "MSGSIZE", Value: func(s mqStatus) string { return optSize64(s.MsgSize, false) },
				Human: func(s mqStatus) string { return optSize64(s.MsgSize, true) }},
			{Header: "MESSAGES", Value: func(s mqStatus) string { return optCount(s.Messages) }},
			{Header: "BYTES", Value: func(s mqStatus) string { return optSize64(s.Bytes, false) },
				Human: func(s mqStatus) string { return optSize64(s.Bytes, true) }},
			{Header: "NOTIFY", Value: func(s mqStatus) string { return optInt(s.NotifyPID) }},
			{Header: "MTIME", Value: func(s mqStatus) string { return optTime(s.MTime, false) },
				Human: func(s mqStatus) string { return optTime(s.MTime, true) }},
			{Header: "CTIME", Value: func(s mqStatus) string { return optTime(s.CTime, false) },
				Human: func(s mqStatus) string { return optTime(s.CTime, true) }},
		}
	}
	return append(sysvQueueColumns[:4:4],
		render.Column[mqStatus]{Header: "MESSAGES", Value: func(s mqStatus) string { return optCount(s.Messages) }},
		render.Column[mqStatus]{Header: "BYTES", Value: func(s mqStatus) string { return optSize64(s.Bytes, false) },
			Human: func(s mqStatus) string { return optSize64(s.Bytes, true) }},
		render.Column[mqStatus]{Header: "QBYTES", Value: func(s mqStatus) string { return optSize64(qbytes(s.QBytes), false) },
			Human: func(s mqStatus) string { return optSize64(qbytes(s.QBytes), true) }},
		render.Column[mqStatus]{Header: "LSPID", Value: func(s mqStatus) string { return optInt(s.LSPID) }},
		render.Column[mqStatus]{Header: "LRPID", Value: func(s mqStatus) string { return optInt(s.LRPID) }},
		render.Column[mqStatus]{Header: "STIME", Value: func(s mqStatus) string { return optTime(s.STime, false) },
			Human: func(s mqStatus) string { return optTime(s.STime, true) }},
		render.Column[mqStatus]{Header: "RTIME", Value: func(s mqStatus) string { return optTime(s.RTime, false) },
			Human: func(s mqStatus) string { return optTime(s.RTime, true) }},
		render.Column[mqStatus]{Header: "CTIME", Value: func(s mqStatus) string { return optTime(s.CTime, false) },
			Human: func(s mqStatus) string { return optTime(s.CTime, true) }},
	)
}

var sysvQueueColumns = []render.Column[mqStatus]{
	{Header: "KEY", Value: func(s mqStatus) string { return s.Key.String() }},
	{Header: "ID", Value: func(s mqStatus) string { return fmt.Sprint(*s.ID) }},
	{Header: "MODE", Value: func(s mqStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s mqStatus) string { return s.Owner }},
}

func qbytes(q *uint64) *int64 {
	if q == nil {
		return nil
	}
	return ptr(int64(*q))
}

// optInt and optTime forward to render.Opt for the files that still call them (sem_get.go,
// fifo_stat.go, sock_ls.go, sig_*.go): a pid or count of 0 is "-", as is a nil time.
func optInt(p *int) string { return render.Opt(p, render.Int[int], render.DashZero) }

func optTime(t *time.Time, human bool) string {
	return render.Opt(t, render.TimeFormat(human), render.Dash)
}
