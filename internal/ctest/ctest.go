// Package ctest compiles small C programs with gcc for tests that prove ipcx interoperates with
// glibc (mq_*, sem_*, shm_open, msgsnd, semop, shmat, sigqueue). gcc is a required test dependency:
// scripts/test installs it when missing, and a test that needs it fails rather than skips without it.
package ctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build compiles the C source src into an executable named name in a temporary directory and
// returns its path. Extra arguments go to gcc after the source (for example "-lrt", "-pthread").
func Build(t testing.TB, name, src string, args ...string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is needed to build the C peer %s (scripts/test installs it): %v", name, err)
	}
	dir := t.TempDir()
	c := filepath.Join(dir, name+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command(gcc, append([]string{"-O2", "-Wall", "-o", bin, c}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", name, err, out)
	}
	return bin
}
