package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
)

// TestFieldsColumns: -o names come from the headers (or Name), unknown ones are refused with the
// list, and each view's defaults are its columns.
func TestFieldsColumns(t *testing.T) {
	if _, err := LsFields().Columns("kind", "NAME", "lastop", "messages"); err != nil {
		t.Error(err)
	}
	_, err := LsFields().Columns("nosuch")
	if err == nil || !strings.Contains(err.Error(), `unknown column "nosuch": want some of address,cpid,`) {
		t.Errorf("unknown column: %v", err)
	}
	for name, v := range map[string]struct {
		fs   Fields[*inventory.Object]
		defs []string
	}{"ls": {LsFields(), LsDefault}, "mq": {MqFields(), MqDefault}, "sem": {SemFields(), SemDefault}, "shm": {ShmFields(), ShmDefault}, "mq stat": {MqStatFields(), MqDefault}} {
		if _, err := v.fs.Columns(v.defs...); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		seen := map[string]bool{}
		for _, n := range v.fs.Names() {
			if seen[n] {
				t.Errorf("%s: column %s twice", name, n)
			}
			seen[n] = true
		}
	}
	if got := strings.Join(LsFields().Names(), " "); got != "kind flavor name key id address owner uid gid mode size messages cpid lpid ctime lastop holders orphaned" {
		t.Errorf("ls columns %s", got)
	}
}

// TestJSONRowsIsJSON: every view's JSON parses, members in the view's order, as one array or object.
func TestJSONRowsIsJSON(t *testing.T) {
	now := time.Date(2026, 11, 21, 14, 3, 7, 5, time.UTC)
	w := 2
	objs := []*inventory.Object{
		{Kind: inventory.MQ, Flavor: inventory.SysV, Key: 0x1a2b, ID: 3, Messages: 1, Size: 3, QBytes: 16384, STime: now, CTime: now},
		{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: "/q\"\n", Messages: -1, Size: -1, CTime: now, MTime: now},
		{Kind: inventory.Sem, Flavor: inventory.POSIX, Name: "/s", Size: 1, SemValues: []inventory.SemValue{{Value: 1, Waiters: &w}}},
		{Kind: inventory.Shm, Flavor: inventory.SysV, Mode: 0o1600, Size: 4096, NAttch: 1, CTime: now},
	}
	for _, fs := range []Fields[*inventory.Object]{LsFields(), MqFields(), SemFields(), ShmFields(), MqStatFields()} {
		var b bytes.Buffer
		if err := JSONRows(&b, fs, objs); err != nil {
			t.Fatal(err)
		}
		var v []map[string]any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil || len(v) != len(objs) {
			t.Fatalf("%v:\n%s", err, b.String())
		}
		b.Reset()
		if err := JSONObject(&b, fs, objs[0]); err != nil || !json.Valid(b.Bytes()) || !strings.HasPrefix(b.String(), "{\n  \"") {
			t.Errorf("JSONObject: %v\n%s", err, b.String())
		}
	}
	var b bytes.Buffer
	JSONRows(&b, ShmFields(), objs[3:])
	if !strings.Contains(b.String(), `"removed": true`) || !strings.Contains(b.String(), `"mode": "0600"`) {
		t.Errorf("a removed segment:\n%s", b.String())
	}
	b.Reset()
	JSONRows(&b, MqFields(), nil)
	if b.String() != "[]\n" {
		t.Errorf("empty: %q", b.String())
	}
}

func TestOpt(t *testing.T) {
	zero, five := 0, 5
	for _, c := range []struct {
		p    *int
		r    Rule
		want string
	}{{nil, Dash, "-"}, {&zero, Dash, "0"}, {&zero, DashZero, "-"}, {&five, DashZero, "5"}, {nil, Unknown, "unknown"}} {
		if got := Opt(c.p, Int[int], c.r); got != c.want {
			t.Errorf("Opt(%v, %+v) = %q, want %q", c.p, c.r, got, c.want)
		}
	}
}

// ls --help lists the JSON members from LsFields: every member, in order, in its help words.
func TestLsJSONNames(t *testing.T) {
	got := strings.Join(LsFields().JSONNames(), ", ")
	want := "kind, flavor, address, name or key and id, owner, uid, gid, cuid, cgid, mode, size, messages, cpid, lpid, ctime, lastOp (RFC 3339), holders [{pid, comm, how}], orphaned"
	if got != want {
		t.Errorf("LsFields().JSONNames() = %q\n want %q", got, want)
	}
}
