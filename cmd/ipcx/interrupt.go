package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

var lastSignal atomic.Int32

// interruptContext returns a context cancelled by SIGINT, SIGTERM or SIGHUP, for commands that
// wait: they stop waiting, put back what they took, and exit 128+N. The signal is remembered for
// the exit code. Calling stop restores the default dispositions.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case s := <-ch:
			lastSignal.Store(int32(s.(syscall.Signal)))
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// interruptSignal is the signal that cancelled an interruptContext (SIGINT when none was seen).
func interruptSignal() syscall.Signal {
	if s := lastSignal.Load(); s != 0 {
		return syscall.Signal(s)
	}
	return syscall.SIGINT
}

// catchSIGPIPE makes writes to a closed pipe fail with EPIPE instead of killing ipcx, for commands
// that must put back what they could not write.
func catchSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}
