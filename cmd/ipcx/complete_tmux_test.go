package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bashCompletion is the script of Debian's bash-completion package that a login shell sources.
const bashCompletion = "/usr/share/bash-completion/bash_completion"

// TestBashCompletionTmux types `ipcx mq send /j<Tab>` into a real interactive bash, with
// bash-completion loaded and `source <(ipcx completion bash)`, in a tmux session, and reads the
// screen: the queue /jobs is completed on the command line. The ipcx it runs is this test
// binary, in $PATH as ipcx (testscript.Main). tmux and bash-completion are installed by
// scripts/test.
func TestBashCompletionTmux(t *testing.T) {
	for _, peer := range []string{"tmux", "bash"} {
		if _, err := exec.LookPath(peer); err != nil {
			t.Fatalf("%s is needed (scripts/test installs it): %v", peer, err)
		}
	}
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Fatalf("bash-completion is needed (scripts/test installs it): %v", err)
	}
	if _, err := exec.LookPath("ipcx"); err != nil {
		t.Fatalf("ipcx is not in $PATH (TestMain puts this binary there): %v", err)
	}
	dir := t.TempDir()
	// Unique names: the scripts of TestScript share this IPC namespace.
	mustRun(t, "ipcx", "mq", "create", "/jobs-tmux", "--maxmsg", "1", "--msgsize", "16")
	t.Cleanup(func() { exec.Command("ipcx", "mq", "rm", "/jobs-tmux", "/jolly-tmux").Run() })

	rc := filepath.Join(dir, "bashrc")
	if err := os.WriteFile(rc, []byte(". "+bashCompletion+"\nsource <(ipcx completion bash)\nPS1='ready$ '\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Setenv("TERM", "xterm")
	tmux("new-session", "-d", "-x", "150", "-y", "20", "bash --noprofile --rcfile "+rc+" -i")
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })

	// screen waits until the pane shows want, and fails with the pane after a deadline.
	screen := func(want string) {
		t.Helper()
		var pane string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if pane = tmux("capture-pane", "-p"); strings.Contains(pane, want) {
				return
			}
		}
		t.Fatalf("the pane never showed %q; it shows:\n%s", want, pane)
	}
	screen("ready$")
	tmux("send-keys", "ipcx mq send /j", "Tab")
	screen("ready$ ipcx mq send /jobs-tmux")
	// Two candidates: their common part, then both listed on a Tab that adds nothing more.
	mustRun(t, "ipcx", "mq", "create", "/jolly-tmux", "--maxmsg", "1", "--msgsize", "16")
	tmux("send-keys", "C-u", "ipcx mq send /j", "Tab")
	screen("ready$ ipcx mq send /jo")
	tmux("send-keys", "Tab", "Tab")
	screen("/jolly-tmux")
	screen("/jobs-tmux")
	tmux("send-keys", "C-u", "ipcx sig send SIGTE", "Tab")
	screen("ready$ ipcx sig send SIGTERM")
}

// mustRun runs a command and fails the test when it fails.
func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
