package main

import (
	"context"
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
type waitFlags struct {
	nonblock bool
	timeout  time.Duration
}

func (w *waitFlags) register(c *cobra.Command, what string) {
	c.Flags().BoolVar(&w.nonblock, "nonblock", false, "do not wait: exit 5 when "+what)
	c.Flags().DurationVar(&w.timeout, "timeout", 0, "wait at most this long (like 10s, 1m): exit 124 after")
}

func (w *waitFlags) validate() error {
	if w.nonblock && w.timeout != 0 {
		return usageErrorf("--nonblock and --timeout exclude each other")
	}
	if w.timeout < 0 {
		return usageErrorf("--timeout must not be negative")
	}
	return nil
}

// context returns a context for one wait: with the timeout as deadline when one was given, else
// parent itself (no allocation: this runs once per message).
func (w *waitFlags) context(parent context.Context) (context.Context, context.CancelFunc) {
	if w.timeout > 0 {
		return context.WithTimeout(parent, w.timeout)
	}
	return parent, func() {}
}

// errFlavorFlags is the usage error of an ls given both --posix and --sysv.
var errFlavorFlags = usageErrorf("--posix and --sysv exclude each other; give neither for both")
