//go:build linux

package testns

import (
	"fmt"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { Main(m) }

func TestPrivateMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("namespaces are made only when root; as another user tests use unique names")
	}
	if !InNamespace() {
		t.Fatal("running as root but not in the private namespace")
	}
	for path, magic := range map[string]int64{"/dev/mqueue": 0x19800202, "/dev/shm": unix.TMPFS_MAGIC} {
		var st unix.Statfs_t
		if err := unix.Statfs(path, &st); err != nil {
			t.Fatal(err)
		}
		if st.Type != magic {
			t.Errorf("%s: filesystem type %#x, want %#x", path, st.Type, magic)
		}
		ents, err := os.ReadDir(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 0 {
			t.Errorf("%s is not fresh: %d entries", path, len(ents))
		}
	}
	// The network namespace is new (not the parent's: the binary before its re-execution), with loopback up: a listener there is reachable, and the
	// host's sockets are not visible.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("loopback in the test namespace: %v", err)
	}
	c.Close()
	l.Close()
	if self, host := netNS(t, "/proc/self/ns/net"), netNS(t, fmt.Sprintf("/proc/%d/ns/net", os.Getppid())); self == host {
		t.Error("tests share the host's network namespace")
	}
	// The IPC namespace is new: no System V object of the host is visible.
	for _, f := range []string{"/proc/sysvipc/msg", "/proc/sysvipc/sem", "/proc/sysvipc/shm"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, c := range b {
			if c == '\n' {
				lines++
			}
		}
		if lines != 1 {
			t.Errorf("%s has %d lines, want the header alone", f, lines)
		}
	}
}

func netNS(t *testing.T, path string) string {
	t.Helper()
	s, err := os.Readlink(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
