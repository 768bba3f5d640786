package render

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
)

type row struct {
	Name string
	Size int64
}

var cols = []Column[row]{
	{Header: "NAME", Value: func(r row) string { return r.Name }},
	{Header: "SIZE", Value: func(r row) string { return Size(r.Size, false) },
		Human: func(r row) string { return Size(r.Size, true) }},
}

func TestTable(t *testing.T) {
	rows := []row{{"/jobs", 4096}, {"/a-much-longer-name", 3 << 20}, {"", 12}}
	for _, tc := range []struct {
		human bool
		want  string
	}{
		{false, "NAME                 SIZE\n/jobs                4096\n/a-much-longer-name  3145728\n-                    12\n"},
		{true, "NAME                 SIZE\n/jobs                4.0K\n/a-much-longer-name  3.0M\n-                    12\n"},
	} {
		var b bytes.Buffer
		if err := Table(&b, tc.human, cols, rows); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("human=%v:\n%q\nwant\n%q", tc.human, b.String(), tc.want)
		}
	}
}

func TestJSONEmptyIsArray(t *testing.T) {
	var b bytes.Buffer
	var rows []row
	if err := JSON(&b, rows); err != nil {
		t.Fatal(err)
	}
	if b.String() != "[]\n" {
		t.Errorf("got %q, want []", b.String())
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 1023: "1023", 1024: "1.0K", 1536: "1.5K", 10 << 20: "10M", 1 << 30: "1.0G"} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	if got := Time(time.Time{}, false); got != "-" {
		t.Errorf("zero time = %q", got)
	}
	tm := time.Date(2026, 11, 21, 14, 3, 0, 0, time.UTC)
	if got := Time(tm, false); got != "2026-11-21T14:03:00Z" {
		t.Errorf("exact time = %q", got)
	}
}

// BenchmarkTable renders 20,000 rows of 8 columns, the size of a crowded machine's ipcx ls.
func BenchmarkTable(b *testing.B) {
	type r struct{ a, b, c, d, e, f, g, h string }
	var cols []Column[r]
	for i, name := range []string{"KIND", "FLAVOR", "ADDRESS", "ID", "OWNER", "MODE", "SIZE", "CTIME"} {
		cols = append(cols, Column[r]{Header: name, Value: func(x r) string {
			return [...]string{x.a, x.b, x.c, x.d, x.e, x.f, x.g, x.h}[i]
		}})
	}
	rows := make([]r, 20000)
	for i := range rows {
		rows[i] = r{"mq", "sysv", "0x0000abcd", "32768", "root", "0600", "16384", "2026-11-21T14:03:00Z"}
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Table(&buf, false, cols, rows); err != nil {
			b.Fatal(err)
		}
	}
}

// A value cannot break a row or reach the terminal: a process or socket name with an escape
// sequence shows escaped.
func TestTableCellEscapes(t *testing.T) {
	rows := []row{{"evil\x1b[31mred\x1b[0m\nnext\x00\u009b", 1}}
	var b bytes.Buffer
	if err := Table(&b, false, cols, rows); err != nil {
		t.Fatal(err)
	}
	want := "NAME                                   SIZE\n" +
		`evil\x1b[31mred\x1b[0m next\x00\u009b` + "  1\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestModeAndKey(t *testing.T) {
	for _, m := range []uint32{0, 0o600, 0o1777, 0o7777, 0o17777, 0o644 | 0o1000} {
		if got, want := Mode(m), fmt.Sprintf("%04o", m&0o7777); got != want {
			t.Errorf("Mode(%o) = %s, want %s", m, got, want)
		}
	}
	for _, k := range []sysv.Key{0, 1, 0x1a2b, -1, -5, 0x7fffffff} {
		o := &inventory.Object{Key: k}
		if got, want := keyString(o), k.String(); got != want {
			t.Errorf("keyString(%d) = %s, want %s", k, got, want)
		}
	}
}
