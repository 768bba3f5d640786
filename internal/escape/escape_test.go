package escape

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/jobs", "/jobs"},
		{"/with space", "/with space"},
		{"/café", "/café"},
		{"/evil\x1b[31mRED\x1b[0m", `/evil\x1b[31mRED\x1b[0m`},
		{"/a\rb\nc\td", `/a\x0db\x0ac\x09d`},
		{`/back\slash`, `/back\\slash`},
		{"/bad\xff", `/bad\xff`},
		{"/del\x7f", `/del\x7f`},
		{"/nul\x00", `/nul\x00`},
		{"/c1\u009b", `/c1\u009b`},
		{"/ls\u2028", `/ls\u2028`},
		{"/tag\U000e0001", `/tag\U000e0001`},
		{"/repl\ufffd", "/repl\ufffd"},
		{`/x\x1b`, `/x\\x1b`},
	} {
		if got := Name(c.in); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.in, got, c.want)
		}
		if back, err := Unquote(c.want); err != nil || back != c.in {
			t.Errorf("Unquote(%q) = %q, %v; want %q", c.want, back, err, c.in)
		}
	}
}

func TestDistinct(t *testing.T) {
	// names that differ only in a control byte, an invalid byte, or an escape spelled out
	names := []string{"/a\x1bb", "/a\x1cb", "/ab", `/a\x1bb`, "/a\xffb", "/a\ufffdb", "/a\x0ab", "/a\x0db"}
	seen := map[string]string{}
	for _, n := range names {
		e := Name(n)
		if prev, ok := seen[e]; ok {
			t.Errorf("%q and %q both print as %q", prev, n, e)
		}
		seen[e] = n
	}
}

func TestText(t *testing.T) {
	if got, want := Text("mq /a\\x1b: no \x1b[2J such"), `mq /a\x1b: no \x1b[2J such`; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if s := Text(Name("/a\x1b\\")); s != Name("/a\x1b\\") {
		t.Errorf("Text escaped an escaped name again: %q", s)
	}
}

func TestUnquoteErrors(t *testing.T) {
	for _, s := range []string{`\`, `/a\`, `\n`, `\x1`, `\xg0`, `\u12`, `\ud800`, `\U00110000`, `\x+1`, `\u+123`, `\'`} {
		if got, err := Unquote(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Unquote(%q) = %q, %v; want ErrSyntax", s, got, err)
		}
	}
}

func TestShell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/jobs", "/jobs"},
		{"/evil\x1b[31m", `$'/evil\x1b[31m'`},
		{"/it's\xff", `$'/it\'s\xff'`},
		{`/a\b`, `$'/a\\b'`},
	} {
		if got := Shell(c.in); got != c.want {
			t.Errorf("Shell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzName checks that Name is lossless and safe: Unquote gives back every input, and the
// output is valid UTF-8 without a control character or anything unprintable.
func FuzzName(f *testing.F) {
	for _, s := range []string{"", "/jobs", "/evil\x1b[31mRED\x1b[0m", "\\", `\x41`, "\xff\xfe", "\u2028\u009b", "a\r\nb", "\U0010ffff", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Name(s)
		if !utf8.ValidString(e) {
			t.Fatalf("Name(%q) = %q: not valid UTF-8", s, e)
		}
		if i := strings.IndexFunc(e, func(r rune) bool { return !unicode.IsPrint(r) }); i >= 0 {
			t.Fatalf("Name(%q) = %q: unprintable at %d", s, e, i)
		}
		back, err := Unquote(e)
		if err != nil || back != s {
			t.Fatalf("Unquote(Name(%q)) = %q, %v", s, back, err)
		}
		if tx := Text(s); strings.IndexFunc(tx, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 || !utf8.ValidString(tx) {
			t.Fatalf("Text(%q) = %q: unprintable", s, tx)
		}
		if Clean(s) != (e == s) {
			t.Fatalf("Clean(%q) = %v but Name gives %q", s, Clean(s), e)
		}
	})
}

// FuzzUnquote checks that whatever Unquote accepts, Name writes back in a form Unquote reads the
// same way.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`/a\x1b`, `\\`, `\u00e9`, `\U0001f600`, `\xff`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Unquote(s)
		if err != nil {
			return
		}
		if back, err := Unquote(Name(u)); err != nil || back != u {
			t.Fatalf("Unquote(Name(%q)) = %q, %v", u, back, err)
		}
	})
}
