package failure

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// TestNamesEscaped: every sentence and hint names the object with its control bytes, backslashes
// and invalid bytes escaped, and a hint's command gives the exact name back to a shell.
func TestNamesEscaped(t *testing.T) {
	for _, c := range []struct {
		o         Object
		err       error
		msg, hint string
	}{
		{Object{Noun: "mq", What: "queue", Addr: "/evil\x1b[31mRED\x1b[0m", Listable: true}, unix.ENOENT,
			`mq /evil\x1b[31mRED\x1b[0m: no such queue`, `create it with: ipcx mq create $'/evil\x1b[31mRED\x1b[0m'`},
		{Object{Noun: "shm", What: "shared memory object", Addr: "/bad\xff", Listable: true}, unix.EEXIST,
			`shm /bad\xff: already exists`, `use it as it is, or remove it first with: ipcx shm rm $'/bad\xff'`},
		{Object{Noun: "sem", What: "semaphore", Addr: `/back\slash`, Listable: true}, unix.ENOENT,
			`sem /back\\slash: no such semaphore`, `create it with: ipcx sem create $'/back\\slash'`},
		{Object{Noun: "fifo", What: "FIFO", Addr: "/tmp/cr\rnl\n"}, fmt.Errorf("open(/tmp/cr\rnl\n): %w", unix.EPERM),
			`fifo /tmp/cr\x0dnl\x0a: permission denied`, `see its owner and mode with: ipcx fifo stat $'/tmp/cr\x0dnl\x0a'`},
		{Object{Noun: "mq", What: "queue", Addr: "/plain", Listable: true}, unix.ENOENT,
			`mq /plain: no such queue`, `create it with: ipcx mq create /plain`},
	} {
		err := c.o.Explain(c.err)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%v: %v is no *Error", c.o, err)
		}
		if e.Msg != c.msg || e.Hint != c.hint {
			t.Errorf("%q: got\n\t%s\n\t%s\nwant\n\t%s\n\t%s", c.o.Addr, e.Msg, e.Hint, c.msg, c.hint)
		}
		var b bytes.Buffer
		Print(&b, err)
		if s := b.String(); strings.IndexFunc(strings.ReplaceAll(s, "\n", ""), func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) >= 0 {
			t.Errorf("Print wrote a raw control or invalid byte: %q", s)
		}
	}
	// A wrapped error that names the object raw, in a row that prints it: escaped at Print.
	var b bytes.Buffer
	Print(&b, Object{Noun: "mq", Addr: "/q"}.Explain(errors.New("weird \x1b[2J error")))
	if want := "ipcx: mq /q: weird \\x1b[2J error\n"; b.String() != want {
		t.Errorf("Print = %q, want %q", b.String(), want)
	}
	// Two names differing in one control byte read differently.
	a := Object{Noun: "mq", Addr: "/a\x1bb"}.String()
	z := Object{Noun: "mq", Addr: "/a\x1cb"}.String()
	if a == z {
		t.Errorf("both names print as %q", a)
	}
}
