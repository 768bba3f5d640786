// Package render prints reports: aligned borderless tables (through tablewriter) for people and
// scripts, and JSON of the same rows for --json.
//
// Columns are declared once, as data, per report. On a terminal a column may show a human form of
// its value (4.0K, 2026-11-21 14:03); when the output is not a terminal the same columns carry exact
// values (4096, RFC 3339 times) and lines have no trailing blanks, so that awk and cut work on them.
package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/escape"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Column is one column of a table of rows of type T.
type Column[T any] struct {
	Header string
	// Value gives the exact cell text.
	Value func(T) string
	// Human, when set, gives the cell text for a terminal.
	Human func(T) string
}

// Table writes rows as an aligned table under a header line. human selects the Human form of the
// columns that have one.
func Table[T any](w io.Writer, human bool, cols []Column[T], rows []T) error {
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.Header
	}
	t.Header(header...)
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			f := c.Value
			if human && c.Human != nil {
				f = c.Human
			}
			cells[i] = cell(f(r))
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	// tablewriter pads the last column; scripts should not see trailing blanks.
	bw := bufio.NewWriter(w)
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		bw.WriteString(strings.TrimRight(line, " \n"))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// cell keeps a table one line per row whatever the value holds, and keeps the terminal's state
// out of reach of whoever chose the value (a process name, a socket name): line breaks and tabs
// become spaces, other control characters are written escaped as every name is (\x1b, \u009b;
// package escape). A name column escapes its names itself (escape.Name), losslessly.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	if escape.Clean(s) {
		return s
	}
	b := []byte(s) // bytes, not runes: an invalid byte stays itself, to be escaped
	for i, c := range b {
		if c == '\n' || c == '\t' || c == '\r' {
			b[i] = ' '
		}
	}
	return escape.Text(string(b))
}

// JSON writes v as indented JSON followed by a newline. A nil slice is written as [], not null, so
// that an empty report is an empty array.
func JSON(w io.Writer, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
		v = []struct{}{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// JSONLine writes v as one line of JSON (for streams of events, one object per line).
func JSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Time formats t for a table: "-" for the zero time (never), RFC 3339 when exact, a short local
// form for people.
func Time(t time.Time, human bool) string {
	if t.IsZero() {
		return "-"
	}
	if human {
		return t.Local().Format("2006-01-02 15:04:05")
	}
	return t.Format(time.RFC3339)
}

// Mode formats a permission mode as octal with a leading zero, like ls -l's numeric form (0600).
func Mode(m uint32) string {
	m &= 0o7777
	b := [4]byte{'0' + byte(m>>9), '0' + byte(m>>6&7), '0' + byte(m>>3&7), '0' + byte(m&7)}
	return string(b[:])
}

// Size formats a byte count: exact as a plain number, for people in 1024-based units (512, 4.0K,
// 1.5M), as ls -lh does.
func Size(n int64, human bool) string {
	if !human {
		return fmt.Sprint(n)
	}
	return HumanSize(n)
}

// HumanSize formats n bytes in 1024-based units with one decimal below 10 (4.0K, 12M, 1.5G).
func HumanSize(n int64) string { return units.Human(n) }
