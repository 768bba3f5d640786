package compat

// The peer of the comparison test: util-linux 2.41.5 as Debian trixie ships it, unpacked by
// scripts/peers/util-linux, and ipcx built from this tree. Both run in a helper: this test binary
// re-executed in fresh IPC, mount and pid namespaces (see helper_test.go), so that each run sees
// exactly the objects of its fixture, with the same ids and pids.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// peerVersion is the util-linux release the compat modes are measured against.
const peerVersion = "2.41.5"

// peer is what the helper runs: the unpacked util-linux tree and the ipcx links, in a directory
// every uid may read (the cache lives under $HOME, which other uids cannot enter).
type peer struct {
	Root string // util-linux's unpacked tree (a copy readable by all)
	Bin  string // ipcs, ipcrm, ipcmk and lsipc: links to the built ipcx
}

var (
	peerOnce sync.Once
	thePeer  peer
	peerErr  error
	peerCopy string // the temporary directory of the copy, removed by TestMain
)

// removePeerCopy removes the copy of the peer and the built ipcx.
func removePeerCopy() {
	if peerCopy != "" {
		os.RemoveAll(peerCopy)
	}
}

// getPeer installs util-linux (scripts/peers/util-linux, unless IPCX_UTIL_LINUX_ROOT names an
// unpacked tree; TestMain runs it first) and builds ipcx, once per test binary. A failure fails the test: the comparison
// never skips because its peer is missing.
func getPeer(t *testing.T) peer {
	t.Helper()
	peerOnce.Do(func() { thePeer, peerErr = setupPeer() })
	if peerErr != nil {
		t.Fatalf("util-linux %s peer: %v", peerVersion, peerErr)
	}
	return thePeer
}

// peerRootEnv names an unpacked util-linux tree to use; TestMain sets it (or peerErrEnv, why the
// installation failed) after running scripts/peers/util-linux before entering the test namespace,
// which has no network.
const (
	peerRootEnv = "IPCX_UTIL_LINUX_ROOT"
	peerErrEnv  = "IPCX_UTIL_LINUX_ERROR"
)

// installPeer runs scripts/peers/util-linux and returns the root it prints.
func installPeer() (string, error) {
	script, err := filepath.Abs("../../scripts/peers/util-linux")
	if err != nil {
		return "", err
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(script)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", script, err, errOut.String())
	}
	return strings.TrimSpace(out.String()), nil
}

func setupPeer() (peer, error) {
	if e := os.Getenv(peerErrEnv); e != "" {
		return peer{}, errors.New(e)
	}
	root := os.Getenv(peerRootEnv)
	if root == "" {
		var err error
		if root, err = installPeer(); err != nil {
			return peer{}, err
		}
	}
	dir, err := os.MkdirTemp("", "ipcx-compat-peer-")
	if err != nil {
		return peer{}, err
	}
	peerCopy = dir
	// A copy any uid can run (the helper runs the tools as other users too): the loader, the
	// libraries and the four tools.
	p := peer{Root: filepath.Join(dir, "root"), Bin: filepath.Join(dir, "bin")}
	for _, sub := range []string{"usr/lib64", "usr/lib/x86_64-linux-gnu", "usr/bin"} {
		if err := os.MkdirAll(filepath.Join(p.Root, sub), 0o755); err != nil {
			return peer{}, err
		}
	}
	for _, c := range [][2]string{{"usr/lib64/.", "usr/lib64"}, {"usr/lib/x86_64-linux-gnu/.", "usr/lib/x86_64-linux-gnu"},
		{"usr/bin/ipcs", "usr/bin"}, {"usr/bin/ipcrm", "usr/bin"}, {"usr/bin/ipcmk", "usr/bin"}, {"usr/bin/lsipc", "usr/bin"}} {
		if out, err := exec.Command("cp", "-a", root+"/"+c[0], p.Root+"/"+c[1]).CombinedOutput(); err != nil {
			return peer{}, fmt.Errorf("copy %s: %v: %s", c[0], err, out)
		}
	}
	if err := os.MkdirAll(p.Bin, 0o755); err != nil {
		return peer{}, err
	}
	// The go command that runs this test: $GOROOT/bin/go when go test set GOROOT, else PATH's.
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goTool); os.Getenv("GOROOT") == "" || err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			return peer{}, fmt.Errorf("no go command to build ipcx: %v", err)
		}
	}
	ipcx := filepath.Join(p.Bin, "ipcx")
	build := exec.Command(goTool, "build", "-o", ipcx, "../../cmd/ipcx")
	if out, err := build.CombinedOutput(); err != nil {
		return peer{}, fmt.Errorf("go build ipcx: %v\n%s", err, out)
	}
	for _, tool := range []string{"ipcs", "ipcrm", "ipcmk", "lsipc"} {
		if err := os.Symlink("ipcx", filepath.Join(p.Bin, tool)); err != nil {
			return peer{}, err
		}
	}
	for _, d := range []string{dir, p.Root, p.Bin} {
		os.Chmod(d, 0o755)
	}
	v, err := exec.Command(p.Root+"/usr/lib64/ld-linux-x86-64.so.2", "--library-path", p.Root+"/usr/lib/x86_64-linux-gnu",
		"--argv0", "ipcs", p.Root+"/usr/bin/ipcs", "-V").Output()
	if err != nil || strings.TrimSpace(string(v)) != "ipcs from util-linux "+peerVersion {
		return peer{}, fmt.Errorf("the unpacked ipcs -V says %q (%v)", v, err)
	}
	return p, nil
}

// argv is the command line that runs tool with args: util-linux's through the bundled loader
// with argv[0] set to the tool's name, or ipcx through its link of that name.
func (p peer) argv(impl, tool string, args []string) []string {
	if impl == "ipcx" {
		return append([]string{filepath.Join(p.Bin, tool)}, args...)
	}
	return append([]string{p.Root + "/usr/lib64/ld-linux-x86-64.so.2", "--library-path", p.Root + "/usr/lib/x86_64-linux-gnu",
		"--argv0", tool, p.Root + "/usr/bin/" + tool}, args...)
}

// helperRequest is what the helper is asked to do: build a fixture, then run each command on it
// in turn, recording what it printed and (when State) the objects left afterwards.
type helperRequest struct {
	Fixture string
	Runs    []helperRun
}

type helperRun struct {
	Argv  []string
	UID   int  // run as this uid (and the gid of the same number); 0 for root
	State bool // record the objects left afterwards
}

type helperResult struct {
	Stdout, Stderr string
	Code           int
	State          string
}

const helperEnv = "IPCX_COMPAT_HELPER"

// runHelper runs req in fresh namespaces (this test binary, re-executed) and returns a result
// per run. It may run on any goroutine: a failure is returned, not reported.
func runHelper(req helperRequest) ([]helperResult, error) {
	in, _ := json.Marshal(req)
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWIPC | unix.CLONE_NEWNS | unix.CLONE_NEWPID}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helper (%s): %v\n%s", req.Fixture, err, errOut.String())
	}
	var res []helperResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != len(req.Runs) {
		return nil, fmt.Errorf("helper (%s): %d results for %d runs (%v)\n%s", req.Fixture, len(res), len(req.Runs), err, errOut.String())
	}
	return res, nil
}
