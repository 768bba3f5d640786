//go:build linux

package posix

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/testns"
)

// TestSemTruncated: a semaphore whose file another process truncates gives ErrTruncated from
// every access, never a crash (SIGBUS), also for a waiter sleeping in the futex when it happens.
func TestSemTruncated(t *testing.T) {
	skipFaultUnderEmulator(t)
	s, name := newSem(t, 0)
	path, err := semPath(name)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- s.Wait(context.Background()) }()
	waitFor(t, func() bool { return s.Waiters() == 1 })
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("wait during truncation: %v, want ErrTruncated", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not end when the file was truncated")
	}
	if err := s.Post(1); !errors.Is(err, ErrTruncated) {
		t.Errorf("Post: %v", err)
	}
	if err := s.TryWait(); !errors.Is(err, ErrTruncated) {
		t.Errorf("TryWait: %v", err)
	}
	if err := s.Wait(context.Background()); !errors.Is(err, ErrTruncated) {
		t.Errorf("Wait: %v", err)
	}
	if v, w := s.Value(), s.Waiters(); v != -1 || w != -1 {
		t.Errorf("Value, Waiters = %d, %d, want -1, -1", v, w)
	}
}

// TestShmMapTruncated: a shared memory object truncated under its mapping is ErrTruncated through
// MappedCopy, both ways, not a crash.
func TestShmMapTruncated(t *testing.T) {
	skipFaultUnderEmulator(t)
	name := uniq(t, "shm")
	f, _, err := ShmCreate(name, ShmCreateOptions{Size: 8192, Mode: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defer ShmUnlink(name)
	mem, unmap, err := ShmMap(f, 0, 8192, true)
	if err != nil {
		t.Fatal(err)
	}
	defer unmap()
	buf := make([]byte, 8192)
	if n, err := MappedCopy(buf, mem); n != 8192 || err != nil {
		t.Fatalf("copy before truncation: %d, %v", n, err)
	}
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := MappedCopy(buf, mem); !errors.Is(err, ErrTruncated) {
		t.Errorf("read after truncation: %v", err)
	}
	if _, err := MappedCopy(mem, buf); !errors.Is(err, ErrTruncated) {
		t.Errorf("write after truncation: %v", err)
	}
}

// skipFaultUnderEmulator skips a test of a bus error on a mapping under qemu-user: it delivers the
// guest's SIGBUS with si_addr 0, which the Go runtime takes for a nil dereference (no fault address
// to recover), not the fault on the mapping a native kernel reports.
func skipFaultUnderEmulator(t *testing.T) {
	if emu := testns.Emulator(); emu != "" {
		t.Skipf("under %s: SIGBUS arrives with si_addr 0", emu)
	}
}
