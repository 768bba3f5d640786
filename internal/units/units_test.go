package units

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"0", 0, ""},
		{"4096", 4096, ""},
		{"64K", 64 << 10, ""},
		{"64k", 64 << 10, ""},
		{"1M", 1 << 20, ""},
		{"1MiB", 1 << 20, ""},
		{"1MB", 1000000, ""},
		{"1kB", 1000, ""},
		{"2G", 2 << 30, ""},
		{"1T", 1 << 40, ""},
		{"10B", 10, ""},
		{"", 0, "want a number"},
		{"K", 0, "want a number"},
		{"-1", 0, "want a number"},
		{"1.5M", 0, "unknown unit"},
		{"1X", 0, "unknown unit"},
		{"99999999999999999999", 0, "too large"},
		{"9000000T", 0, "too large"},
		{"0x100", 256, ""},
		{"0X1b", 27, ""},
		{"0x7fffffffffffffff", math.MaxInt64, ""},
		{"0x8000000000000000", 0, "too large"},
		{"0x", 0, "unknown unit \"x\""},
		{"0x10K", 0, "no unit"},
		{"0xg", 0, "hexadecimal"},
	} {
		got, err := ParseSize(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSize(%q) = %d, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"4096", "64K", "1MB", "1.5M", "", "9999999999999999999T", "0x100", "0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d: negative", s, n)
		}
		if err != nil && n != 0 {
			t.Fatalf("ParseSize(%q) returned %d with an error", s, n)
		}
		var se *SizeError
		if err != nil && (!errors.As(err, &se) || se.Input != s) {
			t.Fatalf("ParseSize(%q): error %v is not a *SizeError for the input", s, err)
		}
	})
}
