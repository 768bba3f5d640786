package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sysv"
)

// jsonFields returns the JSON field names of a struct value's encoding.
func jsonFields(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lsRow is one object as ls reported it before its fields became data (render.LsFields()): the
// reference that ls --json must still match byte for byte.
type lsRow struct {
	objectRef
	Owner    string       `json:"owner"`
	UID      uint32       `json:"uid"`
	GID      uint32       `json:"gid"`
	CUID     uint32       `json:"cuid"`
	CGID     uint32       `json:"cgid"`
	Mode     string       `json:"mode"`
	Size     *int64       `json:"size"` // nil: unknown (a POSIX queue the caller may not read)
	Messages *int64       `json:"messages,omitempty"`
	CPID     *int         `json:"cpid,omitempty"`
	LPID     *int         `json:"lpid,omitempty"`
	CTime    *time.Time   `json:"ctime"`
	LastOp   *time.Time   `json:"lastOp"`
	Holders  []holderJSON `json:"holders"`
	Orphaned *bool        `json:"orphaned"`
}

type holderJSON struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
	How  string `json:"how"`
}

func newLsRow(o *inventory.Object) lsRow {
	r := lsRow{objectRef: newObjectRef(o), Owner: render.UserName(o.UID),
		UID: o.UID, GID: o.GID, CUID: o.CUID, CGID: o.CGID, Mode: render.Mode(o.Mode & 0o777),
		Holders: []holderJSON{}}
	if o.Size >= 0 {
		n := o.Size
		r.Size = &n
	}
	if o.Kind == inventory.MQ && o.Messages >= 0 {
		m := o.Messages
		r.Messages = &m
	}
	pid := func(p int) *int {
		if p <= 0 {
			return nil
		}
		return &p
	}
	lastOp := time.Time{}
	switch {
	case o.Flavor == inventory.SysV && o.Kind == inventory.Shm:
		r.CPID, r.LPID = pid(o.CPID), pid(o.LPID)
		lastOp = refLater(o.ATime, o.DTime)
	case o.Flavor == inventory.SysV && o.Kind == inventory.MQ:
		if o.RTime.After(o.STime) {
			r.LPID = pid(o.LRPID)
		} else {
			r.LPID = pid(o.LSPID)
		}
		lastOp = refLater(o.STime, o.RTime)
	case o.Flavor == inventory.SysV && o.Kind == inventory.Sem:
		for _, p := range o.SemPIDs {
			if p > 0 {
				r.LPID = pid(p)
				break
			}
		}
		lastOp = o.OTime
	default:
		lastOp = o.MTime
	}
	if !o.CTime.IsZero() {
		t := o.CTime.UTC()
		r.CTime = &t
	}
	if !lastOp.IsZero() {
		t := lastOp.UTC()
		r.LastOp = &t
	}
	for _, h := range o.Holders {
		r.Holders = append(r.Holders, holderJSON{PID: h.PID, Comm: h.Comm, How: h.How})
	}
	if o.HoldersKnown {
		b := o.Orphaned
		r.Orphaned = &b
	}
	return r
}

func refLater(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestLsJSONFields pins the field names scripts read from ls --json, for both flavors.
func TestLsJSONFields(t *testing.T) {
	now := time.Now()
	sysvObj := inventory.Object{Kind: inventory.Shm, Flavor: inventory.SysV, Key: sysv.Key(0x1a2b), ID: 7, Size: 4096,
		CPID: 10, LPID: 11, CTime: now, ATime: now, HoldersKnown: true,
		Holders: []inventory.Holder{{PID: 11, Comm: "app", How: "attached"}}}
	got := jsonFields(t, newLsRow(&sysvObj))
	want := []string{"address", "cgid", "cpid", "ctime", "cuid", "flavor", "gid", "holders", "id", "key", "kind",
		"lastOp", "lpid", "mode", "orphaned", "owner", "size", "uid"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("System V shm fields %v, want %v", got, want)
	}
	posixObj := inventory.Object{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: "/jobs", Messages: 3, CTime: now}
	got = jsonFields(t, newLsRow(&posixObj))
	want = []string{"address", "cgid", "ctime", "cuid", "flavor", "gid", "holders", "kind", "lastOp", "messages", "mode",
		"name", "orphaned", "owner", "size", "uid"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("POSIX mq fields %v, want %v", got, want)
	}
	r := newLsRow(&sysvObj)
	if *r.Key != "0x00001a2b" || *r.ID != 7 || r.Holders[0].How != "attached" || *r.Orphaned {
		t.Errorf("row %+v", r)
	}
	if p := newLsRow(&posixObj); p.Orphaned != nil {
		t.Error("orphaned must be null when holders were not looked for")
	}
}

// TestLsOptions checks the flags reach the options through the runF seam.
func TestLsOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *lsOptions
	c := newRootCmd(ios)
	for _, sub := range c.Commands() {
		if sub.Name() == "ls" {
			c.RemoveCommand(sub)
		}
	}
	ls := newLsCmd(ios, func(o *lsOptions) error { got = o; return nil })
	c.AddCommand(ls)
	c.SetArgs([]string{"--ns", "1", "ls", "--kind", "mq,sem", "--posix", "--owner", "0", "--older-than", "1h",
		"--orphaned", "--name", "/j*", "--sort", "size", "-o", "name,size", "--watch"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	f := got.filter
	if strings.Join(f.kinds, ",") != "mq,sem" || !f.posix || f.owner != "0" || f.olderThan != time.Hour || !f.orphaned ||
		f.name != "/j*" || got.sort != "size" || strings.Join(got.columns, ",") != "name,size" || got.watch != 2*time.Second ||
		got.ns.PID != 1 {
		t.Errorf("options %+v", got)
	}
	flt, opts, err := f.build()
	if err != nil || !flt.Kinds[inventory.Sem] || flt.Kinds[inventory.Shm] || !flt.Flavors[inventory.POSIX] || *flt.Owner != 0 ||
		!opts.Holders || opts.Kinds == nil {
		t.Errorf("build: %+v %+v %v", flt, opts, err)
	}
}

// TestLsJSONMatchesEncoding holds ls's JSON (render.JSONRows over render.LsFields()) to
// encoding/json's bytes for the rows ls printed before.
func TestLsJSONMatchesEncoding(t *testing.T) {
	now := time.Date(2026, 11, 21, 14, 3, 7, 0, time.UTC)
	objs := []inventory.Object{
		{Kind: inventory.Shm, Flavor: inventory.SysV, Key: sysv.Key(-5), ID: 7, Size: 4096, CPID: 10, LPID: 11, CTime: now,
			ATime: now, HoldersKnown: true, Holders: []inventory.Holder{{PID: 11, Comm: "a\"p\\p\n<é>", How: "attached"}, {PID: 12, How: "x"}}},
		{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: "/jobs\t✓", Messages: 3, CTime: now, HoldersKnown: true, Orphaned: true},
		{Kind: inventory.MQ, Flavor: inventory.SysV, Messages: 0, LSPID: 3, STime: now},
		{Kind: inventory.Sem, Flavor: inventory.POSIX, Name: "/s", Size: -1},
		{Kind: inventory.Sem, Flavor: inventory.SysV, Size: 2, SemPIDs: []int{0, 9}, OTime: now.Add(time.Second), HoldersKnown: true},
	}
	for _, os := range [][]inventory.Object{objs, objs[:1], nil} {
		rows := make([]lsRow, len(os))
		for i := range os {
			rows[i] = newLsRow(&os[i])
		}
		var want, got bytes.Buffer
		if err := render.JSON(&want, rows); err != nil {
			t.Fatal(err)
		}
		if err := render.JSONRows(&got, render.LsFields(), pointers(os)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("render.JSONRows:\n%s\nencoding/json:\n%s", got.String(), want.String())
		}
	}
}

// TestWatchRedrawsInPlace: on a terminal each frame homes the cursor and overwrites the old one
// line by line, clearing only the rest of each line and what is below: the screen is cleared once,
// at the start, so redraws do not flicker. Ctrl-C ends the watch with 130.
func TestWatchRedrawsInPlace(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.OutTTY = true
	n := 0
	err := watch(ios, 10*time.Millisecond, func() ([]byte, error) {
		n++
		if n == 3 {
			signalSelf(os.Interrupt)
		}
		return []byte(fmt.Sprintf("NAME\nframe%d\n", n)), nil
	})
	if failure.Code(err) != 130 {
		t.Fatalf("watch ended with %v, want exit 130", err)
	}
	s := out.String()
	if strings.Count(s, "\x1b[2J") != 1 || !strings.HasPrefix(s, "\x1b[H\x1b[2J") {
		t.Errorf("the screen is cleared more than once: %q", s)
	}
	if strings.Count(s, "\x1b[H") < 3 || !strings.Contains(s, "frame2\x1b[K\n") || strings.Count(s, "\x1b[J") < 3 {
		t.Errorf("frames not redrawn in place: %q", s)
	}
}
