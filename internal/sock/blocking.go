//go:build linux

package sock

import (
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// blocking lets a relay that alone uses a connection (Send, a listener serving one connection at
// a time) splice with the socket in blocking mode, as a C relay does: the kernel then waits for
// room or data inside splice(2), which moves a whole pipe (1 MiB) per call, where a non-blocking
// socket returns at every full socket buffer (200 KiB on UNIX sockets), to an EAGAIN, a round
// through Go's poller and a wake-up of another thread. On a 4 GiB stream over a UNIX socket:
// 1,025 splices instead of 5,800 per GiB on the sending side, a fifth less CPU time in all
// (scripts/bench streams). Go's deadlines do not reach a blocked splice, so the ways a relay is
// stopped (interrupt, Close) shut the socket down first, which wakes it.
type blocking struct {
	mu    sync.Mutex
	solo  bool // only one goroutine moves data on the connection: a relay may block on it
	on    bool // the socket is in blocking mode for a running splice
	woken bool // stopped: never blocking again
	fd    int
}

// blockFor puts c's socket in blocking mode for a splice when c is solo and not stopped; it
// reports whether it did. leave undoes it.
func (c *Conn) blockFor(rc syscall.RawConn) bool {
	b := &c.blk
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.solo || b.woken || b.on {
		return false
	}
	rc.Control(func(fd uintptr) {
		fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		if err != nil || fl&unix.O_NONBLOCK == 0 {
			return
		}
		if _, err := unix.FcntlInt(fd, unix.F_SETFL, fl&^unix.O_NONBLOCK); err == nil {
			b.on, b.fd = true, int(fd)
		}
	})
	return b.on
}

// leave puts the socket back in non-blocking mode, for Go's poller.
func (c *Conn) leave() {
	b := &c.blk
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.on {
		return
	}
	if fl, err := unix.FcntlInt(uintptr(b.fd), unix.F_GETFL, 0); err == nil {
		unix.FcntlInt(uintptr(b.fd), unix.F_SETFL, fl|unix.O_NONBLOCK)
	}
	b.on = false
}

// wake stops any blocking splice on c for good: a running one is woken by shutdown(2), which ends
// both directions (the connection is being given up).
func (c *Conn) wake() {
	b := &c.blk
	b.mu.Lock()
	defer b.mu.Unlock()
	b.woken = true
	if b.on {
		unix.Shutdown(b.fd, unix.SHUT_RDWR)
	}
}

// interrupt ends what is under way on c: a blocking splice (wake) and any wait of Go's poller.
func (c *Conn) interrupt() {
	c.wake()
	c.SetDeadline(aLongTimeAgo)
}

// Close closes the connection, waking a blocking splice on it first (Go's Close would wait for
// it to return).
func (c *Conn) Close() error {
	c.wake()
	return c.Conn.Close()
}
