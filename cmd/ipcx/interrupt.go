package main

import (
	"context"

	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/sig"
)

// The signal contexts of the waiting commands, over internal/sig's.

// interruptContext returns a context cancelled by SIGINT, SIGQUIT, SIGTERM or SIGHUP, and by
// SIGUSR1, SIGUSR2 and SIGALRM, whose default action ends a C tool too, for commands that wait:
// they stop waiting, put back what they took, and exit 128+N. The signal is remembered for the
// exit code. Calling stop restores the default dispositions.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	return sig.NotifyContext(parent, sig.WaitEnders...)
}

// tryThenWait runs op once without waiting and, only when it would have had to wait, catches the
// interrupt signals (interruptContext) and runs it again, waiting as far as w's --timeout allows:
// with --nonblock the try is the answer, and --timeout 0 gets its 124 without catching anything.
// For mq send, sem wait and sem op, whose usual case does not wait: catching the seven signals
// costs a round trip to the Go runtime's signal thread for each, and a thread (about 0.3 ms on the
// project's VM, a tenth of the command), for nothing when the queue has room or the semaphore a
// unit.
//
// Until the signals are caught they do to ipcx what they do to any Go program, as during its
// start: INT, TERM and HUP end it with 128+N, as they end a C tool, also just after a try that
// succeeded (the message is sent, the unit taken, as when a C tool is killed after sem_wait
// returned); USR1, USR2 and ALRM are ignored, and QUIT prints the runtime's stacks. The try itself
// is one system call (or none: a POSIX semaphore with a unit is taken in user space).
func tryThenWait(w *waitFlags, op func(ctx context.Context, nonblock bool) error) error {
	var l lazyInterrupt
	defer l.release()
	return l.tryThenWait(w, op)
}

// lazyInterrupt is an interruptContext made when a wait first needs it, kept for the waits after
// it: mq send tries each of its messages, and catches the signals once.
type lazyInterrupt struct {
	ctx  context.Context
	stop context.CancelFunc
}

// tryThenWait is the package's tryThenWait, catching the signals in l.
func (l *lazyInterrupt) tryThenWait(w *waitFlags, op func(ctx context.Context, nonblock bool) error) error {
	if err := op(context.Background(), true); w.nonblock || !ipc.WouldBlock(err) {
		return err
	}
	ctx := context.Background() // --timeout 0: the expired deadline gives 124 at once
	if !w.zero() {
		if l.ctx == nil {
			l.ctx, l.stop = interruptContext(context.Background())
		}
		ctx = l.ctx
	}
	wctx, cancel := w.context(ctx)
	defer cancel()
	return op(wctx, false)
}

// release lets the signals go, if they were caught.
func (l *lazyInterrupt) release() {
	if l.stop != nil {
		l.stop()
	}
}

// interruptSignal is the signal that cancelled an interruptContext (SIGINT when none was seen).
var interruptSignal = sig.Interrupted

// catchSIGPIPE makes writes to a closed pipe fail with EPIPE instead of killing ipcx, for commands
// that must put back what they could not write.
func catchSIGPIPE() { sig.CatchPipe() }
