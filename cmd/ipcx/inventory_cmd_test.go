package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

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

// FuzzParseProj: a project id is 1..255 or one character, never anything else.
func FuzzParseProj(f *testing.F) {
	for _, s := range []string{"1", "65", "A", "0x41", "0", "256", "", "AB", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseProj(s)
		if err == nil && (n < 1 || n > 255) {
			t.Fatalf("parseProj(%q) = %d", s, n)
		}
	})
}

// TestLsJSONMatchesEncoding holds ls's hand-written JSON to encoding/json's bytes for the same rows.
func TestLsJSONMatchesEncoding(t *testing.T) {
	now := time.Date(2026, 11, 21, 14, 3, 7, 0, time.UTC)
	objs := []inventory.Object{
		{Kind: inventory.Shm, Flavor: inventory.SysV, Key: sysv.Key(-5), ID: 7, Size: 4096, CPID: 10, LPID: 11, CTime: now,
			ATime: now, HoldersKnown: true, Holders: []inventory.Holder{{PID: 11, Comm: "a\"p\\p\n<é>", How: "attached"}, {PID: 12, How: "x"}}},
		{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: "/jobs\t✓", Messages: 3, CTime: now, HoldersKnown: true, Orphaned: true},
		{Kind: inventory.MQ, Flavor: inventory.SysV, Messages: 0, LSPID: 3, STime: now},
		{Kind: inventory.Sem, Flavor: inventory.POSIX, Name: "/s"},
	}
	rows := make([]lsRow, len(objs))
	for i := range objs {
		rows[i] = newLsRow(&objs[i])
	}
	rows[3].Holders = nil
	for _, rs := range [][]lsRow{rows, rows[:1], nil} {
		var want, got bytes.Buffer
		if err := render.JSON(&want, rs); err != nil {
			t.Fatal(err)
		}
		if err := lsJSON(&got, rs); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("lsJSON:\n%s\nencoding/json:\n%s", got.String(), want.String())
		}
	}
	// From objects, in parallel chunks: the same bytes as from their rows.
	many := make([]inventory.Object, 2500)
	for i := range many {
		many[i] = objs[i%3]
		many[i].ID = sysv.ID(i)
	}
	manyRows := make([]lsRow, len(many))
	for i := range many {
		manyRows[i] = newLsRow(&many[i])
	}
	var want, got bytes.Buffer
	render.JSON(&want, manyRows)
	if err := lsJSONObjects(&got, many); err != nil || got.String() != want.String() {
		t.Errorf("lsJSONObjects differs from encoding/json (%v)", err)
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
			syscall.Kill(os.Getpid(), syscall.SIGINT)
		}
		return []byte(fmt.Sprintf("NAME\nframe%d\n", n)), nil
	})
	var se *silentExit
	if !errors.As(err, &se) || se.code != 130 {
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
