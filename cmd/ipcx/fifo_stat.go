package main

import (
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type fifoStatOptions struct {
	io   *iostreams.IOStreams
	path string
	json bool
}

// fifoStatus is what fifo stat reports.
type fifoStatus struct {
	Path     string       `json:"path"`
	Mode     string       `json:"mode"`
	UID      int          `json:"uid"`
	GID      int          `json:"gid"`
	Owner    string       `json:"owner"`
	Open     bool         `json:"open"`
	Buffered *int         `json:"buffered"` // null: unknown
	Capacity *int         `json:"capacity"` // null: unknown
	Readers  []fifoHolder `json:"readers"`
	Writers  []fifoHolder `json:"writers"`
}

type fifoHolder struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	FD      int    `json:"fd"`
}

func newFifoStatCmd(io *iostreams.IOStreams, runF func(*fifoStatOptions) error) *cobra.Command {
	opts := &fifoStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat PATH",
		Short: "Show a FIFO's mode, owner, buffered bytes, capacity and who holds it open",
		Long: `Show a FIFO's mode and owner, the bytes written to it and not yet read, its capacity (the pipe
buffer size, F_GETPIPE_SZ) and the processes that hold it open for reading and for writing (from
/proc/PID/fd; root sees every process). stat itself never opens the FIFO in a way that would wake
a process waiting to open it: when it cannot learn the buffered bytes otherwise, it says "-".

A FIFO nobody holds open has no buffer: it shows 0 bytes and the capacity the next opener gets.

` + exitStatusHelp,
		Example: `  $ ipcx fifo stat /tmp/jobs
  $ ipcx fifo stat --json /tmp/jobs`,
		Args: exactArgs(1, "one path"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.path = args[0]
			if runF != nil {
				return runF(opts)
			}
			return fifoStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func fifoStatRun(opts *fifoStatOptions) error {
	info, err := posix.StatFIFO(opts.path)
	if err != nil {
		return fifoObject(opts.path).Explain(err)
	}
	st := fifoStatus{Path: info.Path, Mode: render.Mode(info.Mode), UID: info.UID, GID: info.GID,
		Owner: render.UserName(uint32(info.UID)), Open: info.Open, Readers: []fifoHolder{}, Writers: []fifoHolder{}}
	if info.Buffered >= 0 {
		st.Buffered = &info.Buffered
	}
	if info.Capacity >= 0 {
		st.Capacity = &info.Capacity
	}
	for _, h := range info.Holders {
		fh := fifoHolder{PID: h.PID, Command: h.Command, FD: h.FD}
		if h.Read {
			st.Readers = append(st.Readers, fh)
		}
		if h.Write {
			st.Writers = append(st.Writers, fh)
		}
	}
	if opts.json {
		return render.JSON(opts.io.Out, st)
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, fifoStatColumns, []fifoStatus{st})
}

var fifoStatColumns = []render.Column[fifoStatus]{
	{Header: "PATH", Value: func(s fifoStatus) string { return s.Path }},
	{Header: "MODE", Value: func(s fifoStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s fifoStatus) string { return s.Owner }},
	{Header: "BUFFERED", Value: func(s fifoStatus) string { return render.Opt(s.Buffered, render.SizeFormat[int](false), render.Dash) },
		Human: func(s fifoStatus) string { return render.Opt(s.Buffered, render.SizeFormat[int](true), render.Dash) }},
	{Header: "CAPACITY", Value: func(s fifoStatus) string { return render.Opt(s.Capacity, render.SizeFormat[int](false), render.Dash) },
		Human: func(s fifoStatus) string { return render.Opt(s.Capacity, render.SizeFormat[int](true), render.Dash) }},
	{Header: "READERS", Value: func(s fifoStatus) string { return holders(s.Readers) }},
	{Header: "WRITERS", Value: func(s fifoStatus) string { return holders(s.Writers) }},
}

// holders formats processes as pid/command, comma-separated ("-" for none).
func holders(hs []fifoHolder) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, strconv.Itoa(h.PID)+"/"+h.Command)
	}
	return strings.Join(parts, ",")
}
