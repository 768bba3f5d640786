//go:build linux

package sig

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// The signals ipcx handles by name, numbered as x/sys/unix numbers them on this architecture.
const (
	SIGHUP  = Signal(unix.SIGHUP)
	SIGINT  = Signal(unix.SIGINT)
	SIGQUIT = Signal(unix.SIGQUIT)
	SIGPIPE = Signal(unix.SIGPIPE)
	SIGTERM = Signal(unix.SIGTERM)
	SIGCHLD = Signal(unix.SIGCHLD)
)

// Interrupts are the signals that end a waiting command cleanly: Ctrl-C (INT), Ctrl-\ (QUIT),
// kill's default (TERM) and a closed terminal (HUP). Left to the Go runtime, QUIT would dump every
// goroutine's stack and exit 2 without putting anything back.
var Interrupts = []os.Signal{unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGHUP}

// WaitEnders are the signals that end a waiting command: the Interrupts, and SIGUSR1, SIGUSR2 and
// SIGALRM, whose default action ends a C tool too (the Go runtime ignores them unless they are
// caught). A literal of constants: nothing to build at init.
var WaitEnders = []os.Signal{unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGHUP, unix.SIGUSR1, unix.SIGUSR2, unix.SIGALRM}

// lastInterrupt is the signal that last cancelled a NotifyContext (0: none yet).
var lastInterrupt atomic.Int32

// NotifyContext returns a context cancelled by the first of sigs to arrive (see signal.Notify),
// and remembers that signal for Interrupted. Calling stop restores the default dispositions,
// unless ExitAfterCommand was called: then they stay caught, and a signal after stop is ignored.
func NotifyContext(parent context.Context, sigs ...os.Signal) (ctx context.Context, stop context.CancelFunc) {
	contexts.Add(1)
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			RecordInterrupt(s)
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		if !exitAfterCommand.Load() {
			signal.Stop(ch)
		}
		cancel()
	}
}

// contexts counts the NotifyContexts made (Contexts).
var contexts atomic.Int64

// Contexts is how many NotifyContexts the process has made: for tests of the commands that catch
// signals only when they must wait.
func Contexts() int64 { return contexts.Load() }

// exitAfterCommand is set by ExitAfterCommand.
var exitAfterCommand atomic.Bool

// ExitAfterCommand tells NotifyContext that this process exits as soon as its command returns,
// as ipcx's main does (tests that run commands in-process do not call it): its stop functions
// then leave the signals caught instead of restoring their default dispositions. Restoring is a
// round trip to the Go runtime's signal thread for each signal, which a short waiting command
// (mq send, mq recv, sem wait: seven signals) paid for nothing just before exiting: about 0.13 ms
// on the project's VM, a tenth of a Go hello world. A signal that arrives after stop is ignored:
// the command has ended, and its exit status stands.
func ExitAfterCommand() { exitAfterCommand.Store(true) }

// RecordInterrupt remembers s as the signal that stopped the command, for Interrupted: for a
// caller that reads signal.Notify's channel itself.
func RecordInterrupt(s os.Signal) {
	if n, ok := s.(syscall.Signal); ok {
		lastInterrupt.Store(int32(n))
	}
}

// Interrupted is the signal that cancelled a NotifyContext (SIGINT when none was seen), for the
// exit status 128+N.
func Interrupted() syscall.Signal {
	if s := lastInterrupt.Load(); s != 0 {
		return syscall.Signal(s)
	}
	return unix.SIGINT
}

// CatchPipe makes writes to a closed pipe fail with EPIPE instead of killing the process (the Go
// runtime's default for standard output), for commands that must put back what they could not
// write. See signal(7).
func CatchPipe() {
	signal.Notify(make(chan os.Signal, 1), unix.SIGPIPE)
}

// OS returns s as os/signal takes it.
func (s Signal) OS() os.Signal { return syscall.Signal(s) }
