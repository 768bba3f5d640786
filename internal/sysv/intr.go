//go:build linux

package sysv

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// blocking runs call, a blocking System V system call, until it returns something other than EINTR
// or ctx is done. msgsnd(2), msgrcv(2) and semop(2) are never restarted after a signal handler,
// whatever SA_RESTART says (signal(7)), so a signal sent to the thread that sleeps in the call
// interrupts it: when ctx is done, blocking sends SIGURG (which the Go runtime takes harmlessly as
// a preemption request) to that thread until the call returns. It returns ctx.Err() when ctx ended
// the wait: context.Canceled, or context.DeadlineExceeded when a deadline passed.
func blocking(ctx context.Context, call func() error) error {
	if ctx.Done() == nil {
		for {
			if err := call(); !errors.Is(err, unix.EINTR) {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, tid := os.Getpid(), unix.Gettid()
	var done atomic.Bool
	stopped := make(chan struct{})
	// Nothing runs unless ctx ends while the call sleeps: then the interrupter signals the thread
	// until the call has returned.
	stop := context.AfterFunc(ctx, func() {
		defer close(stopped)
		for !done.Load() {
			unix.Tgkill(pid, tid, unix.SIGURG)
			time.Sleep(5 * time.Millisecond)
		}
	})
	defer func() {
		done.Store(true)
		if !stop() {
			<-stopped // the interrupter ran: wait until it stops signalling this thread
		}
	}()
	for {
		err := call()
		if !errors.Is(err, unix.EINTR) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
}
