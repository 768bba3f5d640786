package main

import (
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

type sockLsOptions struct {
	io     *iostreams.IOStreams
	filter sock.Filter
	json   bool
}

// sockRow is one socket as sock ls reports it.
type sockRow struct {
	Kind      string     `json:"kind"`  // unix, unix-dgram, unix-seqpacket, tcp, udp
	State     string     `json:"state"` // LISTEN, ESTAB, UNCONN, ...
	RecvQ     *int64     `json:"recvQ"` // null: unknown
	SendQ     *int64     `json:"sendQ"`
	Local     string     `json:"local"`
	Peer      string     `json:"peer"`
	Inode     uint64     `json:"inode"`
	PeerInode uint64     `json:"peerInode,omitempty"`
	UID       *int       `json:"uid,omitempty"`
	Processes []sockProc `json:"processes"`
}

type sockProc struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	FD      int    `json:"fd"`
}

func newSockLsCmd(io *iostreams.IOStreams, runF func(*sockLsOptions) error) *cobra.Command {
	opts := &sockLsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List the machine's sockets with their state, addresses, queues and processes",
		Long: `List the sockets of this network namespace, like ss -xp and ss -tulnp: kind, state, receive and
send queues (for a listening socket: connections waiting to be accepted, and the backlog), local
and peer address, and the processes holding each (pid/command; root sees them all). UNIX sockets'
peers are shown by the peer's name when it has one.

The list comes from netlink sock_diag, or /proc/net when that is not available (then UNIX queues
are unknown, "-").

` + exitStatusHelp,
		Example: `  $ ipcx sock ls
  $ ipcx sock ls --tcp --listening
  $ ipcx sock ls --unix --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sockLsRun(opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.filter.Unix, "unix", false, "UNIX sockets")
	f.BoolVar(&opts.filter.TCP, "tcp", false, "TCP sockets")
	f.BoolVar(&opts.filter.UDP, "udp", false, "UDP sockets")
	f.BoolVarP(&opts.filter.Listening, "listening", "l", false, "only listening (and bound datagram) sockets")
	f.BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func sockLsRun(opts *sockLsOptions) error {
	socks, err := sock.List(opts.filter)
	if err != nil {
		return failure.Newf(failure.Failure, "sock ls: %v", err)
	}
	rows := make([]sockRow, 0, len(socks))
	for _, s := range socks {
		r := sockRow{Kind: s.Kind.String(), State: s.State, Local: s.Local, Peer: s.Peer, Inode: s.Inode,
			PeerInode: s.PeerInode, Processes: []sockProc{}}
		if s.RecvQ >= 0 {
			r.RecvQ, r.SendQ = &s.RecvQ, &s.SendQ
		}
		if s.UID >= 0 {
			r.UID = &s.UID
		}
		for _, p := range s.Procs {
			r.Processes = append(r.Processes, sockProc{PID: p.PID, Command: p.Command, FD: p.FD})
		}
		rows = append(rows, r)
	}
	if opts.json {
		return render.JSON(opts.io.Out, rows)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, sockColumns, rows)
}

var sockColumns = []render.Column[sockRow]{
	{Header: "KIND", Value: func(r sockRow) string { return r.Kind }},
	{Header: "STATE", Value: func(r sockRow) string { return r.State }},
	{Header: "RECV-Q", Value: func(r sockRow) string { return render.Opt(r.RecvQ, render.Int[int64], render.Dash) }},
	{Header: "SEND-Q", Value: func(r sockRow) string { return render.Opt(r.SendQ, render.Int[int64], render.Dash) }},
	{Header: "LOCAL", Value: func(r sockRow) string { return r.Local }},
	{Header: "PEER", Value: func(r sockRow) string {
		if r.Peer == "" && r.PeerInode != 0 {
			return "inode:" + strconv.FormatUint(r.PeerInode, 10)
		}
		return r.Peer
	}},
	{Header: "PROCESS", Value: func(r sockRow) string {
		var parts []string
		for _, p := range r.Processes {
			parts = append(parts, strconv.Itoa(p.PID)+"/"+p.Command)
		}
		return strings.Join(parts, ",")
	}},
}
