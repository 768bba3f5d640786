package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/spf13/cobra"
)

// parseAddr parses an IPC address argument; a malformed one is a usage error with its hint.
func parseAddr(s string) (addr.Addr, error) {
	a, err := addr.Parse(s)
	if err != nil {
		ae := err.(*addr.Error)
		return a, usageHint(ae.Hint, "%v", ae)
	}
	return a, nil
}

// parseMode parses an octal permission mode such as 600 or 0640.
func parseMode(s string) (uint32, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, usageErrorf("invalid --mode %q: want octal permission bits like 0600 or 0644", s)
	}
	return uint32(m), nil
}

// waitFlags are --nonblock and --timeout, shared by every command that may wait.
//
// --timeout 0, given explicitly, means "try once, give up at once": the operation is done when it
// can be done without waiting, and ends as a timeout (exit 124) when it would have to wait, as
// sem_timedwait(3) with a deadline already past or flock -w 0. Without --timeout the wait has no
// limit.
type waitFlags struct {
	nonblock bool
	timeout  time.Duration
	// timeoutGiven says whether --timeout was on the command line (nil: it was not).
	timeoutGiven func() bool
}

func (w *waitFlags) register(c *cobra.Command, what string) {
	c.Flags().BoolVar(&w.nonblock, "nonblock", false, "do not wait: exit 5 when "+what)
	c.Flags().DurationVar(&w.timeout, "timeout", 0, "wait at most this long (like 10s, 1m): exit 124 after; 0 does not wait (exit 124 when it would have to)")
	w.timeoutGiven = func() bool { return c.Flags().Changed("timeout") }
}

// hasTimeout says whether the wait is bounded: --timeout was given, 0 included.
func (w *waitFlags) hasTimeout() bool {
	return w.timeout > 0 || w.timeoutGiven != nil && w.timeoutGiven()
}

func (w *waitFlags) validate() error {
	if w.nonblock && w.hasTimeout() {
		return usageErrorf("--nonblock and --timeout exclude each other")
	}
	if w.timeout < 0 {
		return usageErrorf("--timeout must not be negative")
	}
	return nil
}

// context returns a context for one wait: with the timeout as deadline when one was given (for
// --timeout 0 a deadline already past, so that what can be done at once still is, and nothing
// waits), else parent itself (no allocation: this runs once per message).
func (w *waitFlags) context(parent context.Context) (context.Context, context.CancelFunc) {
	if w.hasTimeout() {
		return context.WithTimeout(parent, w.timeout)
	}
	return parent, func() {}
}

// zero says whether --timeout 0 was given: try once, do not wait.
func (w *waitFlags) zero() bool { return w.timeout == 0 && w.hasTimeout() }

// errFlavorFlags is the usage error of an ls given both --posix and --sysv.
var errFlavorFlags = usageErrorf("--posix and --sysv exclude each other; give neither for both")

// within says how long a timed wait waited, for messages: "within 2s", or "right away" for an
// explicit --timeout 0.
func within(d time.Duration) string {
	if d <= 0 {
		return "right away"
	}
	return fmt.Sprintf("within %v", d)
}
