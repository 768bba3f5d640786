package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/sysv"
)

func sysvTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// fromSysv parses text with the sysv package's parser of the table and converts its rows the way
// the inventory's own parser fills Objects.
func fromSysv(t procTable, text []byte) ([]Object, error) {
	var out []Object
	switch t.kind {
	case MQ:
		qs, err := sysv.ParseMsgQueues(bytes.NewReader(text))
		for _, q := range qs {
			out = append(out, Object{Kind: MQ, Flavor: SysV, Key: q.Key, ID: q.ID, Mode: q.Mode, UID: q.UID, GID: q.GID,
				CUID: q.CUID, CGID: q.CGID, Size: int64(q.Bytes), Messages: int64(q.Msgs), LSPID: q.LSPID, LRPID: q.LRPID,
				STime: sysvTime(q.STime), RTime: sysvTime(q.RTime), CTime: sysvTime(q.CTime)})
		}
		return out, err
	case Shm:
		ss, err := sysv.ParseShmSegs(bytes.NewReader(text))
		for _, s := range ss {
			out = append(out, Object{Kind: Shm, Flavor: SysV, Key: s.Key, ID: s.ID, Mode: s.Mode, UID: s.UID, GID: s.GID,
				CUID: s.CUID, CGID: s.CGID, Size: int64(s.Size), CPID: s.CPID, LPID: s.LPID, NAttch: int64(s.NAttch),
				RSS: int64(s.RSS), Swap: int64(s.Swap), ATime: sysvTime(s.ATime), DTime: sysvTime(s.DTime), CTime: sysvTime(s.CTime)})
		}
		return out, err
	}
	ss, err := sysv.ParseSemSets(bytes.NewReader(text))
	for _, s := range ss {
		out = append(out, Object{Kind: Sem, Flavor: SysV, Key: s.Key, ID: s.ID, Mode: s.Mode, UID: s.UID, GID: s.GID,
			CUID: s.CUID, CGID: s.CGID, Size: int64(s.NSems), OTime: sysvTime(s.OTime), CTime: sysvTime(s.CTime)})
	}
	return out, err
}

func sameObjects(a, b []Object) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		for _, p := range [][2]*time.Time{{&x.CTime, &y.CTime}, {&x.ATime, &y.ATime}, {&x.DTime, &y.DTime},
			{&x.STime, &y.STime}, {&x.RTime, &y.RTime}, {&x.OTime, &y.OTime}} {
			if !p[0].Equal(*p[1]) {
				return false
			}
			*p[0], *p[1] = time.Time{}, time.Time{}
		}
		if x.Key != y.Key || x.ID != y.ID || x.Mode != y.Mode || x.UID != y.UID || x.GID != y.GID || x.CUID != y.CUID ||
			x.CGID != y.CGID || x.Size != y.Size || x.Messages != y.Messages || x.LSPID != y.LSPID || x.LRPID != y.LRPID ||
			x.CPID != y.CPID || x.LPID != y.LPID || x.NAttch != y.NAttch || x.RSS != y.RSS || x.Swap != y.Swap || x.Kind != y.Kind {
			return false
		}
	}
	return true
}

var procTables = map[string]procTable{"msg": msgTable, "shm": shmTable, "sem": semTable}

// TestProcParseMatchesSysv holds the inventory's parser to the sysv package's on the captured
// tables in internal/sysv/testdata and on this kernel's live tables.
func TestProcParseMatchesSysv(t *testing.T) {
	msg, err := sysv.MsgGet(sysv.Private, sysv.Create|0o640)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.MsgRemove(msg) })
	shm, err := sysv.ShmGet(sysv.Private, 12345, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.ShmRemove(shm) })
	sem, err := sysv.SemGet(sysv.Key(0x7c000000|os.Getpid()&0xffff), 3, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.SemRemove(sem) })
	for name, tab := range procTables {
		for _, path := range []string{filepath.Join("..", "sysv", "testdata", name+".txt"), filepath.Join(sysv.ProcDir, name)} {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseTable(text, tab)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			want, err := fromSysv(tab, text)
			if err != nil {
				t.Fatalf("%s: sysv: %v", path, err)
			}
			if len(got) == 0 || !sameObjects(got, want) {
				t.Errorf("%s: inventory parsed %+v\nsysv parsed %+v", path, got, want)
			}
		}
	}
}

// FuzzParseTable: the parser never panics, and whenever both parsers accept a text they agree.
func FuzzParseTable(f *testing.F) {
	for name := range procTables {
		if b, err := os.ReadFile(filepath.Join("..", "sysv", "testdata", name+".txt")); err == nil {
			f.Add(name, b)
		}
	}
	f.Add("shm", []byte("h\n -1 2 1777 -5 9999999999999999999 0 0 0 0 0 0 0 0 0\n"))
	f.Fuzz(func(t *testing.T, name string, text []byte) {
		tab, ok := procTables[name]
		if !ok {
			return
		}
		got, err := parseTable(text, tab)
		want, werr := fromSysv(tab, text)
		if err == nil && werr == nil && len(want) > 0 && !sameObjects(got, want) {
			t.Fatalf("parsers disagree on %q:\n%+v\n%+v", text, got, want)
		}
	})
}
