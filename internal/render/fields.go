package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Field is one fact of a report's row, declared once (util-linux's lsipc coldescs[]): the column
// that shows it in a table (its -o name, header, exact and human cell) and the member that carries
// it in JSON. A field with no Header is JSON only; one with no JSON name is table only (a table
// column that combines facts, like ls's NAME, which is a POSIX name or a System V key).
type Field[T any] struct {
	Name   string         // -o name; Header lowercased when empty
	Header string         // table header; "" for a JSON-only field
	Cell   func(T) string // the exact cell
	Human  func(T) string // the cell on a terminal, when it differs
	JSON   string         // JSON member name; "" for a table-only field
	Value  func(T) JSONValue
	// JSONDoc is how --help names the member when its name alone says too little
	// ("lastOp (RFC 3339)"); "-" when the member before says it for both ("name or key and id").
	JSONDoc string
}

// Fields are a report's fields in the order JSON carries them and --help lists the columns.
type Fields[T any] []Field[T]

func (f *Field[T]) name() string {
	if f.Name != "" {
		return f.Name
	}
	return strings.ToLower(f.Header)
}

// Column is the table column of f.
func (f *Field[T]) Column() Column[T] {
	return Column[T]{Header: f.Header, Value: f.Cell, Human: f.Human}
}

// Names are the -o names of the table columns, in order.
func (fs Fields[T]) Names() []string {
	var names []string
	for i := range fs {
		if fs[i].Header != "" {
			names = append(names, fs[i].name())
		}
	}
	return names
}

// JSONNames are the JSON members as --help lists them, in order: each one's JSONDoc, or its name.
func (fs Fields[T]) JSONNames() []string {
	var names []string
	for i := range fs {
		switch {
		case fs[i].JSON == "" || fs[i].JSONDoc == "-":
		case fs[i].JSONDoc != "":
			names = append(names, fs[i].JSONDoc)
		default:
			names = append(names, fs[i].JSON)
		}
	}
	return names
}

// Columns are the table columns named (case-insensitively), in the order given; all the table
// columns when names is empty.
func (fs Fields[T]) Columns(names ...string) ([]Column[T], error) {
	if len(names) == 0 {
		names = fs.Names()
	}
	cols := make([]Column[T], 0, len(names))
	for _, n := range names {
		i := fs.index(strings.ToLower(n))
		if i < 0 {
			all := fs.Names()
			sort.Strings(all)
			return nil, fmt.Errorf("unknown column %q: want some of %s", n, strings.Join(all, ","))
		}
		cols = append(cols, fs[i].Column())
	}
	return cols, nil
}

// MustColumns is Columns for names fixed in the program.
func (fs Fields[T]) MustColumns(names ...string) []Column[T] {
	cols, err := fs.Columns(names...)
	if err != nil {
		panic(err)
	}
	return cols
}

// With is a copy of fs with f in place of the field of the same -o name (or JSON name).
func (fs Fields[T]) With(f Field[T]) Fields[T] {
	out := append(Fields[T](nil), fs...)
	for i := range out {
		if (f.Header != "" && out[i].Header != "" && out[i].name() == f.name()) || (f.Header == "" && out[i].JSON == f.JSON) {
			out[i] = f
			return out
		}
	}
	panic("render: no field " + f.name() + " to replace")
}

// field is the table field named name.
func (fs Fields[T]) field(name string) *Field[T] {
	if i := fs.index(name); i >= 0 {
		return &fs[i]
	}
	panic("render: no field " + name)
}

func (fs Fields[T]) index(name string) int {
	for i := range fs {
		if fs[i].Header != "" && fs[i].name() == name {
			return i
		}
	}
	return -1
}

// JSONValue is a field's value in JSON: a string, an integer, a boolean, a time, null, absent
// (omitempty), or any other value encoding/json writes.
type JSONValue struct {
	kind byte
	s    string
	n    int64
	t    time.Time
	v    any
}

const (
	jsonOmit byte = iota
	jsonNull
	jsonString
	jsonInt
	jsonUint
	jsonBool
	jsonTime
	jsonAny
	jsonRaw
)

// The JSON values.
func JSONString(s string) JSONValue         { return JSONValue{kind: jsonString, s: s} }
func JSONInt[T Integer](n T) JSONValue      { return intValue(n) }
func JSONBool(b bool) JSONValue             { return JSONValue{kind: jsonBool, n: b2i(b)} }
func JSONTime(t time.Time) JSONValue        { return JSONValue{kind: jsonTime, t: t} }
func JSONNull() JSONValue                   { return JSONValue{kind: jsonNull} }
func JSONOmit() JSONValue                   { return JSONValue{} }
func JSONAny(v any) JSONValue               { return JSONValue{kind: jsonAny, v: v} }
func JSONStringer(s fmt.Stringer) JSONValue { return JSONString(s.String()) }

// JSONRaw is JSON text written as it is (a constant such as []).
func JSONRaw(s string) JSONValue { return JSONValue{kind: jsonRaw, s: s} }

func intValue[T Integer](n T) JSONValue {
	if n < 0 {
		return JSONValue{kind: jsonInt, n: int64(n)}
	}
	return JSONValue{kind: jsonUint, n: int64(uint64(n))}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// JSONOpt is p's value by to, null when p is nil: a pointer field without omitempty.
func JSONOpt[T any](p *T, to func(T) JSONValue) JSONValue {
	if p == nil {
		return JSONNull()
	}
	return to(*p)
}

// JSONOmitNil is p's value by to, absent when p is nil: a pointer field with omitempty.
func JSONOmitNil[T any](p *T, to func(T) JSONValue) JSONValue {
	if p == nil {
		return JSONOmit()
	}
	return to(*p)
}

// JSONRows writes rows as render.JSON writes an array of structs with these fields as members (an
// indented array, [] when empty), without reflection, one row at a time through a buffer reused
// for every row: a listing of tens of thousands of objects costs little more than reading them,
// and leaves no garbage in proportion to them.
func JSONRows[T any](w io.Writer, fs Fields[T], rows []T) error {
	if len(rows) == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("[\n")
	b := make([]byte, 0, 1024)
	for i := range rows {
		b = fs.appendObject(b[:0], rows[i], "  ")
		if i < len(rows)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// JSONObject writes one row as render.JSON writes a struct with these fields as members.
func JSONObject[T any](w io.Writer, fs Fields[T], row T) error {
	b := append(fs.appendObject(nil, row, ""), '\n')
	_, err := w.Write(b)
	return err
}

// appendObject appends row as an object whose opening brace is at indentation indent (already
// written by the caller's line) and whose members are one level deeper.
func (fs Fields[T]) appendObject(b []byte, row T, indent string) []byte {
	b = append(b, indent...)
	b = append(b, '{')
	inner := indent + "  "
	n := 0
	for i := range fs {
		f := &fs[i]
		if f.JSON == "" {
			continue
		}
		v := f.Value(row)
		if v.kind == jsonOmit {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '\n')
		b = append(b, inner...)
		b = appendString(b, f.JSON)
		b = append(b, ':', ' ')
		b = v.append(b, inner)
	}
	if n == 0 {
		return append(b, '}')
	}
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, '}')
}

func (v JSONValue) append(b []byte, indent string) []byte {
	switch v.kind {
	case jsonNull:
		return append(b, "null"...)
	case jsonString:
		return appendString(b, v.s)
	case jsonRaw:
		return append(b, v.s...)
	case jsonInt:
		return strconv.AppendInt(b, v.n, 10)
	case jsonUint:
		return strconv.AppendUint(b, uint64(v.n), 10)
	case jsonBool:
		if v.n != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case jsonTime:
		if y := v.t.Year(); y < 0 || y >= 10000 {
			return appendAny(b, v.t, indent) // encoding/json's error for such a time
		}
		b = append(b, '"')
		b = v.t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	return appendAny(b, v.v, indent)
}

// appendAny appends v as encoding/json writes it nested at indent (no HTML escaping).
func appendAny(b []byte, v any, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(indent, "  ")
	if err := enc.Encode(v); err != nil {
		return append(b, "null"...)
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// appendString appends s as encoding/json writes it (without HTML escaping).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return appendAny(b, s, "")
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
