package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
)

func TestSplitStages(t *testing.T) {
	tests := []struct {
		args []string
		want [][]string
	}{
		{[]string{"ls", "--", "wc"}, [][]string{{"ls"}, {"wc"}}},
		{[]string{"--", "ls", "-l", "--", "wc", "-l"}, [][]string{{"ls", "-l"}, {"wc", "-l"}}},
		{[]string{"cat"}, [][]string{{"cat"}}},
		{[]string{"a", "--", "b", "--", "c"}, [][]string{{"a"}, {"b"}, {"c"}}},
	}
	for _, tt := range tests {
		got, err := splitStages(tt.args)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitStages(%q) = %q, %v; want %q", tt.args, got, err, tt.want)
		}
	}
	for _, bad := range [][]string{{}, {"--"}, {"ls", "--"}, {"ls", "--", "--", "wc"}, {"--", "--", "ls"}} {
		_, err := splitStages(bad)
		if failure.Code(err) != failure.Usage {
			t.Errorf("splitStages(%q) = %v, want a usage error", bad, err)
		}
	}
}

func FuzzSplitStages(f *testing.F) {
	f.Add("ls\x00--\x00wc")
	f.Add("--\x00a\x00--\x00--")
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		stages, err := splitStages(args)
		if err != nil {
			return
		}
		n := 0
		for _, st := range stages {
			if len(st) == 0 {
				t.Fatalf("empty stage from %q", args)
			}
			for _, a := range st {
				if a == "--" {
					t.Fatalf("-- inside a stage from %q", args)
				}
			}
			n += len(st) + 1
		}
		if lead := len(args) > 0 && args[0] == "--"; n-1+btoi(lead) != len(args) {
			t.Fatalf("stages %q do not account for every argument of %q", stages, args)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestPipeFlags: the command's parsing, through the runF seam.
func TestPipeFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *pipeOptions
	c := newPipeCmd(ios, func(o *pipeOptions) error { got = o; return nil })
	c.SetArgs([]string{"--size", "1M", "--progress", "--status", "all", "--", "ls", "-l", "--", "wc", "-l"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.size != "1M" || got.progress != "auto" || got.status != "all" || !reflect.DeepEqual(got.stages, [][]string{{"ls", "-l"}, {"wc", "-l"}}) {
		t.Fatalf("options %+v", got)
	}
}
