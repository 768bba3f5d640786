package main

import (
	"context"
	"strconv"
	"time"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/spf13/cobra"
)

// parseAddr parses an IPC address argument; a malformed one is a usage error with its hint.
func parseAddr(s string) (addr.Addr, error) {
	a, err := addr.Parse(s)
	if err != nil {
		ae := err.(*addr.Error)
		return a, failure.UsageHint(ae.Hint, "%v", ae)
	}
	return a, nil
}

// parseMode parses an octal permission mode such as 600 or 0640.
func parseMode(s string) (uint32, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, failure.Usagef("invalid --mode %q: want octal permission bits like 0600 or 0644", s)
	}
	return uint32(m), nil
}

// timeoutFlag is --timeout DUR. Every command that has it gives it one meaning:
//
//   - not given: the wait has no limit;
//   - a positive duration: wait at most that long, then exit 124;
//   - 0, given explicitly: do not wait. What can be done at once is done, and what would have to
//     wait ends as a timeout (exit 124) at once, as sem_timedwait(3) with a deadline already past
//     or flock -w 0. Commands for which "at once" means nothing (a TCP connection cannot be made
//     without waiting) refuse 0 with positiveTimeout;
//   - negative: a usage error (exit 2).
type timeoutFlag struct {
	timeout time.Duration
	// timeoutGiven says whether --timeout was on the command line (nil: it was not).
	timeoutGiven func() bool
}

// registerTimeout adds --timeout to c with the help text usage.
func (t *timeoutFlag) registerTimeout(c *cobra.Command, usage string) {
	c.Flags().DurationVar(&t.timeout, "timeout", 0, usage)
	t.timeoutGiven = func() bool { return c.Flags().Changed("timeout") }
}

// hasTimeout says whether the wait is bounded: --timeout was given, 0 included.
func (t *timeoutFlag) hasTimeout() bool {
	return t.timeout > 0 || t.timeoutGiven != nil && t.timeoutGiven()
}

// zero says whether --timeout 0 was given: try once, do not wait.
func (t *timeoutFlag) zero() bool { return t.timeout == 0 && t.hasTimeout() }

// checkTimeout refuses a negative --timeout.
func (t *timeoutFlag) checkTimeout() error {
	if t.timeout < 0 {
		return failure.UsageHint("give a duration like 10s, 0 not to wait, or leave --timeout out to wait without limit",
			"--timeout must not be negative")
	}
	return nil
}

// positiveTimeout refuses a negative --timeout, and 0 too, for the waits that cannot be tried
// "at once"; why says so ("a connection is never made without waiting").
func (t *timeoutFlag) positiveTimeout(why string) error {
	if err := t.checkTimeout(); err != nil {
		return err
	}
	if t.zero() {
		return failure.UsageHint("give a positive duration like 10s, or leave --timeout out to wait without limit",
			"--timeout 0 (do not wait) cannot work here: %s", why)
	}
	return nil
}

// context returns a context for one wait: with the timeout as deadline when one was given (for
// --timeout 0 a deadline already past, so that what can be done at once still is, and nothing
// waits), else parent itself (no allocation: this runs once per message).
func (t *timeoutFlag) context(parent context.Context) (context.Context, context.CancelFunc) {
	if t.hasTimeout() {
		return context.WithTimeout(parent, t.timeout)
	}
	return parent, func() {}
}

// wait is the failure.Wait of this timeout, for a wait that ended without what it waited for:
// now is what is the case ("queue is empty"), ended what the wait ended with ("no message"),
// prep the preposition before the duration ("within", "for").
func (t *timeoutFlag) wait(now, ended, prep string, err error) error {
	return &failure.Wait{Now: now, Ended: ended, Prep: prep, Timeout: t.timeout, Err: err}
}

// waitLimit is the timeout for the APIs that take a duration with -1 for "no limit": -1 when
// --timeout was not given, else the timeout (0 included).
func (t *timeoutFlag) waitLimit() time.Duration {
	if !t.hasTimeout() {
		return -1
	}
	return t.timeout
}

// waitFlags are --nonblock and --timeout, shared by every command that may wait.
type waitFlags struct {
	nonblock bool
	timeoutFlag
}

func (w *waitFlags) register(c *cobra.Command, what string) {
	c.Flags().BoolVar(&w.nonblock, "nonblock", false, "do not wait: exit 5 when "+what)
	w.registerTimeout(c, "wait at most this long (like 10s, 1m): exit 124 after; 0 does not wait (exit 124 when it would have to)")
}

func (w *waitFlags) validate() error {
	if w.nonblock && w.hasTimeout() {
		return failure.Usagef("--nonblock and --timeout exclude each other")
	}
	return w.checkTimeout()
}

// errFlavorFlags is the usage error of an ls given both --posix and --sysv.
var errFlavorFlags = &failure.Error{Code: failure.Usage, Msg: "--posix and --sysv exclude each other; give neither for both"}
