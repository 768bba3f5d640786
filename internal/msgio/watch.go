//go:build linux

package msgio

import (
	"context"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Watch returns a context that ends, with cause ErrOutputClosed, when the reader of f goes away
// while the caller waits for something to write: a pipe or FIFO without readers (POLLERR), a
// socket whose peer closed or a terminal that hung up (POLLHUP). `tail -f file | head -1` exits
// once head has: so does a follower that waits on a queue or a FIFO with Watch's context. A
// regular file or a device never ends it. stop ends the watch (and the context).
//
// The watch is one goroutine blocked in poll(2) on f and an eventfd that stop signals.
func Watch(ctx context.Context, f *os.File) (wctx context.Context, stop func()) {
	wctx, cancel := context.WithCancelCause(ctx)
	switch kindOf(f) {
	case outPipe, outSocket, outTTY:
	default:
		return wctx, func() { cancel(nil) }
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return wctx, func() { cancel(nil) }
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pfd := []unix.PollFd{{Fd: int32(f.Fd())}, {Fd: int32(efd), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(pfd, -1)
			if err == unix.EINTR {
				continue
			}
			if err != nil || pfd[1].Revents != 0 {
				return
			}
			if pfd[0].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
				cancel(ErrOutputClosed)
				return
			}
		}
	}()
	// An end of ctx (a signal) stops the watch too. wctx also ends when the watch itself cancels
	// it (the reader left), so this may run at any time before stop: stop waits for its write
	// before closing efd, or the write could land in a descriptor opened later under the same
	// number (the next Watch's eventfd, which then stopped watching at once: TestSinkWatch failed
	// under load).
	wrote := make(chan struct{})
	after := context.AfterFunc(wctx, func() {
		unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		close(wrote)
	})
	return wctx, func() {
		if !after() {
			<-wrote
		}
		unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		<-done
		unix.Close(efd)
		cancel(nil)
	}
}

// Closed reports whether ctx, made by Watch, ended because the output's reader went away.
func Closed(ctx context.Context) bool { return context.Cause(ctx) == ErrOutputClosed }

// WatchWriter is Watch for any writer: one that is not an *os.File (a buffer) is never watched.
func WatchWriter(ctx context.Context, w io.Writer) (context.Context, func()) {
	if f, ok := w.(*os.File); ok {
		return Watch(ctx, f)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	return wctx, func() { cancel(nil) }
}
