package main

import (
	"context"

	"github.com/ipcx/ipcx/internal/sig"
)

// The signal contexts of the waiting commands, over internal/sig's.

// interruptSignals are the signals that end a waiting command cleanly (sig.Interrupts).
var interruptSignals = sig.Interrupts

// interruptContext returns a context cancelled by SIGINT, SIGQUIT, SIGTERM or SIGHUP, for commands
// that wait: they stop waiting, put back what they took, and exit 128+N. The signal is remembered
// for the exit code. Calling stop restores the default dispositions.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	return sig.NotifyContext(parent, sig.Interrupts...)
}

// interruptSignal is the signal that cancelled an interruptContext (SIGINT when none was seen).
var interruptSignal = sig.Interrupted

// catchSIGPIPE makes writes to a closed pipe fail with EPIPE instead of killing ipcx, for commands
// that must put back what they could not write.
func catchSIGPIPE() { sig.CatchPipe() }
