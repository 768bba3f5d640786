package main

import (
	"errors"
	"strconv"
	"testing"

	"github.com/ipcx/ipcx/internal/failure"
)

// FuzzParseMode: a mode that parses is permission bits (at most 0777) and reads back from its
// octal form; a refused one is a usage error.
func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"600", "0640", "0777", "1777", "", "-1", "8", "0o600", "+7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseMode(s)
		if err != nil {
			var fe *failure.Error
			if !errors.As(err, &fe) || fe.Code != failure.Usage {
				t.Fatalf("parseMode(%q): %v is not a usage error", s, err)
			}
			return
		}
		if m > 0o777 {
			t.Fatalf("parseMode(%q) = %o: more than permission bits", s, m)
		}
		if again, err := parseMode(strconv.FormatUint(uint64(m), 8)); err != nil || again != m {
			t.Fatalf("parseMode(%q) = %o, but its octal form gives %o, %v", s, m, again, err)
		}
	})
}

// FuzzParsePid: a pid that parses is a positive pid_t; a refused one is a usage error.
func FuzzParsePid(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "2147483647", "2147483648", "99999999999999999999", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parsePid("sig status", s)
		if err != nil {
			var fe *failure.Error
			if !errors.As(err, &fe) || fe.Code != failure.Usage {
				t.Fatalf("parsePid(%q): %v is not a usage error", s, err)
			}
			return
		}
		if n <= 0 || n > 1<<31-1 {
			t.Fatalf("parsePid(%q) = %d: not a pid", s, n)
		}
	})
}
