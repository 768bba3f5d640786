//go:build linux

package sysv

import (
	"strings"
	"testing"
)

func TestParseSemOp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Sembuf
		err  string
	}{
		{"0:-1", Sembuf{Num: 0, Op: -1}, ""},
		{"1:+1", Sembuf{Num: 1, Op: 1}, ""},
		{"1:1", Sembuf{Num: 1, Op: 1}, ""},
		{"2:0", Sembuf{Num: 2, Op: 0}, ""},
		{"65535:-32767", Sembuf{Num: 65535, Op: -32767}, ""},
		{"65535:-32768", Sembuf{}, "from -32767 to 32767 (SEMVMX)"}, // a short, but it could never be done
		{"7:+32767", Sembuf{Num: 7, Op: 32767}, ""},
		{"", Sembuf{}, "want INDEX:OP"},
		{"-1", Sembuf{}, "want INDEX:OP"},
		{"a:1", Sembuf{}, "index must be"},
		{"-1:1", Sembuf{}, "index must be"},
		{"+1:1", Sembuf{}, "index must be"},
		{"65536:1", Sembuf{}, "index must be"},
		{"0:", Sembuf{}, "must be +N, -N or 0"},
		{"0: 1", Sembuf{}, "must be +N, -N or 0"},
		{"0:x", Sembuf{}, "must be +N, -N or 0"},
		{"0:32768", Sembuf{}, "from -32767 to 32767"},
		{"0:--1", Sembuf{}, "from -32767 to 32767"},
		{"0:1:2", Sembuf{}, "from -32767 to 32767"},
	} {
		got, err := ParseSemOp(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSemOp(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSemOp(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseSemOp(f *testing.F) {
	for _, s := range []string{"0:-1", "1:+1", "2:0", "65535:-32768", "x", "0:", ":1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseSemOp(s)
		if err != nil {
			if b != (Sembuf{}) {
				t.Fatalf("ParseSemOp(%q) returned %v with an error", s, b)
			}
			return
		}
		if b.Flg != 0 {
			t.Fatalf("ParseSemOp(%q) set flags %#x", s, b.Flg)
		}
		if b.Op < -SemVMX {
			t.Fatalf("ParseSemOp(%q) = %v: no semaphore ever holds that much", s, b)
		}
		// What parses prints back as an equivalent operation.
		again, err := ParseSemOp(b.String())
		if err != nil || again != b {
			t.Fatalf("ParseSemOp(%q) = %v, whose String %q parses as %v, %v", s, b, b.String(), again, err)
		}
	})
}
