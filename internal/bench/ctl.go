//go:build linux

package bench

import (
	"encoding/binary"
	"errors"

	"golang.org/x/sys/unix"
)

// The control channel between the two processes: a UNIX stream socket pair (the child's fd 3)
// carrying fixed messages of four little-endian int64 words, [op, a, b, c], outside every timed
// loop.
const (
	opReady = 1 + iota // child: [ready, info, cpu, 0]
	opEcho             // parent: [echo, n, 0, 0]: receive and send back n messages; child: [looping, 0, 0, 0] once it waits for the first, then [done, 0, cpu, 0]
	opSink             // parent: [sink, n, id, 0]: receive n messages (udp: until end marker id); child: [done, received, ns, cpu]
	opDone
	opQuit    // parent: exit
	opLooping // child: the echo loop runs (its thread made, the GC done): the clock may start
)

var errCtlClosed = errors.New("the control channel closed")

type ctl struct {
	fd int
	b  [32]byte
}

func (c *ctl) put(op, a, b, d int64) error {
	for i, v := range [4]int64{op, a, b, d} {
		binary.LittleEndian.PutUint64(c.b[8*i:], uint64(v))
	}
	for p := c.b[:]; len(p) > 0; {
		n, err := unix.Write(c.fd, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return errCtlClosed
		}
		p = p[n:]
	}
	return nil
}

func (c *ctl) get() ([4]int64, error) {
	var w [4]int64
	for p := c.b[:]; len(p) > 0; {
		n, err := unix.Read(c.fd, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return w, errCtlClosed
		}
		p = p[n:]
	}
	for i := range w {
		w[i] = int64(binary.LittleEndian.Uint64(c.b[8*i:]))
	}
	return w, nil
}

// readable waits up to ms milliseconds for a message on the channel.
func (c *ctl) readable(ms int) bool {
	fds := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLIN}}
	n, _ := unix.Poll(fds, ms)
	return n > 0
}
