//go:build linux

package sysv

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

// newSet makes a private set of n semaphores that the test removes.
func newSet(t *testing.T, n int, vals ...uint16) ID {
	t.Helper()
	id, err := SemGet(Private, n, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SemRemove(id) })
	if len(vals) > 0 {
		if err := SemSetAll(id, vals); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestSemGetExclusive(t *testing.T) {
	const key Key = 0x1e5e0001
	id, err := SemGet(key, 2, Create|Exclusive|0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer SemRemove(id)
	if _, err := SemGet(key, 2, Create|Exclusive|0o640); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second exclusive semget: %v, want EEXIST", err)
	}
	if got, err := SemGet(key, 0, 0); err != nil || got != id {
		t.Errorf("semget existing = %d, %v; want %d", got, err, id)
	}
	info, err := SemSetOf(id)
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != key || info.ID != id || info.NSems != 2 || info.Mode&0o777 != 0o640 || info.OTime != nil || info.CTime == nil ||
		info.UID != uint32(unix.Geteuid()) {
		t.Errorf("SemSetOf = %+v", info)
	}
	// The same record as /proc/sysvipc/sem's line for it.
	sets, err := SemSets()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range sets {
		if s.ID == id {
			found = s.Key == info.Key && s.Mode == info.Mode && s.NSems == info.NSems && s.Owner == info.Owner && *s.CTime == *info.CTime
		}
	}
	if !found {
		t.Errorf("SemSets() = %+v, want %+v among them", sets, info)
	}
	if err := SemRemove(id); err != nil {
		t.Fatal(err)
	}
	if _, err := SemGet(key, 0, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("semget after IPC_RMID: %v, want ENOENT", err)
	}
}

func TestSemValues(t *testing.T) {
	id := newSet(t, 3, 1, 2, 3)
	if err := SemSetVal(id, 1, 7); err != nil {
		t.Fatal(err)
	}
	vals, err := SemGetAll(id)
	if err != nil || len(vals) != 3 || vals[0] != 1 || vals[1] != 7 || vals[2] != 3 {
		t.Fatalf("GETALL = %v, %v", vals, err)
	}
	if v, err := SemGetVal(id, 2); err != nil || v != 3 {
		t.Errorf("GETVAL 2 = %d, %v", v, err)
	}
	if err := SemSetVal(id, 0, SemVMX+1); !errors.Is(err, unix.ERANGE) {
		t.Errorf("SETVAL over SEMVMX: %v, want ERANGE", err)
	}
	if err := SemSetAll(id, []uint16{1}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SETALL with one value for three: %v, want EINVAL", err)
	}
	if _, err := SemGetVal(id, 3); !errors.Is(err, unix.EINVAL) {
		t.Errorf("GETVAL out of range: %v, want EINVAL", err)
	}
	ctx := context.Background()
	if err := SemOp(ctx, id, []Sembuf{{Num: 0, Op: -1}, {Num: 2, Op: 2}, {Num: 1, Op: -7}}); err != nil {
		t.Fatal(err)
	}
	st, err := SemStates(id)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 0, 5}
	for i, s := range st {
		if s.Value != want[i] || s.Pid != unix.Getpid() || s.Ncnt != 0 || s.Zcnt != 0 {
			t.Errorf("state %d = %+v, want value %d pid %d", i, s, want[i], unix.Getpid())
		}
	}
	if err := SemOp(ctx, id, []Sembuf{{Num: 3, Op: 1}}); !errors.Is(err, unix.EFBIG) {
		t.Errorf("semop out of range: %v, want EFBIG", err)
	}
	if err := SemOp(ctx, id, []Sembuf{{Num: 2, Op: SemVMX}}); !errors.Is(err, unix.ERANGE) {
		t.Errorf("semop past SEMVMX: %v, want ERANGE", err)
	}
	if err := SemSetMode(id, 0o604); err != nil {
		t.Fatal(err)
	}
	if info, _ := SemSetOf(id); info.Mode&0o777 != 0o604 {
		t.Errorf("mode after IPC_SET = %o", info.Mode)
	}
}

func TestSemOpNoWaitAndTimeout(t *testing.T) {
	id := newSet(t, 1)
	err := SemOp(context.Background(), id, []Sembuf{{Op: -1, Flg: NoWait}})
	if !errors.Is(err, unix.EAGAIN) {
		t.Errorf("NoWait on 0: %v, want EAGAIN", err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	err = SemOp(ctx, id, []Sembuf{{Op: -1}})
	if !errors.Is(err, unix.ETIMEDOUT) {
		t.Errorf("timeout: %v, want ETIMEDOUT", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
		t.Errorf("timed out after %v, want about 250ms", d)
	}
	// An already expired timeout still takes what is available, like semtimedop.
	if err := SemSetVal(id, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := SemOp(ctx, id, []Sembuf{{Op: -1}}); err != nil {
		t.Errorf("expired timeout with a value of 1: %v", err)
	}
	if err := SemOp(ctx, id, []Sembuf{{Op: -1}}); !errors.Is(err, unix.ETIMEDOUT) {
		t.Errorf("expired timeout with a value of 0: %v, want ETIMEDOUT", err)
	}
}

func TestSemOpCancel(t *testing.T) {
	id := newSet(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- SemOp(ctx, id, []Sembuf{{Op: -1}}) }()
	time.Sleep(150 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled wait: %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("cancel noticed after %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SemOp did not return after cancel")
	}
	if v, _ := SemGetVal(id, 0); v != 0 {
		t.Errorf("value after a cancelled wait = %d, want 0", v)
	}
}

func TestSemOpRemovedWhileWaiting(t *testing.T) {
	id, err := SemGet(Private, 1, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- SemOp(context.Background(), id, []Sembuf{{Op: -1}}) }()
	time.Sleep(100 * time.Millisecond)
	SemRemove(id)
	select {
	case err := <-done:
		if !errors.Is(err, unix.EIDRM) && !errors.Is(err, unix.EINVAL) {
			t.Errorf("wait on a removed set: %v, want EIDRM", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SemOp did not return after IPC_RMID")
	}
}

// A wake-up is immediate even while a context is watched (the wait is sliced, not polled).
func TestSemOpWakeIsImmediate(t *testing.T) {
	id := newSet(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const rounds = 200
	go func() {
		for i := 0; i < rounds; i++ {
			if SemOp(ctx, id, []Sembuf{{Num: 0, Op: -1}}) != nil {
				return
			}
			SemOp(ctx, id, []Sembuf{{Num: 1, Op: 1}})
		}
	}()
	start := time.Now()
	for i := 0; i < rounds; i++ {
		if err := SemOp(ctx, id, []Sembuf{{Num: 0, Op: 1}}); err != nil {
			t.Fatal(err)
		}
		if err := SemOp(ctx, id, []Sembuf{{Num: 1, Op: -1}}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("%d ping-pong rounds took %v: wake-ups wait for the slice", rounds, d)
	}
}

const semPeerC = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sem.h>

/* semop_peer ID N:OP[u]... [hold]: one semop with the operations (u = SEM_UNDO), print "ok",
   then with "hold" sleep until killed. */
int main(int argc, char **argv) {
	int id = atoi(argv[1]), n = 0, hold = 0;
	struct sembuf ops[16];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "hold") == 0) { hold = 1; continue; }
		char *colon = strchr(argv[i], ':');
		ops[n].sem_num = atoi(argv[i]);
		ops[n].sem_op = atoi(colon + 1);
		ops[n].sem_flg = strchr(argv[i], 'u') ? SEM_UNDO : 0;
		n++;
	}
	if (semop(id, ops, n) < 0) { perror("semop"); return 1; }
	printf("ok\n");
	fflush(stdout);
	if (hold) for (;;) pause();
	return 0;
}
`

// C's semop and ours agree on a set: SEM_UNDO from C is reverted when C dies, a Go waiter is woken
// by C, and a C waiter (wait-for-zero) by Go.
func TestSemInteropC(t *testing.T) {
	peer := ctest.Build(t, "semop_peer", semPeerC)
	id := newSet(t, 2, 3, 1)
	ids := strconv.Itoa(int(id))

	// C takes 2 units with SEM_UNDO and holds them; killing it gives them back.
	hold := exec.Command(peer, ids, "0:-2u", "hold")
	out, _ := hold.StdoutPipe()
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ok\n" {
		t.Fatalf("peer said %q", line)
	}
	if v, _ := SemGetVal(id, 0); v != 1 {
		t.Errorf("value while C holds 2 of 3 = %d, want 1", v)
	}
	hold.Process.Kill()
	hold.Wait()
	if v, _ := SemGetVal(id, 0); v != 3 {
		t.Errorf("value after C was killed = %d, want 3 (SEM_UNDO)", v)
	}

	// Go blocks on semaphore 0 taking 4; C adds 1.
	done := make(chan error, 1)
	go func() { done <- SemOp(context.Background(), id, []Sembuf{{Num: 0, Op: -4}}) }()
	waitFor(t, func() bool { s, _ := SemStates(id); return s[0].Ncnt == 1 })
	if out, err := exec.Command(peer, ids, "0:1").CombinedOutput(); err != nil {
		t.Fatalf("peer: %v %s", err, out)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Go waiter not woken by C semop")
	}

	// C waits for semaphore 1 to be zero; Go takes it to zero.
	zero := exec.Command(peer, ids, "1:0")
	zout, _ := zero.StdoutPipe()
	if err := zero.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { s, _ := SemStates(id); return s[1].Zcnt == 1 })
	if err := SemOp(context.Background(), id, []Sembuf{{Num: 1, Op: -1}}); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(zout).ReadString('\n'); line != "ok\n" {
		t.Errorf("C wait-for-zero said %q", line)
	}
	if err := zero.Wait(); err != nil {
		t.Errorf("C wait-for-zero: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached within 5s")
}
