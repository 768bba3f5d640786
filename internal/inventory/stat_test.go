package inventory

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// TestStat: Stat finds each kind by id and by key, gives the record List gives (plus what only a
// stat reads), and says unix.ENOENT for nothing there.
func TestStat(t *testing.T) {
	key := sysv.Key(0x5e7a0000 | os.Getpid()&0xffff)
	mq, err := sysv.MsgGet(key, sysv.Create|0o640)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.MsgRemove(mq) })
	sem, err := sysv.SemGet(key, 2, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.SemRemove(sem) })

	inv, err := Namespace{}.List(Options{QueueLimits: true, SemValues: true})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[Kind]Object{}
	for _, o := range inv.Objects {
		if o.Flavor == SysV && o.Key == key {
			listed[o.Kind] = o
		}
	}
	for _, c := range []struct {
		k  Kind
		id sysv.ID
	}{{MQ, mq}, {Sem, sem}} {
		for _, a := range []addr.Addr{{Kind: addr.ID, ID: c.id}, {Kind: addr.Key, Key: key}} {
			o, err := Stat(c.k, a)
			if err != nil {
				t.Fatalf("Stat(%s, %s): %v", c.k, a, err)
			}
			l := listed[c.k]
			if o.ID != c.id || o.Key != key || o.Mode&0o777 != l.Mode&0o777 || o.UID != l.UID || o.Size != l.Size ||
				o.QBytes != l.QBytes || len(o.SemValues) != len(l.SemValues) {
				t.Errorf("Stat(%s, %s) = %+v, listed %+v", c.k, a, o, l)
			}
		}
	}
	if o, _ := Stat(Sem, addr.Addr{Kind: addr.ID, ID: sem}); len(o.SemValues) != 2 || o.SemValues[1].NCnt == nil {
		t.Errorf("a set's values: %+v", o.SemValues)
	}
	for _, a := range []addr.Addr{{Kind: addr.ID, ID: 1 << 30}, {Kind: addr.Key, Key: key + 1}, {Kind: addr.POSIX, Name: "/nosuch-stat-test"}} {
		if _, err := Stat(MQ, a); !errors.Is(err, unix.ENOENT) {
			t.Errorf("Stat(mq, %s): %v, want ENOENT", a, err)
		}
	}
	var ke *ipc.KeyError
	if _, err := Stat(Shm, addr.Addr{Kind: addr.Ftok, Path: "/nonexistent/stat-test", Proj: 1}); !errors.As(err, &ke) {
		t.Errorf("Stat of an ftok address of a missing file: %v, want a KeyError", err)
	}
}

// TestStatPosixShm: a POSIX object with its users, the processes that have it open.
func TestStatPosixShm(t *testing.T) {
	name := fmt.Sprintf("/stat-test-%d", os.Getpid())
	f, _, err := posix.ShmCreate(name, posix.ShmCreateOptions{Size: 100, Mode: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); posix.ShmUnlink(name) })
	o, err := Stat(Shm, addr.Addr{Kind: addr.POSIX, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if o.Size != 100 || o.Mode != 0o600 || len(o.Users) != 1 || o.Users[0].PID != os.Getpid() {
		t.Errorf("Stat(shm, %s) = %+v", name, o)
	}
}
