package inventory

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/testns"
)

// waiterSrc blocks on a System V object the way its users do: semop waiting for an increase or
// for zero, msgrcv on an empty queue, msgsnd on a full one, and msgrcv in a second thread while
// the first waits elsewhere. setval and fill prepare an object and exit, so that the process
// recorded as its last operator is gone.
const waiterSrc = `
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <unistd.h>

struct msg { long type; char text[64]; };
static int id;
static void *rcv(void *arg) { struct msg m; msgrcv(id, &m, sizeof m.text, 0, 0); return NULL; }

int main(int argc, char **argv) {
	id = atoi(argv[2]);
	const char *how = argv[1];
	if (strcmp(how, "setval") == 0) {
		union { int val; } u = { atoi(argv[3]) };
		return semctl(id, 0, SETVAL, u) == 0 ? 0 : 1;
	}
	if (strcmp(how, "fill") == 0) {
		struct msg m = { 1, "x" };
		while (msgsnd(id, &m, sizeof m.text, IPC_NOWAIT) == 0) {}
		return errno == EAGAIN ? 0 : 1;
	}
	printf("ready\n"); fflush(stdout);
	if (strcmp(how, "semwait") == 0 || strcmp(how, "semzero") == 0) {
		struct sembuf op = { .sem_num = 0, .sem_op = strcmp(how, "semwait") == 0 ? -1 : 0 };
		semop(id, &op, 1);
	} else if (strcmp(how, "rcv") == 0) {
		struct msg m; msgrcv(id, &m, sizeof m.text, 0, 0);
	} else if (strcmp(how, "snd") == 0) {
		struct msg m = { 1, "x" }; msgsnd(id, &m, sizeof m.text, 0);
	} else if (strcmp(how, "rcvthread") == 0) {
		pthread_t t; pthread_create(&t, NULL, rcv, NULL);
		char c; while (read(0, &c, 1) > 0) {}
	}
	return 0;
}
`

// TestWaitersHold: a System V set with a process blocked in semop (semncnt or semzcnt above 0) and
// a queue with a process blocked in msgrcv or msgsnd, in any thread, are held by that process, not
// orphans; once the waiter is gone each is an orphan.
func TestWaitersHold(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("reading other processes' /proc/PID/task/TID/syscall needs root; run the tests as root (scripts/test)")
	}
	if emu := testns.Emulator(); emu != "" {
		// The waiters are gcc-built, host-native processes: /proc/PID/syscall shows them with the
		// host's syscall numbers, which the emulated binary reads as its own architecture's.
		t.Skipf("under %s: the C waiters run natively, with the host's syscall numbers", emu)
	}
	bin := ctest.Build(t, "waiter", waiterSrc, "-pthread")
	run := func(args ...string) {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("waiter %v: %v %s", args, err, out)
		}
	}
	newSet := func() sysv.ID {
		id, err := sysv.SemGet(sysv.Private, 1, sysv.Create|0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sysv.SemRemove(id) })
		return id
	}
	newQueue := func() sysv.ID {
		id, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sysv.MsgRemove(id) })
		return id
	}
	type waiter struct {
		name string
		kind Kind
		id   sysv.ID
		how  string
		cmd  *exec.Cmd
	}
	var ws []*waiter
	start := func(name string, kind Kind, id sysv.ID, how string) {
		cmd := exec.Command(bin, name, fmt.Sprint(id))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		in, _ := cmd.StdinPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close(); cmd.Process.Kill(); cmd.Wait() })
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("waiter %s: %q %v", name, line, err)
		}
		ws = append(ws, &waiter{name, kind, id, how, cmd})
	}
	start("semwait", Sem, newSet(), "waiting:semop")
	zero := newSet()
	run("setval", fmt.Sprint(zero), "1")
	start("semzero", Sem, zero, "waiting:semop")
	start("rcv", MQ, newQueue(), "waiting:msgrcv")
	full := newQueue()
	run("fill", fmt.Sprint(full))
	start("snd", MQ, full, "waiting:msgsnd")
	start("rcvthread", MQ, newQueue(), "waiting:msgrcv")

	var ns Namespace
	list := func() *Inventory {
		inv, err := ns.List(Options{Kinds: map[Kind]bool{MQ: true, Sem: true}, Flavors: map[Flavor]bool{SysV: true}, Holders: true})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	// The waiters print "ready" just before they block: wait (generously) for them to be seen.
	deadline := time.Now().Add(10 * time.Second)
	for {
		inv, bad := list(), ""
		for _, w := range ws {
			o := find(t, inv, w.kind, SysV, func(o *Object) bool { return o.ID == w.id })
			switch {
			case o == nil:
				t.Fatalf("%s: id %d not listed", w.name, w.id)
			case !o.HoldersKnown || o.Orphaned || !holds(o, w.cmd.Process.Pid, w.how):
				bad += fmt.Sprintf("\n%s: id %d orphaned %v known %v holders %+v, want pid %d %s",
					w.name, w.id, o.Orphaned, o.HoldersKnown, o.Holders, w.cmd.Process.Pid, w.how)
			}
		}
		if bad == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiters not seen as holders:%s", bad)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The waiters go: now every one of the objects is an orphan.
	for _, w := range ws {
		w.cmd.Process.Kill()
		w.cmd.Wait()
	}
	inv := list()
	for _, w := range ws {
		o := find(t, inv, w.kind, SysV, func(o *Object) bool { return o.ID == w.id })
		if o == nil || !o.HoldersKnown || !o.Orphaned {
			t.Errorf("%s: id %d after its waiter went: %+v, want an orphan", w.name, w.id, o)
		}
	}
}

// TestParseSyscall reads /proc/PID/task/TID/syscall lines: blocked, running, outside a call.
func TestParseSyscall(t *testing.T) {
	for in, want := range map[string]struct {
		nr int64
		id sysv.ID
		ok bool
	}{
		"70 0x8001 0x7ffd1234 0x40 0x0 0x0 0x0 0x7ffd0000 0x7f00aa\n": {70, 0x8001, true},
		"220 0x0 0x7ffc 0x1 0x0 0x0 0x0 0x7ffc 0x7f\n":                {220, 0, true},
		"running\n":        {0, 0, false},
		"-1 0x7ffd 0x7f\n": {0, 0, false},
		"":                 {0, 0, false},
	} {
		nr, id, ok := parseSyscall([]byte(in))
		if ok != want.ok || ok && (nr != want.nr || id != want.id) {
			t.Errorf("parseSyscall(%q) = %d, %d, %v; want %+v", in, nr, id, ok, want)
		}
	}
}

// TestMayHold: what a process that could not be inspected may hold, by its ids.
func TestMayHold(t *testing.T) {
	mine := &Object{Flavor: SysV, Kind: MQ, UID: 1000, CUID: 1000, Mode: 0o600}
	shared := &Object{Flavor: POSIX, Kind: Shm, UID: 1000, CUID: 1000, Mode: 0o644}
	for _, tc := range []struct {
		p    procInfo
		o    *Object
		me   uint32
		want bool
	}{
		{procInfo{uids: []uint32{0, 0, 0, 0}}, mine, 1000, true},          // root may hold anything
		{procInfo{uids: []uint32{0, 0, 0, 0}, ns: -1}, mine, 1000, false}, // not in this namespace
		{procInfo{uids: []uint32{0, 0, 0, 0}, ns: -1}, shared, 1000, true},
		{procInfo{uids: []uint32{2000, 2000, 2000, 2000}}, mine, 1000, false}, // another user, private object
		{procInfo{uids: []uint32{2000, 2000, 2000, 2000}}, shared, 1000, true},
		{procInfo{uids: []uint32{1000, 0, 0, 0}}, mine, 1000, true},           // setuid root run by the caller
		{procInfo{uids: []uint32{1000, 1000, 1000, 1000}}, mine, 1000, false}, // the caller's own
		{procInfo{uids: []uint32{0, 0, 0, 0}}, mine, 0, false},                // root's own, for root
		{procInfo{}, mine, 1000, true},                                        // ids unknown
	} {
		if got := tc.p.mayHold(tc.o, tc.me); got != tc.want {
			t.Errorf("%+v may hold %+v (caller %d) = %v, want %v", tc.p, *tc.o, tc.me, got, tc.want)
		}
	}
}
