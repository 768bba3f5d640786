//go:build linux

package sysv

import (
	"context"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// sleepIn runs call, a System V system call that may sleep in the kernel (msgsnd(2), msgrcv(2)),
// until it returns something other than EINTR, or ctx ends (errCtx). These calls are never
// restarted after a signal handler, whatever SA_RESTART says (signal(7)), so a signal sent to the
// thread that sleeps in the call interrupts it: when ctx ends, the thread is sent SIGURG (which
// the Go runtime takes harmlessly as a preemption request) every 5 ms until the call returns.
//
// A wait allocates nothing: a message stream waits for room or for a message thousands of times,
// and a context.AfterFunc, a channel and closures per wait (as this was written before) made the
// heap and RSS of `mq recv --follow` grow with the number of messages until the GC ran. The
// threads sleeping under a context are kept by its Done channel, and one goroutine per context,
// started at its first wait, does the signalling once the context ends, until none sleeps there.
func sleepIn(ctx context.Context, call func() unix.Errno) unix.Errno {
	done := ctx.Done()
	if done == nil {
		for {
			if e := call(); e != unix.EINTR {
				return e
			}
		}
	}
	if ctx.Err() != nil {
		return errCtx
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	sleepers.add(done, tid)
	defer sleepers.remove(done, tid)
	for {
		if e := call(); e != unix.EINTR {
			return e
		}
		if ctx.Err() != nil {
			return errCtx
		}
	}
}

// sleepers are the threads sleeping in sleepIn, by the Done channel of their context (the map
// made at the first sleep).
var sleepers sleeperTable

type sleeperTable struct {
	mu     sync.Mutex
	byDone map[<-chan struct{}]*sleeperSet
}

type sleeperSet struct{ tids []int }

// add records thread tid as sleeping under done, starting the context's interrupter at its first
// wait (or again, when the last one ended: it stops once its context ended and nobody sleeps).
func (t *sleeperTable) add(done <-chan struct{}, tid int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.byDone[done]
	if s == nil {
		s = &sleeperSet{}
		if t.byDone == nil {
			t.byDone = map[<-chan struct{}]*sleeperSet{}
		}
		t.byDone[done] = s
		go t.interrupt(done, s)
	}
	s.tids = append(s.tids, tid)
}

// remove forgets thread tid, whose call returned.
func (t *sleeperTable) remove(done <-chan struct{}, tid int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.byDone[done]
	for i, x := range s.tids {
		if x == tid {
			s.tids[i] = s.tids[len(s.tids)-1]
			s.tids = s.tids[:len(s.tids)-1]
			break
		}
	}
}

// interrupt waits until done closes, then signals the threads sleeping under it every 5 ms until
// none is left, and forgets the context.
func (t *sleeperTable) interrupt(done <-chan struct{}, s *sleeperSet) {
	<-done
	pid := os.Getpid()
	for {
		t.mu.Lock()
		if len(s.tids) == 0 {
			delete(t.byDone, done)
			t.mu.Unlock()
			return
		}
		for _, tid := range s.tids {
			unix.Tgkill(pid, tid, unix.SIGURG)
		}
		t.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}
