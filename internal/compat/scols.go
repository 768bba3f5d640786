package compat

import (
	"bufio"
	"fmt"
	"strings"
	"unicode/utf8"
)

// cell is one value of a table: set false is libsmartcols's NULL (lsipc's pretty report leaves
// it out; every other output prints it as an empty string).
type cell struct {
	s   string
	set bool
}

func text(s string) cell { return cell{s: s, set: true} }

// Output formats of a scolsTable.
const (
	fmtHuman = iota
	fmtRaw
	fmtExport
	fmtJSON
)

type scolsColumn struct {
	name  string
	right bool // SCOLS_FL_RIGHT
}

// scolsTable draws a table as libsmartcols (2.41) does for output that is not a terminal: every
// column as wide as its widest cell or its header, nothing truncated, a space between columns, the
// last column not padded unless right-aligned; or raw, export (NAME="value"), newline (export with
// one value a line) and JSON.
type scolsTable struct {
	name                          string // the JSON array's name
	columns                       []scolsColumn
	rows                          [][]cell
	format                        int
	newline, noheadings, shellvar bool
}

// header is the name a column is printed under: as a shell variable with --shell ("USE%" is
// USE_PCT).
func (t *scolsTable) header(c scolsColumn) string {
	if !t.shellvar {
		return c.name
	}
	var b strings.Builder
	if c.name != "" && !isAlpha(c.name[0]) {
		b.WriteByte('_')
	}
	for i := 0; i < len(c.name); i++ {
		if isAlnum(c.name[i]) {
			b.WriteByte(c.name[i])
		} else {
			b.WriteByte('_')
		}
	}
	if strings.HasSuffix(c.name, "%") {
		b.WriteString("PCT")
	}
	return b.String()
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }

func (t *scolsTable) print(w *bufio.Writer) {
	switch t.format {
	case fmtJSON:
		t.printJSON(w)
		return
	case fmtRaw:
		if len(t.rows) == 0 {
			return
		}
		if !t.noheadings {
			for i, c := range t.columns {
				if i > 0 {
					w.WriteByte(' ')
				}
				w.WriteString(nonblank(t.header(c)))
			}
			w.WriteByte('\n')
		}
		for _, r := range t.rows {
			for i, v := range r {
				if i > 0 {
					w.WriteByte(' ')
				}
				w.WriteString(nonblank(v.s))
			}
			w.WriteByte('\n')
		}
		return
	case fmtExport:
		sep := " "
		if t.newline {
			sep = "\n"
		}
		for _, r := range t.rows {
			for i, v := range r {
				if i > 0 {
					w.WriteString(sep)
				}
				w.WriteString(t.header(t.columns[i]))
				w.WriteByte('=')
				w.WriteString(quoted(v.s))
			}
			w.WriteByte('\n')
		}
		return
	}
	if len(t.rows) == 0 {
		return
	}
	widths := make([]int, len(t.columns))
	for i, c := range t.columns {
		min := 1
		if !t.noheadings {
			// The column's own name, even when --shell prints another (libsmartcols sizes the
			// header before renaming it: "USE_PCT" overflows a column of "0.01%").
			min = max(min, width(safe(c.name)))
		}
		wmax := 0
		for _, r := range t.rows {
			wmax = max(wmax, width(safe(r[i].s)))
		}
		widths[i] = max(wmax, min)
		if t.noheadings && wmax == 0 {
			widths[i] = 0
		}
	}
	line := func(vals []string) {
		for i, v := range vals {
			last := i == len(vals)-1
			v = safe(v)
			n := width(v)
			if v != "" && t.columns[i].right {
				w.WriteString(strings.Repeat(" ", max(0, widths[i]-n)))
				n = widths[i]
			}
			w.WriteString(v)
			if last {
				break
			}
			w.WriteString(strings.Repeat(" ", max(0, widths[i]-n)))
			w.WriteByte(' ')
		}
		w.WriteByte('\n')
	}
	if !t.noheadings {
		h := make([]string, len(t.columns))
		for i, c := range t.columns {
			h[i] = t.header(c)
		}
		line(h)
	}
	for _, r := range t.rows {
		vals := make([]string, len(r))
		for i, v := range r {
			vals[i] = v.s
		}
		line(vals)
	}
}

func (t *scolsTable) printJSON(w *bufio.Writer) {
	fmt.Fprintf(w, "{\n   %s: [\n", jsonString(strings.ToLower(t.name)))
	for k, r := range t.rows {
		if k > 0 {
			w.WriteString(",{\n")
		} else {
			w.WriteString("      {\n")
		}
		for i, v := range r {
			if i > 0 {
				w.WriteString(",\n")
			}
			val := "null"
			if v.s != "" {
				val = jsonString(v.s)
			}
			fmt.Fprintf(w, "         %s: %s", jsonString(strings.ToLower(t.header(t.columns[i]))), val)
		}
		w.WriteString("\n      }")
	}
	w.WriteString("\n   ]\n}\n")
}

func width(s string) int { return utf8.RuneCountInString(s) }

// safe encodes what a terminal should not get as \xHH, as libsmartcols does for table cells.
func safe(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '\\' && i+1 < len(s) && s[i+1] == 'x' {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nonblank is fputs_nonblank: blanks, backslashes and unprintable bytes as \xHH (raw output).
func nonblank(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\\' || c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// quoted is fputs_quoted: "value" with quotes, backslashes, backquotes, dollars and unprintable
// bytes as \xHH (export output).
func quoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' || c == '`' || c == '$' || c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// jsonString quotes s as libsmartcols's JSON writer does.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20:
			b.WriteRune(r)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		default:
			fmt.Fprintf(&b, `\u00%02x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
