package main

import (
	"context"
	"os"

	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/sig"
)

// The signal contexts of the waiting commands, over internal/sig's.

// interruptSignals are the signals that end a waiting command cleanly (sig.Interrupts).
var interruptSignals = sig.Interrupts

// interruptContext returns a context cancelled by SIGINT, SIGQUIT, SIGTERM or SIGHUP, and by
// SIGUSR1, SIGUSR2 and SIGALRM, whose default action ends a C tool too, for commands that wait:
// they stop waiting, put back what they took, and exit 128+N. The signal is remembered for the
// exit code. Calling stop restores the default dispositions.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	return sig.NotifyContext(parent, waitEnders...)
}

// waitEnders are the signals that end a waiting command: the interrupts, USR1, USR2 and ALRM.
var waitEnders = append(append([]os.Signal{}, sig.Interrupts...), sigByName("USR1"), sigByName("USR2"), sigByName("ALRM"))

func sigByName(name string) os.Signal {
	s, err := sig.Parse(name)
	if err != nil {
		panic(err)
	}
	return s.OS()
}

// tryThenWait runs op once without waiting and, only when it would have had to wait, catches the
// interrupt signals (interruptContext) and runs it again, waiting as far as its flags allow; with
// nonblock the first try is the answer. For mq send, sem wait and sem op, whose usual case does
// not wait: catching the signals costs a round trip to the Go runtime's signal thread for each of
// the seven, and a thread (about 0.4 ms on the project's VM, an eighth of the command), for
// nothing when the queue has room or the semaphore a unit. A try holds nothing a signal could
// lose: a signal before the handlers ends ipcx by its default action (the shell's status is
// 128+N all the same), as one during its start does.
func tryThenWait(nonblock bool, op func(ctx context.Context, nonblock bool) error) error {
	if err := op(context.Background(), true); nonblock || !ipc.WouldBlock(err) {
		return err
	}
	ctx, stop := interruptContext(context.Background())
	defer stop()
	return op(ctx, false)
}

// interruptSignal is the signal that cancelled an interruptContext (SIGINT when none was seen).
var interruptSignal = sig.Interrupted

// catchSIGPIPE makes writes to a closed pipe fail with EPIPE instead of killing ipcx, for commands
// that must put back what they could not write.
func catchSIGPIPE() { sig.CatchPipe() }
