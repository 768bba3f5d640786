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

// sleepIn runs call, a msgsnd(2) or msgrcv(2) that may sleep in the kernel, until it returns
// something other than EINTR, or ctx ends (errCtx). It is blocking (intr.go) without an allocation
// per wait, for streams that wait many times under one context: a message stream waits for room
// or for a message thousands of times, and blocking's context.AfterFunc, channel and closures per
// wait made `mq recv --follow` garbage that grew with the number of messages (reclaimed by the GC,
// but the heap and RSS grew until it ran).
//
// The threads sleeping under a context are kept per context (its Done channel), and one goroutine
// per context, started at its first wait, signals them with SIGURG (which the Go runtime takes
// harmlessly as a preemption request) once the context ends, until none sleeps there any more.
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

// sleepers are the threads sleeping in sleepIn, by the Done channel of their context.
var sleepers = sleeperTable{byDone: map[<-chan struct{}]*sleeperSet{}}

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
