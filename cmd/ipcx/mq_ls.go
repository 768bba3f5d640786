package main

import (
	"errors"
	"fmt"
	"sort"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type mqLsOptions struct {
	io    *iostreams.IOStreams
	json  bool
	posix bool
	sysv  bool
}

func newMqLsCmd(io *iostreams.IOStreams, runF func(*mqLsOptions) error) *cobra.Command {
	opts := &mqLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List message queues of both flavors",
		Long: `List every message queue: System V queues from /proc/sysvipc/msg (all of them, whatever their
permissions) and POSIX queues from the mqueue filesystem. When no mqueue filesystem is mounted,
root lists POSIX queues through a private mount made for the listing; other users get a note on how
to mount one. A POSIX queue the user may not read is still listed, with its messages and bytes
unknown ("-" in the table, null in JSON). CTIME of a POSIX queue is its last send, receive, chmod or
chown (its creation before any), as before any read of its status (see ipcx mq stat --help).

` + exitStatusHelp,
		Example: `  $ ipcx mq ls
  $ ipcx mq ls --posix --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return mqLsRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	c.Flags().BoolVar(&opts.posix, "posix", false, "POSIX queues only")
	c.Flags().BoolVar(&opts.sysv, "sysv", false, "System V queues only")
	return c
}

var mqLsColumns = []render.Column[mqStatus]{
	{Header: "FLAVOR", Value: func(s mqStatus) string { return s.Flavor }},
	{Header: "ADDRESS", Value: func(s mqStatus) string { return s.Address }},
	{Header: "KEY", Value: func(s mqStatus) string { return optKey(s.Key) }},
	{Header: "MODE", Value: func(s mqStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s mqStatus) string { return s.Owner }},
	{Header: "MESSAGES", Value: func(s mqStatus) string { return optCount(s.Messages) }},
	{Header: "BYTES", Value: func(s mqStatus) string { return optSize64(s.Bytes, false) },
		Human: func(s mqStatus) string { return optSize64(s.Bytes, true) }},
	{Header: "CTIME", Value: func(s mqStatus) string { return optTime(s.CTime, false) },
		Human: func(s mqStatus) string { return optTime(s.CTime, true) }},
}

func mqLsRun(opts *mqLsOptions) error {
	if opts.posix && opts.sysv {
		return errFlavorFlags
	}
	rows := []mqStatus{}
	if !opts.posix {
		qs, err := sysv.MsgQueues()
		if err != nil {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("mq ls: reading System V queues: %v", err)}
		}
		for _, q := range qs {
			rows = append(rows, sysvRow(q))
		}
	}
	if !opts.sysv {
		dir, release, err := posix.MqueueDir()
		switch {
		case errors.Is(err, posix.ErrNoMqueueFS):
			fmt.Fprintf(opts.io.ErrOut, "ipcx: mq ls: POSIX queues not listed: no mqueue filesystem is mounted\n")
			fmt.Fprintf(opts.io.ErrOut, "ipcx: hint: as root: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue\n")
		case err != nil:
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("mq ls: %v", err)}
		default:
			defer release()
			qs, err := posix.MqList(dir)
			if err != nil {
				return &cmdError{code: exitFailure, msg: fmt.Sprintf("mq ls: reading POSIX queues: %v", err)}
			}
			for _, q := range qs {
				rows = append(rows, posixRow(q))
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Flavor < rows[j].Flavor })
	if opts.json {
		return render.JSON(opts.io.Out, rows)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, mqLsColumns, rows)
}

func sysvRow(q sysv.MsgQueue) mqStatus {
	key, id := q.Key, q.ID
	lspid, lrpid := q.LSPID, q.LRPID
	// /proc/sysvipc does not show qbytes; IPC_STAT does, when permitted.
	var qbytes *uint64
	if ds, err := sysv.MsgStat(id); err == nil {
		qbytes = &ds.Qbytes
	}
	return mqStatus{Flavor: "sysv", Address: fmt.Sprintf("id:%d", id), Key: &key, ID: &id, QBytes: qbytes,
		LSPID: &lspid, LRPID: &lrpid, STime: q.STime, RTime: q.RTime, CTime: q.CTime,
		Messages: ptr(int64(q.Msgs)), Bytes: ptr(int64(q.Bytes)), Mode: render.Mode(q.Mode), UID: q.UID, GID: q.GID, Owner: userName(q.UID)}
}

func posixRow(q posix.MqInfo) mqStatus {
	ctime, mtime := q.CTime, q.MTime
	st := mqStatus{Flavor: "posix", Address: q.Name, Name: q.Name,
		Mode: render.Mode(q.Mode), UID: q.UID, GID: q.GID, Owner: userName(q.UID), CTime: &ctime, MTime: &mtime}
	// Bytes and the notify pid need the queue's status read; unknown (null, "-") when not permitted.
	if q.StatusRead {
		st.Bytes = &q.Bytes
		if q.NotifyPID != 0 {
			st.NotifyPID = &q.NotifyPID
		}
	}
	// The message count and sizes need the queue opened; do it when permitted.
	if at, err := posix.MqGetAttr(q.Name); err == nil {
		st.Messages, st.MaxMsg, st.MsgSize = &at.CurMsgs, &at.MaxMsg, &at.MsgSize
	}
	return st
}
