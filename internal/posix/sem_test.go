//go:build linux

package posix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

// semCPeer is a gcc-compiled peer using glibc's semaphores.
const semCPeer = `
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

static sem_t *must(const char *name, int flags, unsigned v) {
	sem_t *s = sem_open(name, flags, 0640, v);
	if (s == SEM_FAILED) { perror("sem_open"); exit(1); }
	return s;
}

int main(int argc, char **argv) {
	const char *cmd = argv[1], *name = argv[2];
	if (!strcmp(cmd, "create")) { must(name, O_CREAT | O_EXCL, atoi(argv[3])); return 0; }
	if (!strcmp(cmd, "post")) { return sem_post(must(name, 0, 0)) != 0; }
	if (!strcmp(cmd, "getvalue")) {
		int v; sem_getvalue(must(name, 0, 0), &v); printf("%d\n", v); return 0;
	}
	if (!strcmp(cmd, "wait")) {
		sem_t *s = must(name, 0, 0);
		printf("waiting\n"); fflush(stdout);
		if (sem_wait(s) != 0) { perror("sem_wait"); return 1; }
		printf("ok\n"); return 0;
	}
	if (!strcmp(cmd, "timedwait")) {
		sem_t *s = must(name, 0, 0);
		struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts); ts.tv_sec += 1;
		if (sem_timedwait(s, &ts) == 0) { printf("ok\n"); return 0; }
		printf("%s\n", errno == ETIMEDOUT ? "timeout" : strerror(errno)); return 0;
	}
	if (!strcmp(cmd, "pingpong")) { /* wait on argv[2], post argv[3], argv[4] times */
		sem_t *a = must(name, 0, 0), *b = must(argv[3], 0, 0);
		for (int i = atoi(argv[4]); i > 0; i--) {
			if (sem_wait(a) != 0 || sem_post(b) != 0) { perror("pingpong"); return 1; }
		}
		return 0;
	}
	fprintf(stderr, "unknown command %s\n", cmd);
	return 2;
}
`

var (
	cpeerOnce sync.Once
	cpeerPath string
)

func cpeer(t *testing.T) string {
	t.Helper()
	cpeerOnce.Do(func() {
		// Built once for the package; the binary lives in a directory removed at exit.
		dir, err := os.MkdirTemp("", "ipcx-sempeer")
		if err != nil {
			t.Fatal(err)
		}
		cpeerPath = ctest.Build(&dirTB{TB: t, dir: dir}, "sem_peer", semCPeer, "-pthread")
	})
	if cpeerPath == "" {
		t.Fatal("C peer not built")
	}
	return cpeerPath
}

// dirTB lets ctest.Build outlive the first test that asks for the peer.
type dirTB struct {
	testing.TB
	dir string
}

func (d *dirTB) TempDir() string { return d.dir }

var uniqN atomic.Int64

// uniq returns a name unique to the test.
func uniq(t *testing.T, kind string) string {
	return fmt.Sprintf("/ipcx-test-%s-%d-%s-%d", kind, os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"), uniqN.Add(1))
}

func newSem(t *testing.T, value uint) (*Sem, string) {
	t.Helper()
	name := uniq(t, "sem")
	s, err := SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o600, value)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); SemUnlink(name) })
	return s, name
}

func TestSemOpenCreates(t *testing.T) {
	s, name := newSem(t, 5)
	if s.Value() != 5 || s.Waiters() != 0 {
		t.Errorf("value %d waiters %d, want 5 0", s.Value(), s.Waiters())
	}
	if _, err := SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o600, 0); !errors.Is(err, unix.EEXIST) {
		t.Errorf("exclusive create of an existing semaphore: %v, want EEXIST", err)
	}
	again, err := SemOpen(name, unix.O_CREAT, 0o600, 9)
	if err != nil {
		t.Fatal(err)
	}
	if again.Value() != 5 {
		t.Errorf("O_CREAT on an existing semaphore changed the value to %d", again.Value())
	}
	again.Close()
	if _, err := SemOpen("/ipcx-test-missing", 0, 0, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("open missing: %v, want ENOENT", err)
	}
	if _, err := SemOpen("/ipcx-test-big", unix.O_CREAT, 0o600, SemValueMax+1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("value over SEM_VALUE_MAX: %v, want EINVAL", err)
	}
	if _, err := SemOpen("bad", unix.O_CREAT, 0o600, 0); !errors.Is(err, ErrBadName) {
		t.Errorf("name without /: %v, want ErrBadName", err)
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(Dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "sem.") && len(e.Name()) == 10 && !strings.Contains(e.Name(), "ipcx") {
			t.Errorf("leftover temporary %s", e.Name())
		}
	}
}

// The file ipcx makes is byte for byte the one glibc's sem_open makes, with the same mode.
func TestSemFileMatchesGlibc(t *testing.T) {
	peer := cpeer(t)
	old := unix.Umask(0o022)
	defer unix.Umask(old)
	_, goName := newSem(t, 3)
	if err := os.Chmod(Dir+"/sem."+goName[1:], 0o640&^0o022); err != nil { // the glibc peer's 0640 less the umask
		t.Fatal(err)
	}
	cName := uniq(t, "csem")
	if out, err := exec.Command(peer, "create", cName, "3").CombinedOutput(); err != nil {
		t.Fatalf("peer: %v %s", err, out)
	}
	defer SemUnlink(cName)
	goFile, _ := os.ReadFile(Dir + "/sem." + goName[1:])
	cFile, _ := os.ReadFile(Dir + "/sem." + cName[1:])
	if !bytes.Equal(goFile, cFile) || len(cFile) != SemSize {
		t.Errorf("ipcx file % x\nglibc file % x", goFile, cFile)
	}
	s, err := SemOpen("/ipcx-test-mode", unix.O_CREAT|unix.O_EXCL, 0o666, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	defer SemUnlink("/ipcx-test-mode")
	if info, err := SemStat("/ipcx-test-mode"); err != nil || info.Mode != 0o666 || info.Value != 0 {
		t.Errorf("SemStat = %+v, %v; want mode 0666 exactly despite umask 022", info, err)
	}
}

func TestSemPostWait(t *testing.T) {
	s, _ := newSem(t, 0)
	if err := s.TryWait(); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("TryWait on 0: %v, want EAGAIN", err)
	}
	if err := s.Post(3); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := s.Wait(ctx); !errors.Is(err, unix.ETIMEDOUT) {
		t.Errorf("Wait with timeout: %v, want ETIMEDOUT", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
		t.Errorf("timed out after %v", d)
	}
	if s.Waiters() != 0 {
		t.Errorf("%d waiters left registered after a timeout", s.Waiters())
	}
	if err := s.Post(SemValueMax); err != nil {
		t.Fatal(err)
	}
	if err := s.Post(1); !errors.Is(err, unix.EOVERFLOW) {
		t.Errorf("post past SEM_VALUE_MAX: %v, want EOVERFLOW", err)
	}
	if s.Value() != SemValueMax {
		t.Errorf("value %d after a refused post", s.Value())
	}
}

func TestSemWaitCancel(t *testing.T) {
	s, _ := newSem(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Wait(ctx) }()
	waitFor(t, func() bool { return s.Waiters() == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled wait: %v, want context.Canceled", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Wait did not return after cancel")
	}
	if s.Waiters() != 0 || s.Value() != 0 {
		t.Errorf("after cancel: value %d waiters %d, want 0 0", s.Value(), s.Waiters())
	}
}

func TestSemInteropC(t *testing.T) {
	peer := cpeer(t)
	s, name := newSem(t, 0)

	// A C process blocked in sem_wait is woken by our post.
	c := exec.Command(peer, "wait", name)
	out, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	if line, _ := r.ReadString('\n'); line != "waiting\n" {
		t.Fatalf("peer said %q", line)
	}
	waitFor(t, func() bool { return s.Waiters() == 1 })
	if err := s.Post(1); err != nil {
		t.Fatal(err)
	}
	if line, _ := r.ReadString('\n'); line != "ok\n" {
		t.Errorf("C sem_wait woken: %q", line)
	}
	if err := c.Wait(); err != nil {
		t.Errorf("peer: %v", err)
	}

	// We block; C's sem_post wakes us, through the futex: with futex sleeps of 30 s, a wake-up
	// within 2 s can only have come from the FUTEX_WAKE of C's sem_post (which it makes only when
	// it sees our waiter registered), not from the end of a sleep.
	defer func(d time.Duration) { semWaitSlice = d }(semWaitSlice)
	semWaitSlice = 30 * time.Second
	done := make(chan error)
	go func() { done <- s.Wait(context.Background()) }()
	waitFor(t, func() bool { return s.Waiters() == 1 })
	time.Sleep(50 * time.Millisecond) // let the waiter reach its futex sleep
	posted := time.Now()
	if out, err := exec.Command(peer, "post", name).CombinedOutput(); err != nil {
		t.Fatalf("peer post: %v %s", err, out)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("woken %v after C's sem_post started", time.Since(posted))
	case <-time.After(2 * time.Second):
		t.Fatal("Go waiter not woken by C sem_post's FUTEX_WAKE within 2s")
	}
	if s.Waiters() != 0 {
		t.Errorf("waiters %d after wake-up", s.Waiters())
	}

	// sem_getvalue agrees; a C sem_timedwait times out on 0 and succeeds after a post.
	s.Post(2)
	if out, _ := exec.Command(peer, "getvalue", name).Output(); string(out) != "2\n" {
		t.Errorf("C sem_getvalue = %q, want 2", out)
	}
	s.TryWait()
	s.TryWait()
	if out, _ := exec.Command(peer, "timedwait", name).Output(); string(out) != "timeout\n" {
		t.Errorf("C sem_timedwait on 0 = %q, want timeout", out)
	}
	if s.Waiters() != 0 {
		t.Errorf("C left %d waiters registered", s.Waiters())
	}
}

// Many rounds between Go and C with both sides blocking lose no wake-up.
func TestSemPingPongC(t *testing.T) {
	peer := cpeer(t)
	a, aName := newSem(t, 0)
	b, bName := newSem(t, 0)
	const rounds = 5000
	c := exec.Command(peer, "pingpong", aName, bName, fmt.Sprint(rounds))
	c.Stderr = io.Discard
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := 0; i < rounds; i++ {
		if err := a.Post(1); err != nil {
			t.Fatal(err)
		}
		if err := b.Wait(ctx); err != nil {
			c.Process.Kill()
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("peer: %v", err)
	}
	if a.Value() != 0 || b.Value() != 0 || a.Waiters() != 0 || b.Waiters() != 0 {
		t.Errorf("after ping-pong: a %d/%d b %d/%d", a.Value(), a.Waiters(), b.Value(), b.Waiters())
	}
}

// Many goroutines contend; every unit posted is taken exactly once.
func TestSemContention(t *testing.T) {
	s, _ := newSem(t, 0)
	const workers, each = 8, 500
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				if err := s.Wait(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < workers*each; i++ {
		s.Post(1)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s.Value() != 0 || s.Waiters() != 0 {
		t.Errorf("value %d waiters %d, want 0 0", s.Value(), s.Waiters())
	}
}

// A planted symlink or a short file is refused, never followed or mapped.
func TestSemRefusesPlantedFiles(t *testing.T) {
	target := t.TempDir() + "/target"
	os.WriteFile(target, make([]byte, 64), 0o600)
	link := Dir + "/sem.ipcx-test-link"
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(link)
	for _, flags := range []int{0, unix.O_CREAT, unix.O_CREAT | unix.O_EXCL} {
		if s, err := SemOpen("/ipcx-test-link", flags, 0o600, 1); err == nil {
			s.Close()
			t.Errorf("SemOpen(flags %#x) followed a symlink", flags)
		}
	}
	if b, _ := os.ReadFile(target); !bytes.Equal(b, make([]byte, 64)) {
		t.Errorf("symlink target was written")
	}
	short := Dir + "/sem.ipcx-test-short"
	os.WriteFile(short, []byte{1, 2, 3}, 0o600)
	defer os.Remove(short)
	if _, err := SemOpen("/ipcx-test-short", 0, 0, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("short file: %v, want EINVAL", err)
	}
	if info, err := SemStat("/ipcx-test-short"); err != nil || info.Value != -1 {
		t.Errorf("SemStat of a short file = %+v, %v; want value -1", info, err)
	}
}

func TestSemListAndHolders(t *testing.T) {
	s, name := newSem(t, 4)
	list, err := SemList()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, info := range list {
		if info.Name == name {
			found = info.Value == 4 && info.Mode == 0o600
		}
		if strings.HasPrefix(info.Name, "/sem.") {
			t.Errorf("listed %s with its prefix", info.Name)
		}
	}
	if !found {
		t.Errorf("SemList = %+v, want %s with value 4 mode 0600", list, name)
	}
	h, err := SemHolders(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].PID != os.Getpid() || !h[0].Mapped || len(h[0].FDs) != 0 {
		t.Errorf("SemHolders = %+v, want this process, mapped only", h)
	}
	s.Close()
	if h, _ := SemHolders(name); len(h) != 0 {
		t.Errorf("SemHolders after Close = %+v", h)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached within 5s")
}

// The longest semaphore name is 251 bytes, where glibc's sem_open draws the line too (the file
// sem.NAME must fit in NAME_MAX): ValidSemName agrees with it on both sides of the limit.
func TestSemNameLimitMatchesGlibc(t *testing.T) {
	peer := cpeer(t)
	base := uniq(t, "n")
	for _, n := range []int{SemNameMax, SemNameMax + 1, NameMax} {
		name := base + strings.Repeat("x", n-len(base)+1)
		ours := ValidSemName(name)
		out, cerr := exec.Command(peer, "create", name, "0").CombinedOutput()
		if cerr == nil {
			SemUnlink(name)
		}
		if (ours == nil) != (cerr == nil) {
			t.Errorf("%d-byte name: ValidSemName %v, glibc sem_open %v %s", n, ours, cerr, out)
		}
		if n > SemNameMax && !errors.Is(ours, ErrBadName) {
			t.Errorf("%d-byte name: %v, want ErrBadName", n, ours)
		}
		s, err := SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o600, 0)
		if err == nil {
			s.Close()
			SemUnlink(name)
		}
		if (err == nil) != (n <= SemNameMax) {
			t.Errorf("%d-byte name: SemOpen %v", n, err)
		}
	}
}

// A semaphore opened read-only reads its value with read permission alone, and refuses to change
// it (EBADF) rather than fault on its read-only mapping.
func TestSemOpenReadOnly(t *testing.T) {
	s, name := newSem(t, 4)
	if err := unix.Chmod(Dir+"/"+semPrefix+name[1:], 0o444); err != nil {
		t.Fatal(err)
	}
	r, err := SemOpenReadOnly(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Value() != 4 || r.Waiters() != 0 {
		t.Errorf("read-only value %d waiters %d, want 4 0", r.Value(), r.Waiters())
	}
	s.Post(1)
	if r.Value() != 5 {
		t.Errorf("read-only value %d after a post, want 5", r.Value())
	}
	if err := r.Post(1); !errors.Is(err, unix.EBADF) {
		t.Errorf("Post on read-only: %v, want EBADF", err)
	}
	if err := r.TryWait(); !errors.Is(err, unix.EBADF) {
		t.Errorf("TryWait on read-only: %v, want EBADF", err)
	}
	if err := r.Wait(context.Background()); !errors.Is(err, unix.EBADF) {
		t.Errorf("Wait on read-only: %v, want EBADF", err)
	}
	if s.Value() != 5 {
		t.Errorf("value %d, want 5", s.Value())
	}
}

// FuzzValidSemName: a name ValidSemName accepts is a valid POSIX name whose file sem.NAME fits in
// NAME_MAX and stays inside Dir; one it refuses is refused with ErrBadName.
func FuzzValidSemName(f *testing.F) {
	for _, s := range []string{"/a", "/", "a", "/a/b", "/" + strings.Repeat("x", SemNameMax), "/" + strings.Repeat("x", SemNameMax+1), "/..", "/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidSemName(s)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("ValidSemName(%q) = %v, not ErrBadName", s, err)
			}
			return
		}
		if ValidName(s) != nil || len(s)-1 > SemNameMax {
			t.Fatalf("ValidSemName accepted %q", s)
		}
		p, err := semPath(s)
		if err != nil || !strings.HasPrefix(p, Dir+"/"+semPrefix) || strings.Contains(p[len(Dir)+1:], "/") ||
			len(p)-len(Dir)-1 > NameMax {
			t.Fatalf("semPath(%q) = %q, %v", s, p, err)
		}
	})
}
