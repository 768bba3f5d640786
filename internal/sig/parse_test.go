//go:build linux

package sig

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Signal
	}{
		{"USR1", 10}, {"SIGUSR1", 10}, {"usr1", 10}, {"sigusr1", 10}, {"10", 10}, {"1", 1}, {"64", 64},
		{"HUP", 1}, {"TERM", 15}, {"KILL", 9}, {"SIGSYS", 31}, {"WINCH", 28}, {"STKFLT", 16},
		{"IOT", 6}, {"POLL", 29}, {"CLD", 17}, {"sigcld", 17},
		{"RTMIN", 34}, {"RTMIN+0", 34}, {"RTMIN+3", 37}, {"SIGRTMIN+30", 64}, {"rtmin+1", 35},
		{"RTMAX", 64}, {"SIGRTMAX-1", 63}, {"RTMAX-30", 34}, {"RTMAX-0", 64},
		{"32", 32}, {"SIG33", 33},
	} {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		"", "0", "65", "-1", "+1", "SIG", "USR3", "RTMIN+31", "RTMAX-31", "RTMIN-1", "RTMAX+1", "RTMIN+",
		"RTMIN+a", "RTMIN+003", " USR1", "USR1 ", "SIGSIGUSR1", "0x10", "1e1", "SIG0", "SIG65",
		"99999999999999999999999",
	} {
		if got, err := Parse(in); !errors.Is(err, ErrUnknownSignal) {
			t.Errorf("Parse(%q) = %d, %v; want ErrUnknownSignal", in, got, err)
		}
	}
}

// Every signal's name parses back to it.
func TestParseString(t *testing.T) {
	for s := Signal(1); s <= MaxSig; s++ {
		got, err := Parse(s.String())
		if err != nil || got != s {
			t.Errorf("Parse(%q) = %d, %v; want %d", s.String(), got, err, s)
		}
	}
}

func TestTable(t *testing.T) {
	list := List()
	if len(list) != 62 {
		t.Fatalf("List has %d signals, want 62 (1-31 and 34-64)", len(list))
	}
	for _, tt := range []struct {
		s      Signal
		name   string
		action Action
	}{
		{1, "HUP", Term}, {3, "QUIT", Core}, {9, "KILL", Term}, {17, "CHLD", Ign}, {18, "CONT", Cont},
		{19, "STOP", Stop}, {20, "TSTP", Stop}, {28, "WINCH", Ign}, {31, "SYS", Core},
		{34, "RTMIN", Term}, {37, "RTMIN+3", Term}, {64, "RTMIN+30", Term},
	} {
		if tt.s.String() != tt.name || tt.s.Action() != tt.action || tt.s.Description() == "" {
			t.Errorf("signal %d: %q %q %q; want %q %q", tt.s, tt.s.String(), tt.s.Action(), tt.s.Description(), tt.name, tt.action)
		}
	}
}

func TestSet(t *testing.T) {
	set := SetOf(1, 10, 64, 0, 65)
	if uint64(set) != 1|1<<9|1<<63 {
		t.Fatalf("SetOf = %#x", uint64(set))
	}
	if !set.Has(10) || set.Has(11) || set.Has(0) {
		t.Error("Has is wrong")
	}
	if got := set.String(); got != "HUP,USR1,RTMIN+30" {
		t.Errorf("String = %q", got)
	}
	if Set(0).String() != "-" {
		t.Error("empty set")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"USR1", "SIGUSR1", "usr1", "10", "RTMIN+3", "SIGRTMAX-1", "rtmin", "0", "65"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrUnknownSignal) {
				t.Fatalf("Parse(%q): error %v does not wrap ErrUnknownSignal", s, err)
			}
			return
		}
		if !sig.Valid() {
			t.Fatalf("Parse(%q) = %d, outside 1-64", s, sig)
		}
		if back, err := Parse(sig.String()); err != nil || back != sig {
			t.Fatalf("Parse(%q) = %d, whose name %q parses to %d, %v", s, sig, sig.String(), back, err)
		}
	})
}
