package main

import (
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

var idLine = regexp.MustCompile(`id: (\d+)`)

// The compat modes are compared with util-linux 2.41.5 itself, case by case, in
// internal/compat (TestCompareUtilLinux); here only what the command layer adds: the links.

// TestArgv0 builds ipcx and runs it through links named ipcs, ipcrm, ipcmk and lsipc: each
// behaves as that tool.
func TestArgv0(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ipcx")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range []string{"ipcs", "ipcrm", "ipcmk", "lsipc"} {
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
	out, err = exec.Command(filepath.Join(dir, "lsipc"), "-q", "-i", m[1], "-o", "ID").Output()
	if err != nil || string(out) != "ID:                                 "+m[1]+strings.Repeat(" ", 36-len(m[1]))+"\n" {
		t.Errorf("lsipc link: %q %v", out, err)
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
