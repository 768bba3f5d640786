//go:build linux

package posix

import (
	"context"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkSemPostWait measures one Post(1) + Wait pair on a named semaphore, the loop
// scripts/bench.d/semshm.sh compares with glibc's sem_post/sem_wait in C.
func BenchmarkSemPostWait(b *testing.B) {
	const name = "/ipcx-bench-sem"
	SemUnlink(name)
	s, err := SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o600, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer SemUnlink(name)
	defer s.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Post(1); err != nil {
			b.Fatal(err)
		}
		if err := s.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
