//go:build linux

// Package testns runs a test binary in a private IPC, mount and network namespace when it runs as
// root, with a fresh mqueue filesystem on /dev/mqueue, a fresh tmpfs on /dev/shm and a loopback
// interface of its own, so that tests can neither see nor leak the host's IPC objects, and no
// other process takes the ports they pick. Every package whose tests make IPC objects calls Main from
// its TestMain.
//
// When not root, tests run in the host namespaces: they must use unique names and clean up.
//
// A test binary built for another architecture runs under a user-mode emulator such as
// qemu-aarch64-static (scripts/test-arm64), which does not emulate clone's namespace flags. With
// TESTNS_EMULATOR naming the emulator, the namespaces are made outside the emulated process
// instead: the binary is re-executed as `unshare --ipc --mount --net -- EMULATOR BINARY ARGS`, and
// inside it mounts the same fresh filesystems as a native run.
package testns

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

const (
	envVar      = "IPCX_TESTNS"
	emulatorVar = "TESTNS_EMULATOR"
)

// Main runs m in a private namespace (re-executing the test binary there when needed) and exits.
func Main(m *testing.M) {
	Enter()
	os.Exit(m.Run())
}

// Enter makes sure the process runs in the private namespace when it runs as root: the first time,
// it re-executes the test binary in new IPC and mount namespaces and exits with its status; in the
// re-executed binary it mounts the fresh filesystems and returns. Test binaries that also serve as
// the ipcx command (testscript) call Enter before dispatching.
func Enter() {
	if os.Geteuid() == 0 {
		switch os.Getenv(envVar) {
		case "":
			os.Exit(reexec())
		case "new":
			if err := mountPrivate(); err != nil {
				fmt.Fprintf(os.Stderr, "testns: %v\n", err)
				os.Exit(1)
			}
			// Children (the ipcx binary, fuzz workers) share the namespace and its mounts.
			os.Setenv(envVar, "ready")
		}
	}
}

// Env is the environment entry, NAME and value, that marks a child process as already inside the
// private namespace. Harnesses that give children a clean environment (testscript) must pass it on,
// or each child would make a namespace of its own.
func Env() (string, string) { return envVar, os.Getenv(envVar) }

// Emulator returns the user-mode emulator the test binary runs under ("qemu-aarch64-static"), or
// "" for a native run. A test skips what the emulator cannot do only when this is set, and says
// which limit of the emulator it meets.
func Emulator() string { return os.Getenv(emulatorVar) }

// InNamespace reports whether this process runs in the private namespace Main made.
func InNamespace() bool { return os.Getenv(envVar) == "ready" }

func reexec() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testns: %v\n", err)
		return 1
	}
	var cmd *exec.Cmd
	if emu := os.Getenv(emulatorVar); emu != "" {
		// unshare(1) is a native binary: its unshare(2) makes the namespaces the kernel, not the
		// emulator, sees, and the emulated binary runs in them.
		cmd = exec.Command("unshare", append([]string{"--ipc", "--mount", "--net", "--", emu, exe}, os.Args[1:]...)...)
	} else {
		cmd = exec.Command(exe, os.Args[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWIPC | unix.CLONE_NEWNS | unix.CLONE_NEWNET}
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envVar+"=new")
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal())
			}
			return ee.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "testns: %v\n", err)
		return 1
	}
	return 0
}

func mountPrivate() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	if err := os.MkdirAll("/dev/mqueue", 0o755); err != nil {
		return err
	}
	if err := unix.Mount("mqueue", "/dev/mqueue", "mqueue", 0, ""); err != nil {
		return fmt.Errorf("mount mqueue on /dev/mqueue: %w", err)
	}
	if err := unix.Mount("tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("mount tmpfs on /dev/shm: %w", err)
	}
	return loopbackUp()
}

// loopbackUp brings up lo, which a new network namespace has down.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	return nil
}
