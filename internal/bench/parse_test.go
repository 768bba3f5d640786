package bench

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	for in, want := range map[string][]int{
		"64":          {64},
		"64,4K,64K":   {64, 4096, 65536},
		" 1 , 2 ":     {1, 2},
		"4K,4096,64":  {4096, 64},
		"16M":         {16 << 20},
		"0x10,1KB":    {16, 1000},
		"1MiB":        {1 << 20},
		"100":         {100},
		"8,8,8":       {8},
		"65507,65508": {65507, 65508},
	} {
		got, err := ParseSizes(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseSizes(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "0", "64,", ",64", "-1", "17M", "1G", "64,x", "4Q", "1.5K", "64;4K"} {
		if got, err := ParseSizes(in); err == nil {
			t.Errorf("ParseSizes(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseCPUs(t *testing.T) {
	for in, want := range map[string][]int{"0": {0}, "0,1": {0, 1}, "3, 2": {3, 2}, "1023": {1023}} {
		got, err := ParseCPUs(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseCPUs(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a", "-1", "0,0", "0,1,2", "1024", "0-1", "0,", "+1", "0x1"} {
		if got, err := ParseCPUs(in); err == nil {
			t.Errorf("ParseCPUs(%q) = %v, want an error", in, got)
		}
	}
}

// FuzzParseSizes: whatever is typed, the sizes are in range, unique, and each field that parsed
// is one of them; an error names what was wrong.
func FuzzParseSizes(f *testing.F) {
	for _, s := range []string{"64", "64,4K,64K", "0", "16M", "17M", ",", "0x10", "1KB,1K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sizes, err := ParseSizes(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseSizes(%q): empty error", s)
			}
			return
		}
		if len(sizes) == 0 || len(sizes) > strings.Count(s, ",")+1 {
			t.Fatalf("ParseSizes(%q) = %v", s, sizes)
		}
		seen := map[int]bool{}
		for _, n := range sizes {
			if n < 1 || n > MaxSize || seen[n] {
				t.Fatalf("ParseSizes(%q) = %v", s, sizes)
			}
			seen[n] = true
		}
	})
}

// FuzzParseCPUs: one CPU or two different ones, each a CPU a cpu_set_t can name.
func FuzzParseCPUs(f *testing.F) {
	for _, s := range []string{"0", "0,1", "1,1", "1023", "1024", "a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := ParseCPUs(s)
		if err != nil {
			return
		}
		if len(cpus) < 1 || len(cpus) > 2 || len(cpus) == 2 && cpus[0] == cpus[1] {
			t.Fatalf("ParseCPUs(%q) = %v", s, cpus)
		}
		for _, c := range cpus {
			if c < 0 || c >= cpuSetBits {
				t.Fatalf("ParseCPUs(%q) = %v", s, cpus)
			}
		}
	})
}
