//go:build linux

package posix

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestSemTruncated: a semaphore whose file another process truncates gives ErrTruncated from
// every access, never a crash (SIGBUS), also for a waiter sleeping in the futex when it happens.
func TestSemTruncated(t *testing.T) {
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
