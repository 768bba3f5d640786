package main

import (
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/spf13/cobra"
)

type shmStatOptions struct {
	io   *iostreams.IOStreams
	addr string
	json bool
}

// shmStatus is what shm stat and shm ls report of shared memory of either flavor. Fields that do
// not apply to a flavor are left out of the JSON.
type shmStatus struct {
	Flavor  string `json:"flavor"`
	Address string `json:"address"`
	// POSIX
	Name    string     `json:"name,omitempty"`
	Holders []holder   `json:"holders,omitempty"`
	MTime   *time.Time `json:"mtime,omitempty"`
	// System V
	Key     *sysv.Key  `json:"key,omitempty"`
	ID      *sysv.ID   `json:"id,omitempty"`
	NAttch  *uint64    `json:"nattch,omitempty"`
	CPID    *int       `json:"cpid,omitempty"`
	LPID    *int       `json:"lpid,omitempty"`
	ATime   *time.Time `json:"atime,omitempty"`
	DTime   *time.Time `json:"dtime,omitempty"`
	Removed *bool      `json:"removed,omitempty"` // marked for removal, still attached
	// Both
	Size  int64      `json:"size"`
	Mode  string     `json:"mode"`
	UID   uint32     `json:"uid"`
	GID   uint32     `json:"gid"`
	Owner string     `json:"owner"`
	CTime *time.Time `json:"ctime"`
}

func newShmStatCmd(io *iostreams.IOStreams, runF func(*shmStatOptions) error) *cobra.Command {
	opts := &shmStatOptions{io: io}
	c := &cobra.Command{
		Use:   "stat ADDR",
		Short: "Show shared memory's size, mode, owner and users",
		Long: `Show shared memory's attributes. POSIX: name, size, mode, owner, time of the last change, and the
processes that have it open or mapped (from /proc/PID/fd and /proc/PID/maps; other users'
processes need root). System V: key, id, size, mode, owner, number of attaches, creator and last
pids, times of the last attach, detach and change, and whether it is marked for removal.

` + exitStatusHelp,
		Example: `  $ ipcx shm stat /frame
  $ ipcx shm stat --json key:0x1a2b`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return shmStatRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNSWhole(c)
}

func shmStatRun(opts *shmStatOptions) error {
	a, err := shmTarget(opts.addr)
	if err != nil {
		return err
	}
	h := &shmHandle{obj: shmObject(a)}
	var st shmStatus
	if a.Kind == addr.POSIX {
		info, err := posix.ShmStat(a.Name)
		if err != nil {
			return h.fail(err)
		}
		st = posixShmStatus(*info)
		hs, err := posix.ShmHolders(a.Name)
		if err != nil {
			return h.fail(err)
		}
		st.Holders = holdersOf(hs)
	} else {
		id, err := sysvShmID(a, 0, 0)
		if err != nil {
			return h.fail(err)
		}
		info, err := sysv.ShmSegOf(id)
		if err != nil {
			return h.fail(err)
		}
		st = sysvShmStatus(info)
	}
	if opts.json {
		return render.JSON(opts.io.Out, st)
	}
	w := opts.io.Out
	if st.Flavor == "sysv" {
		return render.Table(w, opts.io.OutTTY, shmSysvStatColumns, []shmStatus{st})
	}
	if err := render.Table(w, opts.io.OutTTY, shmPosixStatColumns, []shmStatus{st}); err != nil {
		return err
	}
	if len(st.Holders) == 0 {
		_, err := fmt.Fprintln(w, "\nno process has it open or mapped")
		return err
	}
	fmt.Fprintln(w)
	return render.Table(w, opts.io.OutTTY, holderColumns, st.Holders)
}

func posixShmStatus(info posix.ShmInfo) shmStatus {
	mtime, ctime := info.Mtime.UTC(), info.Ctime.UTC()
	return shmStatus{Flavor: "posix", Address: info.Name, Name: info.Name, Size: info.Size,
		Mode: render.Mode(info.Mode), UID: info.UID, GID: info.GID, Owner: userName(info.UID), MTime: &mtime, CTime: &ctime}
}

// sysvShmStatus is the report of a segment from its IPC_STAT or /proc/sysvipc/shm record.
func sysvShmStatus(s sysv.ShmSeg) shmStatus {
	key, id, nattch, cpid, lpid := s.Key, s.ID, s.NAttch, s.CPID, s.LPID
	removed := s.Mode&sysv.ShmDest != 0
	return shmStatus{Flavor: "sysv", Address: fmt.Sprintf("id:%d", id), Key: &key, ID: &id, NAttch: &nattch,
		CPID: &cpid, LPID: &lpid, ATime: s.ATime, DTime: s.DTime, Removed: &removed,
		Size: int64(s.Size), Mode: render.Mode(s.Mode & 0o777), UID: s.UID, GID: s.GID,
		Owner: userName(s.UID), CTime: s.CTime}
}

func shmSizeColumn() render.Column[shmStatus] {
	return render.Column[shmStatus]{Header: "SIZE", Value: func(s shmStatus) string { return render.Size(s.Size, false) },
		Human: func(s shmStatus) string { return render.Size(s.Size, true) }}
}

var shmPosixStatColumns = []render.Column[shmStatus]{
	{Header: "NAME", Value: func(s shmStatus) string { return s.Name }},
	{Header: "MODE", Value: func(s shmStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s shmStatus) string { return s.Owner }},
	shmSizeColumn(),
	{Header: "MTIME", Value: func(s shmStatus) string { return optTime(s.MTime, false) },
		Human: func(s shmStatus) string { return optTime(s.MTime, true) }},
}

var shmSysvStatColumns = []render.Column[shmStatus]{
	{Header: "KEY", Value: func(s shmStatus) string { return s.Key.String() }},
	{Header: "ID", Value: func(s shmStatus) string { return fmt.Sprint(*s.ID) }},
	{Header: "MODE", Value: func(s shmStatus) string { return s.Mode }},
	{Header: "OWNER", Value: func(s shmStatus) string { return s.Owner }},
	shmSizeColumn(),
	{Header: "NATTCH", Value: func(s shmStatus) string { return fmt.Sprint(*s.NAttch) }},
	{Header: "CPID", Value: func(s shmStatus) string { return optInt(s.CPID) }},
	{Header: "LPID", Value: func(s shmStatus) string { return optInt(s.LPID) }},
	{Header: "ATIME", Value: func(s shmStatus) string { return optTime(s.ATime, false) },
		Human: func(s shmStatus) string { return optTime(s.ATime, true) }},
	{Header: "DTIME", Value: func(s shmStatus) string { return optTime(s.DTime, false) },
		Human: func(s shmStatus) string { return optTime(s.DTime, true) }},
	{Header: "CTIME", Value: func(s shmStatus) string { return optTime(s.CTime, false) },
		Human: func(s shmStatus) string { return optTime(s.CTime, true) }},
	{Header: "STATUS", Value: shmState},
}

func shmState(s shmStatus) string {
	if s.Removed != nil && *s.Removed {
		return "removed"
	}
	return "-"
}
