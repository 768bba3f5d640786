package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/ctest"
	"github.com/ipcx/ipcx/internal/iostreams"
)

// runIpcx runs ipcx's command line in-process and returns stdout, stderr and the exit code.
func runIpcx(args ...string) (string, string, int) {
	ios, _, out, errOut := iostreams.Test()
	code := run(args, ios)
	return out.String(), errOut.String(), code
}

// system runs a util-linux tool; it must be installed (scripts/test installs util-linux).
func system(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s (util-linux) is needed for the comparison: %v", name, err)
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Args[0] = name // getopt's messages start with argv[0]
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errOut.String(), code
}

var idLine = regexp.MustCompile(`id: (\d+)`)

// mk runs the system's ipcmk and returns the id it printed.
func mk(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := system(t, "ipcmk", args...)
	m := idLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("ipcmk %v: %q %q", args, out, errOut)
	}
	return m[1]
}

// TestUtilLinuxCompat compares, line by line, what the system's ipcs prints and what ipcx ipcs
// prints for the same System V objects, in every output format and unit. util-linux here may be
// older than 2.41 and know nothing of POSIX objects, so ipcx is asked for the System V sections
// (-q -m -s) where util-linux shows them by default. Nothing needs masking: both read the same
// objects at the same moment.
func TestUtilLinuxCompat(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the comparison makes objects as other users: run the tests as root (scripts/test)")
	}
	q := mk(t, "-Q", "-p", "0640")
	m1 := mk(t, "-M", "4096", "-p", "0600")
	m2 := mk(t, "-M", "1500000")
	s := mk(t, "-S", "3")
	// An owner without a name (uid 4321): ipcs prints the number.
	out, _, code := system(t, "setpriv", "--reuid", "4321", "--regid", "4321", "--clear-groups", "ipcmk", "-Q", "-p", "0666")
	if code != 0 {
		t.Fatalf("setpriv ipcmk: %q", out)
	}
	q2 := idLine.FindStringSubmatch(out)[1]
	t.Cleanup(func() { system(t, "ipcrm", "-q", q, "-q", q2, "-m", m1, "-m", m2, "-s", s) })
	// A message on the queue, so that used-bytes and messages are not zero.
	if _, e, c := runIpcx("mq", "send", "--type", "2", "id:"+q, "twelve bytes"); c != 0 {
		t.Fatal(e)
	}

	for _, f := range [][]string{{}, {"-t"}, {"-p"}, {"-c"}, {"-u"}, {"-l"}, {"--human"}, {"-b"}, {"-l", "-b"},
		{"-l", "--human"}, {"-u", "--human"}, {"-q", "-b"}, {"-m", "--human"}, {"-s", "-t"}, {"-q", "-p"}, {"-a", "-c"}} {
		want, wantErr, wantCode := system(t, "ipcs", f...)
		// Where util-linux shows every System V resource (no resource option, or -a), ipcx is
		// asked for -q -m -s: its "all" adds the POSIX sections.
		args := []string{"ipcs", "-q", "-m", "-s"}
		for _, o := range f {
			switch o {
			case "-q", "-m", "-s":
				args = []string{"ipcs"}
			}
		}
		for _, o := range f {
			if o != "-a" {
				args = append(args, o)
			}
		}
		got, gotErr, gotCode := runIpcx(args...)
		compareLines(t, "ipcs "+strings.Join(f, " "), want, got)
		if gotErr != wantErr || gotCode != wantCode {
			t.Errorf("ipcs %v: stderr %q exit %d, util-linux %q exit %d", f, gotErr, gotCode, wantErr, wantCode)
		}
	}
	for _, f := range [][]string{{"-q", "-i", q}, {"-q", "--human", "-i", q}, {"-m", "-i", m2}, {"-m", "--human", "-i", m2},
		{"-s", "-i", s}, {"-m", "-i", "2147483000"}} {
		want, wantErr, _ := system(t, "ipcs", f...)
		got, gotErr, _ := runIpcx(append([]string{"ipcs"}, f...)...)
		compareLines(t, "ipcs "+strings.Join(f, " "), want, got)
		if gotErr != wantErr {
			t.Errorf("ipcs %v: stderr %q, util-linux %q", f, gotErr, wantErr)
		}
	}
}

func compareLines(t *testing.T, what, want, got string) {
	t.Helper()
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("%s: line %d differs:\nutil-linux: %q\nipcx:       %q", what, i+1, w, g)
			return
		}
	}
}

// TestIpcrmIpcmkCompat runs the same removals with the system's ipcrm and with ipcx's on twin
// objects and compares what they print and their exit codes (ids masked), and checks that ipcx's
// ipcmk prints what util-linux's does.
func TestIpcrmIpcmkCompat(t *testing.T) {
	mask := regexp.MustCompile(`\d+`)
	for _, tc := range []struct {
		name string
		make []string
		rm   func(id string) []string
	}{
		{"verbose id", []string{"-Q"}, func(id string) []string { return []string{"-v", "-q", id} }},
		{"old form", []string{"-S", "2"}, func(id string) []string { return []string{"sem", id} }},
		{"shm by id", []string{"-M", "64"}, func(id string) []string { return []string{"--shmem-id=" + id, "-v"} }},
		{"missing id", nil, func(string) []string { return []string{"-q", "2147483000", "-m", "2147483001"} }},
		{"missing key", nil, func(string) []string { return []string{"-Q", "0x7ffffff1"} }},
		{"illegal key", nil, func(string) []string { return []string{"-M", "0"} }},
		{"bad id", nil, func(string) []string { return []string{"-s", "abc"} }},
	} {
		var a, b string
		if tc.make != nil {
			a, b = mk(t, tc.make...), mk(t, tc.make...)
		}
		want, wantErr, wantCode := system(t, "ipcrm", tc.rm(a)...)
		got, gotErr, gotCode := runIpcx(append([]string{"ipcrm"}, tc.rm(b)...)...)
		if mask.ReplaceAllString(got, "N") != mask.ReplaceAllString(want, "N") || gotErr != wantErr || gotCode != wantCode {
			t.Errorf("%s: ipcx ipcrm printed %q %q exit %d; util-linux %q %q exit %d", tc.name, got, gotErr, gotCode, want, wantErr, wantCode)
		}
	}
	for _, f := range [][]string{{"-Q"}, {"-M", "10"}, {"-S", "1"}} {
		want, _, _ := system(t, "ipcmk", f...)
		got, _, code := runIpcx(append([]string{"ipcmk"}, f...)...)
		for _, out := range []string{want, got} {
			m := idLine.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("ipcmk %v printed %q", f, out)
			}
			kind := map[string]string{"-Q": "-q", "-M": "-m", "-S": "-s"}[f[0]]
			system(t, "ipcrm", kind, m[1])
		}
		if code != 0 || mask.ReplaceAllString(got, "N") != mask.ReplaceAllString(want, "N") {
			t.Errorf("ipcmk %v: ipcx %q, util-linux %q", f, got, want)
		}
	}
	// The usage errors util-linux's ipcmk gives.
	for _, f := range [][]string{{}, {"-M", "abc"}} {
		_, wantErr, wantCode := system(t, "ipcmk", f...)
		_, gotErr, gotCode := runIpcx(append([]string{"ipcmk"}, f...)...)
		if gotErr != wantErr || gotCode != wantCode {
			t.Errorf("ipcmk %v: ipcx %q exit %d, util-linux %q exit %d", f, gotErr, gotCode, wantErr, wantCode)
		}
	}
}

// TestCompatFlagErrors checks that ipcs and ipcmk word a bad command line as util-linux's do
// (getopt's messages, the "Try" line, exit 1), by running both on the same arguments. None of
// them creates anything: getopt stops first.
func TestCompatFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"ipcs", "--bogus"}, {"ipcs", "-x"}, {"ipcs", "-qx"}, {"ipcs", "-i"}, {"ipcs", "--id"}, {"ipcs", "-i", "abc"},
		{"ipcs", "--queues=x"}, {"ipcmk", "-Q", "-p"}, {"ipcmk", "--mode"}, {"ipcmk", "-M"}, {"ipcmk", "--bogus"}, {"ipcmk", "-z"},
	} {
		_, wantErr, wantCode := system(t, args[0], args[1:]...)
		_, gotErr, gotCode := runIpcx(args...)
		if gotErr != wantErr || gotCode != wantCode {
			t.Errorf("%v: ipcx %q exit %d, util-linux %q exit %d", args, gotErr, gotCode, wantErr, wantCode)
		}
	}
}

// TestArgv0 builds ipcx and runs it through links named ipcs, ipcrm and ipcmk: each behaves as
// that tool.
func TestArgv0(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ipcx")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range []string{"ipcs", "ipcrm", "ipcmk"} {
		if err := os.Symlink("ipcx", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(filepath.Join(dir, "ipcmk"), "-Q").Output()
	m := idLine.FindStringSubmatch(string(out))
	if err != nil || m == nil {
		t.Fatalf("ipcmk link: %q %v", out, err)
	}
	out, err = exec.Command(filepath.Join(dir, "ipcs"), "-q").Output()
	if err != nil || !strings.Contains(string(out), "------ Message Queues --------") {
		t.Fatalf("ipcs link: %q %v", out, err)
	}
	want, _ := exec.Command(bin, "ipcs", "-q").Output()
	if string(out) != string(want) {
		t.Errorf("ipcs link printed %q, ipcx ipcs %q", out, want)
	}
	out, err = exec.Command(filepath.Join(dir, "ipcrm"), "-v", "-q", m[1]).Output()
	if err != nil || string(out) != "removing message queue id `"+m[1]+"'\n" {
		t.Errorf("ipcrm link: %q %v", out, err)
	}
	// Through the link, a bad option is ipcs's error, not ipcx's.
	var errOut strings.Builder
	cmd := exec.Command(filepath.Join(dir, "ipcs"), "--bogus")
	cmd.Stderr = &errOut
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		errOut.String() != "ipcs: unrecognized option '--bogus'\nTry 'ipcs --help' for more information.\n" {
		t.Errorf("ipcs link --bogus: %q %v", errOut.String(), err)
	}
	if got := argv0Args([]string{"/usr/local/bin/ipcs", "-a"}); strings.Join(got, " ") != "ipcs -a" {
		t.Errorf("argv0Args(ipcs) = %q", got)
	}
	if got := argv0Args([]string{"ipcx", "ls"}); strings.Join(got, " ") != "ls" {
		t.Errorf("argv0Args(ipcx) = %q", got)
	}
}

// TestFtokMatchesC checks ipcx ftok against glibc's ftok(3) for several files and project ids.
func TestFtokMatchesC(t *testing.T) {
	bin := ctest.Build(t, "ftok", `
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
int main(int argc, char **argv) { printf("0x%08x\n", (unsigned)ftok(argv[1], atoi(argv[2]))); return 0; }
`)
	for _, path := range []string{"/etc/passwd", "/", os.Args[0], t.TempDir()} {
		for _, proj := range []int{1, 65, 127, 255} {
			want, err := exec.Command(bin, path, strconv.Itoa(proj)).Output()
			if err != nil {
				t.Fatal(err)
			}
			got, errOut, code := runIpcx("ftok", path, strconv.Itoa(proj))
			if code != 0 || got != string(want) {
				t.Errorf("ftok %s %d: ipcx %q %q, glibc %q", path, proj, got, errOut, want)
			}
		}
	}
}
