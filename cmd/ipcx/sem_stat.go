package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type semStatOptions struct {
	io   *iostreams.IOStreams
	addr string
	json bool
}

// semStatus is what sem stat and sem ls report of a semaphore of either flavor. Fields that do not
// apply to a flavor are left out of the JSON.
type semStatus struct {
	Flavor  string `json:"flavor"`
	Address string `json:"address"`
	// POSIX
	Name    string     `json:"name,omitempty"`
	Holders []holder   `json:"holders,omitempty"`
	MTime   *time.Time `json:"mtime,omitempty"`
	// System V
	Key   *sysv.Key  `json:"key,omitempty"`
	ID    *sysv.ID   `json:"id,omitempty"`
	OTime *time.Time `json:"otime,omitempty"`
	// Both
	NSems      int        `json:"nsems"`
	Semaphores []semValue `json:"semaphores"`
	Mode       string     `json:"mode"`
	UID        uint32     `json:"uid"`
	GID        uint32     `json:"gid"`
	Owner      string     `json:"owner"`
	CTime      *time.Time `json:"ctime"`
}

// holder is a process that has a POSIX object open or mapped.
type holder struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	FDs     []int  `json:"fds"`
	Mapped  bool   `json:"mapped"`
}

func holdersOf(hs []posix.Holder) []holder {
	out := make([]holder, len(hs))
	for i, h := range hs {
		out[i] = holder{PID: h.PID, Command: h.Comm, FDs: h.FDs, Mapped: h.Mapped}
		if out[i].FDs == nil {
			out[i].FDs = []int{}
		}
	}
	return out
}

var holderColumns = []render.Column[holder]{
	{Header: "PID", Value: func(h holder) string { return fmt.Sprint(h.PID) }},
	{Header: "COMMAND", Value: func(h holder) string { return h.Command }},
	{Header: "FDS", Value: func(h holder) string {
		s := make([]string, len(h.FDs))
		for i, fd := range h.FDs {
			s[i] = fmt.Sprint(fd)
		}
		return strings.Join(s, ",")
	}},
	{Header: "MAPPED", Value: func(h holder) string { return yesNo(h.Mapped) }},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newSemStatCmd(io *iostreams.IOStreams, runF func(*semStatOptions) error) *cobra.Command {
	opts := &semStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat ADDR",
		Short: "Show a semaphore's attributes, value and users",
		Long: `Show a semaphore's attributes and state. POSIX: name, mode, owner, value, registered waiters,
time of the last change, and the processes that have it mapped (from /proc/PID/maps; other users'
processes need root). System V: key, id, mode, owner, number of semaphores, times of the last
semop and change, then every semaphore with its value, waiters (NCNT for an increase, ZCNT for
zero) and the last process that operated on it.

` + exitStatusHelp,
		Example: `  $ ipcx sem stat /lock
  $ ipcx sem stat --json key:0x1a2b`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return semStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNSWhole(c)
}

func semStatRun(opts *semStatOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	h := &semHandle{obj: semObject(a)}
	var st semStatus
	if a.Kind == addr.POSIX {
		info, err := posix.SemStat(a.Name)
		if err != nil {
			return h.fail(err)
		}
		st = posixSemStatus(*info)
		hs, err := posix.SemHolders(a.Name)
		if err != nil {
			return h.fail(err)
		}
		st.Holders = holdersOf(hs)
	} else {
		id, err := sysvSemID(a, 0, 0)
		if err != nil {
			return h.fail(err)
		}
		info, err := sysv.SemSetOf(id)
		if err != nil {
			return h.fail(err)
		}
		st = sysvSemStatus(info)
		if st.Semaphores, err = sysvSemValues(id); err != nil {
			return h.fail(err)
		}
	}
	if opts.json {
		return render.JSON(opts.io.Out, st)
	}
	w := opts.io.Out
	if st.Flavor == "posix" {
		if err := render.Table(w, opts.io.OutTTY, semPosixStatColumns, []semStatus{st}); err != nil {
			return err
		}
		if len(st.Holders) == 0 {
			_, err := fmt.Fprintln(w, "\nno process has it mapped")
			return err
		}
		fmt.Fprintln(w)
		return render.Table(w, opts.io.OutTTY, holderColumns, st.Holders)
	}
	if err := render.Table(w, opts.io.OutTTY, semSysvStatColumns, []semStatus{st}); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return render.Table(w, opts.io.OutTTY, semValueColumns, st.Semaphores)
}

func posixSemStatus(info posix.SemInfo) semStatus {
	mtime, ctime := info.Mtime.UTC(), info.Ctime.UTC()
	st := semStatus{Flavor: "posix", Address: info.Name, Name: info.Name, NSems: 1,
		Mode: render.Mode(info.Mode), UID: info.UID, GID: info.GID, Owner: userName(info.UID),
		MTime: &mtime, CTime: &ctime}
	// An unreadable value is unknown: "semaphores": null, as for a System V set GETALL refuses.
	if info.Value >= 0 {
		w := info.Waiters
		st.Semaphores = []semValue{{Index: 0, Value: info.Value, Waiters: &w}}
	}
	return st
}

// sysvSemStatus is the report of a set from its IPC_STAT or /proc/sysvipc/sem record; the values
// are added by the caller.
func sysvSemStatus(s sysv.SemSet) semStatus {
	key, id := s.Key, s.ID
	return semStatus{Flavor: "sysv", Address: fmt.Sprintf("id:%d", id), Key: &key, ID: &id, NSems: s.NSems,
		Mode: render.Mode(s.Mode), UID: s.UID, GID: s.GID, Owner: userName(s.UID), OTime: s.OTime, CTime: s.CTime}
}

// semValuesText is the values of a semaphore's semaphores, comma-separated; "?" when unknown.
func semValuesText(s semStatus) string {
	if s.Semaphores == nil {
		return "?"
	}
	v := make([]string, len(s.Semaphores))
	for i, x := range s.Semaphores {
		if x.Value < 0 {
			v[i] = "?"
		} else {
			v[i] = fmt.Sprint(x.Value)
		}
	}
	return strings.Join(v, ",")
}

var semPosixStatColumns = []render.Column[semStatus]{
	{Header: "NAME", Value: func(s semStatus) string { return s.Name }},
	{Header: "MODE", Value: func(s semStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s semStatus) string { return s.Owner }},
	{Header: "VALUE", Value: semValuesText},
	{Header: "WAITERS", Value: func(s semStatus) string {
		if len(s.Semaphores) == 0 || s.Semaphores[0].Waiters == nil {
			return "?"
		}
		return fmt.Sprint(*s.Semaphores[0].Waiters)
	}},
	{Header: "MTIME", Value: func(s semStatus) string { return optTime(s.MTime, false) },
		Human: func(s semStatus) string { return optTime(s.MTime, true) }},
}

var semSysvStatColumns = []render.Column[semStatus]{
	{Header: "KEY", Value: func(s semStatus) string { return s.Key.String() }},
	{Header: "ID", Value: func(s semStatus) string { return fmt.Sprint(*s.ID) }},
	{Header: "MODE", Value: func(s semStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s semStatus) string { return s.Owner }},
	{Header: "NSEMS", Value: func(s semStatus) string { return fmt.Sprint(s.NSems) }},
	{Header: "OTIME", Value: func(s semStatus) string { return optTime(s.OTime, false) },
		Human: func(s semStatus) string { return optTime(s.OTime, true) }},
	{Header: "CTIME", Value: func(s semStatus) string { return optTime(s.CTime, false) },
		Human: func(s semStatus) string { return optTime(s.CTime, true) }},
}
