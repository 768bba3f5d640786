package compat

import (
	"os/exec"
	"strings"
	"testing"
)

var testGetopt = Getopt{Prog: "t", Options: []Option{
	{"id", 'i', RequiredArg, ""}, {"queues", 'q', NoArg, ""}, {"time", 't', NoArg, ""}, {"human", 0, NoArg, ""},
	{"help", 'h', NoArg, ""}, {"all", 'a', OptionalArg, ""}, {"shmems", 'm', NoArg, ""}, {"summary", 'u', NoArg, ""},
}}

// render writes parsed options as "name=value" (or "name"), then "|" and the operands.
func render(opts []Parsed, operands []string) string {
	var s []string
	for _, p := range opts {
		if p.HasValue {
			s = append(s, p.Name+"="+p.Value)
		} else {
			s = append(s, p.Name)
		}
	}
	return strings.Join(s, " ") + " |" + strings.Join(operands, ",")
}

func TestGetopt(t *testing.T) {
	for _, tc := range []struct{ args, want, err string }{
		{args: "-qt", want: "queues time |"},
		{args: "-i 5", want: "id=5 |"},
		{args: "-i5", want: "id=5 |"},
		{args: "-qi5", want: "queues id=5 |"},
		{args: "-qi 5 -t", want: "queues id=5 time |"},
		{args: "-i -q", want: "id=-q |"},
		{args: "--id=7", want: "id=7 |"},
		{args: "--id 7", want: "id=7 |"},
		{args: "--id=", want: "id= |"},
		{args: "--hum", want: "human |"},
		{args: "--i 3", want: "id=3 |"},
		{args: "x -q y", want: "queues |x,y"},
		{args: "-q -- -t", want: "queues |-t"},
		{args: "- -q", want: "queues |-"},
		{args: "-a", want: "all |"},
		{args: "-ashm -a=x", want: "all=shm all==x |"},
		{args: "--all=shm --all", want: "all=shm all |"},
		{args: "--all shm", want: "all |shm"},
		{args: "--h", err: "t: option '--h' is ambiguous; possibilities: '--human' '--help'"},
		{args: "--=x", err: "t: option '--=x' is ambiguous; possibilities: '--id' '--queues' '--time' '--human' '--help' '--all' '--shmems' '--summary'"},
		{args: "--time=1", err: "t: option '--time' doesn't allow an argument"},
		{args: "--ti=1", err: "t: option '--time' doesn't allow an argument"},
		{args: "--bogus=3", err: "t: unrecognized option '--bogus=3'"},
		{args: "-Z", err: "t: invalid option -- 'Z'"},
		{args: "-qZ", err: "t: invalid option -- 'Z'"},
		{args: "-i", err: "t: option requires an argument -- 'i'"},
		{args: "-qi", err: "t: option requires an argument -- 'i'"},
		{args: "--id", err: "t: option '--id' requires an argument"},
		{args: "--i", err: "t: option '--id' requires an argument"},
	} {
		opts, operands, err := testGetopt.Parse(strings.Fields(tc.args))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if got := render(opts, operands); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.args, got, tc.want)
		}
	}
}

// FuzzGetopt: Parse never panics, every option it returns is in the table with an argument as its
// mode allows, and its result parses back to itself when written out in canonical long form.
func FuzzGetopt(f *testing.F) {
	for _, s := range []string{"-qt", "-i 5", "--hum", "--h", "x -q -- -t", "-ashm --all", "--=x", "-qi"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		opts, operands, err := testGetopt.Parse(strings.Fields(line))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "t: ") {
				t.Fatalf("%q: error %q", line, err)
			}
			return
		}
		var canon []string
		for _, p := range opts {
			var o *Option
			for i := range testGetopt.Options {
				if testGetopt.Options[i].Long == p.Name {
					o = &testGetopt.Options[i]
				}
			}
			switch {
			case o == nil:
				t.Fatalf("%q: option %q not in the table", line, p.Name)
			case o.Arg == NoArg && p.HasValue, o.Arg == RequiredArg && !p.HasValue:
				t.Fatalf("%q: %q with value %v", line, p.Name, p.HasValue)
			}
			if p.HasValue {
				canon = append(canon, "--"+p.Name+"="+p.Value)
			} else {
				canon = append(canon, "--"+p.Name)
			}
		}
		canon = append(append(canon, "--"), operands...)
		opts2, operands2, err := testGetopt.Parse(canon)
		if err != nil || render(opts2, operands2) != render(opts, operands) {
			t.Fatalf("%q: canonical %q parses to %q %v, want %q", line, canon, render(opts2, operands2), err, render(opts, operands))
		}
	})
}

// TestGetoptLikeUtilLinux runs the installed util-linux ipcs and ipcx's Ipcs on command lines
// where getopt_long decides: the messages, the exit status and (for the accepted ones, whose
// output has no objects in a fresh namespace) what they print must agree.
func TestGetoptLikeUtilLinux(t *testing.T) {
	path, err := exec.LookPath("ipcs")
	if err != nil {
		t.Fatalf("ipcs (util-linux) is needed for the comparison: %v", err)
	}
	for _, args := range [][]string{
		{"--hum"}, {"--h"}, {"--time=1"}, {"--ti=1"}, {"-Z"}, {"--bogus=3"}, {"-i"}, {"--id"}, {"--i"}, {"--s"},
		{"-c", "-t"}, {"-t", "-c"}, {"-l", "-u"}, {"-b", "--human", "-l"}, {"--human", "-b", "-l"}, {"-qt"}, {"--qu", "--sh"},
		{"-q", "x"}, {"x", "-m"}, {"-q", "--", "-m"}, {"-i", "abc"}, {"-i", "0x10", "-q"}, {"-i", "99999999999", "-q"},
		{"--=x"},
	} {
		var want, wantErr strings.Builder
		cmd := exec.Command(path, args...)
		cmd.Args[0] = "ipcs"
		cmd.Stdout, cmd.Stderr = &want, &wantErr
		wantCode := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			wantCode = ee.ExitCode()
		}
		if strings.Join(args, "") == "--=x" {
			// 2.38 has no POSIX options; ipcx lists its own in the same places.
			continue
		}
		// ipcx shows the POSIX sections too where util-linux 2.38 shows every resource.
		sysv := true
		for _, a := range args {
			switch a {
			case "-q", "-m", "-qt", "--qu", "--sh":
				sysv = false
			}
		}
		argv := []string{"ipcs"}
		if sysv {
			argv = append(argv, "-q", "-m", "-s")
		}
		got, gotErr, code := runTool(Ipcs, &Snapshot{PageSize: 4096, Limits: testLimits}, append(argv, args...)...)
		if wantCode != 0 {
			got = want.String() // a refused command line prints nothing on stdout
		}
		if code != wantCode || gotErr != wantErr.String() || (wantCode == 0 && !sameHeaders(got, want.String())) {
			t.Errorf("ipcs %q: ipcx %q %q exit %d, util-linux %q %q exit %d", args, got, gotErr, code, want.String(), wantErr.String(), wantCode)
		}
	}
}

// sameHeaders compares the section titles of two ipcs outputs (a limits section's values are the
// host's and the snapshot's).
func sameHeaders(a, b string) bool {
	h := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "------") || strings.HasPrefix(l, "key ") || strings.HasPrefix(l, "msqid") || strings.HasPrefix(l, "shmid") || strings.HasPrefix(l, "semid") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	return h(a) == h(b)
}
