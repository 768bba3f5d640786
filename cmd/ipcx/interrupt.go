package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

var lastSignal atomic.Int32

// interruptSignals are the signals that end a waiting command cleanly: Ctrl-C (INT), Ctrl-\
// (QUIT), kill's default (TERM) and a closed terminal (HUP). Left to the Go runtime, QUIT would dump
// every goroutine's stack and exit 2 without putting anything back.
var interruptSignals = []os.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP}

// interruptContext returns a context cancelled by SIGINT, SIGQUIT, SIGTERM or SIGHUP, for commands
// that wait: they stop waiting, put back what they took, and exit 128+N. The signal is remembered
// for the exit code. Calling stop restores the default dispositions.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signalContext(parent, interruptSignals...)
}

// signalContext returns a context cancelled by the first of sigs to arrive, remembered for
// interruptSignal.
func signalContext(parent context.Context, sigs ...os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
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
