package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
)

// TestNamesEscaped: every view prints a name with its control bytes, backslashes and invalid
// bytes escaped (so two names differing in one stay two), and its JSON gives an address that
// parses back to exactly the name.
func TestNamesEscaped(t *testing.T) {
	names := []string{"/evil\x1b[31mRED\x1b[0m", "/cr\rnl\n", `/back\slash`, "/bad\xff", "/bad\xfe", "/evil\x1b[32mRED\x1b[0m"}
	var objs []object
	for _, n := range names {
		objs = append(objs, &inventory.Object{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: n, Size: -1})
	}
	views := map[string]Fields[object]{"ls": LsFields(), "mq": MqFields(), "sem": SemFields(), "shm": ShmFields()}
	for view, fs := range views {
		var b bytes.Buffer
		if err := Table(&b, false, fs.MustColumns("name"), objs); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")[1:]
		want := []string{`/evil\x1b[31mRED\x1b[0m`, `/cr\x0dnl\x0a`, `/back\\slash`, `/bad\xff`, `/bad\xfe`, `/evil\x1b[32mRED\x1b[0m`}
		if strings.Join(lines, "|") != strings.Join(want, "|") {
			t.Errorf("%s table: names %q, want %q", view, lines, want)
		}
		b.Reset()
		if err := JSONRows(&b, fs, objs); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
			t.Fatalf("%s JSON: %v\n%s", view, err, b.String())
		}
		for i, r := range rows {
			n := names[i]
			name, hasName := r["name"].(string)
			esc, hasEsc := r["nameEscaped"].(string)
			switch {
			case strings.Contains(n, "\xff") || strings.Contains(n, "\xfe"):
				if hasName || !hasEsc || esc != want[i] {
					t.Errorf("%s JSON of %q: name %q (%v), nameEscaped %q; want no name and nameEscaped %q", view, n, name, hasName, esc, want[i])
				}
			case !hasName || name != n || hasEsc:
				t.Errorf("%s JSON of %q: name %q, nameEscaped %q (%v); want the exact name alone", view, n, name, esc, hasEsc)
			}
			if a, ok := r["address"].(string); ok {
				p, err := addr.Parse(a)
				if err != nil || p.Name != n {
					t.Errorf("%s JSON of %q: address %q parses to %+v, %v", view, n, a, p, err)
				}
			} else if view == "ls" {
				t.Errorf("ls JSON of %q: no address", n)
			}
		}
	}
}
