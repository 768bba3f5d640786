package msgio

import (
	"fmt"
	"testing"
)

func TestParseDelim(t *testing.T) {
	for in, want := range map[string]byte{
		",": ',', "\t": '\t', `\`: '\\', `\t`: '\t', `\n`: '\n', `\0`: 0, `\\`: '\\', `\r`: '\r',
		`\x1f`: 0x1f, `\xff`: 0xff, `\x9`: 9, `\e`: 0x1b, `\012`: '\n', `\377`: 0xff, `\00`: 0,
	} {
		got, err := ParseDelim(in)
		if err != nil || got != want {
			t.Errorf("ParseDelim(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ab", `\q`, `\x`, `\xg1`, `\x100`, `\400`, `\0123`, `\tt`, `\8`} {
		if got, err := ParseDelim(in); err == nil {
			t.Errorf("ParseDelim(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzParseDelim: every byte has a form that parses back to it (\xHH), and any input either
// parses to one byte or says why not.
func FuzzParseDelim(f *testing.F) {
	for _, s := range []string{",", `\t`, `\0`, `\\`, `\x41`, `\101`, `\`, "", `\x`, `\777`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseDelim(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseDelim(%q): empty error", s)
			}
			return
		}
		if len(s) == 1 && b != s[0] {
			t.Fatalf("ParseDelim(%q) = %q: one byte is itself", s, b)
		}
		if again, err := ParseDelim(fmt.Sprintf(`\x%02x`, b)); err != nil || again != b {
			t.Fatalf("ParseDelim(%q) = %q, but \\x%02x gives %q, %v", s, b, b, again, err)
		}
	})
}
