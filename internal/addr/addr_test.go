package addr

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ipcx/ipcx/internal/sysv"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Addr
	}{
		{"/jobs", Addr{Kind: POSIX, Name: "/jobs"}},
		{"/" + strings.Repeat("a", 255), Addr{Kind: POSIX, Name: "/" + strings.Repeat("a", 255)}},
		{"0x1A2B", Addr{Kind: Key, Key: 0x1a2b}},
		{"0xfffffffe", Addr{Kind: Key, Key: -2}},
		{"key:42", Addr{Kind: Key, Key: 42}},
		{"key:0x2a", Addr{Kind: Key, Key: 42}},
		{"key:-2", Addr{Kind: Key, Key: -2}},
		{"key:4294967294", Addr{Kind: Key, Key: -2}},
		{"id:0", Addr{Kind: ID, ID: 0}},
		{"id:32768", Addr{Kind: ID, ID: 32768}},
		{"ftok:/etc/passwd:65", Addr{Kind: Ftok, Path: "/etc/passwd", Proj: 65}},
		{"ftok:/tmp/a:b:0x41", Addr{Kind: Ftok, Path: "/tmp/a:b", Proj: 65}},
		{"ftok:/etc/passwd:A", Addr{Kind: Ftok, Path: "/etc/passwd", Proj: 65}},
		{"private", Addr{Kind: Private, Key: sysv.Private}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if err == nil && got.Kind != Ftok {
			// The canonical form parses back to the same address.
			again, err := Parse(got.String())
			if err != nil || again != got {
				t.Errorf("Parse(%q.String() = %q) = %+v, %v", tc.in, got.String(), again, err)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, reason, hint string }{
		{"", "empty", "/name"},
		{"/a/b", "has a / after the first character", "/jobs"},
		{"/", "no name after the /", ""},
		{"/" + strings.Repeat("a", 256), "256 bytes long, the limit is 255", ""},
		{"0xZZ", "not a 32-bit hex number", "0x1a2b"},
		{"0x", "no hex digits", ""},
		{"0x100000000", "not a 32-bit hex number", ""},
		{"0x0", "IPC_PRIVATE", "use private"},
		{"key:", "no key number", "key:N"},
		{"key:abc", "not a 32-bit number", ""},
		{"key:0", "IPC_PRIVATE", ""},
		{"id:-1", "whole number", "id:N"},
		{"id:", "whole number", ""},
		{"id:2147483648", "whole number", ""},
		{"1234", "bare number", "use id:1234 or key:1234"},
		{"-5", "bare number", "use key:-5"},
		{"key:-1", "what ftok(3) returns when it fails", "ipcx ftok"},
		{"0xffffffff", "what ftok(3) returns when it fails", ""},
		{"key:4294967295", "what ftok(3) returns when it fails", ""},
		{"-1", "bare number", "not a key"},
		{"4294967295", "bare number", "not a key"},
		{"4294967294", "bare number", "use key:4294967294 (ids are below 2^31)"},
		{"4294967296", "bare number is not an address", ""},
		{"ftok:/etc/passwd", "needs a path and a project id", ""},
		{"ftok::65", "needs a path and a project id", ""},
		{"ftok:/etc/passwd:0", "from 1 to 255", ""},
		{"ftok:/etc/passwd:256", "from 1 to 255", ""},
		{"jobs", "not an IPC address", "/name"},
	} {
		_, err := Parse(tc.in)
		var ae *Error
		if !errors.As(err, &ae) {
			t.Errorf("Parse(%q): error %v, want an *Error", tc.in, err)
			continue
		}
		if !strings.Contains(ae.Reason, tc.reason) || !strings.Contains(ae.Hint, tc.hint) {
			t.Errorf("Parse(%q): reason %q, hint %q; want them to contain %q and %q", tc.in, ae.Reason, ae.Hint, tc.reason, tc.hint)
		}
	}
}

func TestFtokKey(t *testing.T) {
	a, err := Parse("ftok:/:1")
	if err != nil {
		t.Fatal(err)
	}
	k, err := a.SysVKey()
	if err != nil {
		t.Fatal(err)
	}
	if uint32(k)>>24 != 1 {
		t.Errorf("ftok key %v does not carry the project id in its top byte", k)
	}
	if _, err := (Addr{Kind: Ftok, Path: "/no/such/file", Proj: 1}).SysVKey(); err == nil {
		t.Error("ftok of a missing file did not fail")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/jobs", "0x1A2B", "key:42", "id:7", "ftok:/etc:1", "private", "1234", "/a/b", "key:", "", `esc:/a\x1bb`, `esc:/a\\b`, `esc:/a\xffb`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Reason == "" || ae.Hint == "" {
				t.Fatalf("Parse(%q): error %v without reason and hint", s, err)
			}
			// an address the hint suggests ("use key:N", "or id:N") parses
			for _, w := range strings.Fields(strings.NewReplacer(",", " ", "(", " ", ")", " ").Replace(ae.Hint)) {
				if (strings.HasPrefix(w, "key:") || strings.HasPrefix(w, "id:")) && !strings.HasSuffix(w, ":") {
					if _, err := Parse(w); err != nil && w != "key:N" && w != "id:N" {
						t.Fatalf("Parse(%q): the hint %q suggests %q, which does not parse: %v", s, ae.Hint, w, err)
					}
				}
			}
			return
		}
		if a.Kind == Ftok {
			return
		}
		if a.Kind == POSIX {
			// the printable form of every name is an address of exactly that name
			if e, err := Parse(Escaped(a.Name)); err != nil || e != a {
				t.Fatalf("Parse(%q) = %+v, but Escaped %q parses to %+v, %v", s, a, Escaped(a.Name), e, err)
			}
			if u := Escaped(a.Name); strings.IndexFunc(u, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 || !utf8.ValidString(u) {
				t.Fatalf("Escaped(%q) = %q: not printable", a.Name, u)
			}
		}
		again, err := Parse(a.String())
		if err != nil || again != a {
			t.Fatalf("Parse(%q) = %+v, but its canonical form %q parses to %+v, %v", s, a, a.String(), again, err)
		}
	})
}

// FuzzParseProj: a project id is 1..255 or one character, never anything else.
func FuzzParseProj(f *testing.F) {
	for _, s := range []string{"1", "65", "A", "0x41", "0", "256", "", "AB", "-1", "7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseProj(s)
		if ok && (n < 1 || n > 255) {
			t.Fatalf("ParseProj(%q) = %d", s, n)
		}
		if len(s) == 1 && s[0] >= '1' && s[0] <= '9' && (!ok || n != int(s[0]-'0')) {
			t.Fatalf("ParseProj(%q) = %d, %v: a digit is a number", s, n, ok)
		}
	})
}

func TestEscaped(t *testing.T) {
	for _, c := range []struct{ name, addr string }{
		{"/jobs", "/jobs"},
		{"/evil\x1b[31m", `esc:/evil\x1b[31m`},
		{"/bad\xff", `esc:/bad\xff`},
		{`/back\slash`, `esc:/back\\slash`},
	} {
		if got := Escaped(c.name); got != c.addr {
			t.Errorf("Escaped(%q) = %q, want %q", c.name, got, c.addr)
		}
		a, err := Parse(c.addr)
		if err != nil || a.Kind != POSIX || a.Name != c.name {
			t.Errorf("Parse(%q) = %+v, %v; want the POSIX name %q", c.addr, a, err, c.name)
		}
	}
	// A real name with a backslash is never read as an escape without the mark.
	if a, err := Parse(`/a\x41`); err != nil || a.Name != `/a\x41` {
		t.Errorf(`Parse("/a\\x41") = %+v, %v`, a, err)
	}
	for _, s := range []string{`esc:/a\q`, `esc:/a\`, `esc:jobs`, `esc:/a\x2fb`, `esc:`} {
		var ae *Error
		if _, err := Parse(s); !errors.As(err, &ae) || ae.Hint == "" {
			t.Errorf("Parse(%q): %v, want an address error with a hint", s, err)
		}
	}
}
