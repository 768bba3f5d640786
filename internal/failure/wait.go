package failure

import (
	"fmt"
	"strings"
	"time"
)

// NoWait ends a timeout sentence when --timeout 0 asked not to wait.
const NoWait = "(--timeout 0 does not wait)"

// Within words how long a wait was allowed, for the end of a timeout sentence: prep and the
// duration ("within 5s", "for 1m", "after 2s"), or NoWait for --timeout 0 (d == 0). It is the one
// place that words a timeout.
func Within(prep string, d time.Duration) string {
	if d <= 0 {
		return NoWait
	}
	return fmt.Sprintf("%s %v", prep, d)
}

// Wait is a wait that ended without what it waited for, as the command tells it. The table words
// it by how it ended: --nonblock (would block, exit 5) says Now; a timeout (exit 124) says Ended
// and how long the wait was allowed, or Now and NoWait for --timeout 0. Other causes are worded
// as Err alone.
type Wait struct {
	// Now is what is the case when nothing could be done at once: "queue is empty". Empty: a
	// would-block keeps the cause's own words, and --timeout 0 says Ended.
	Now string
	// Ended is what a wait that timed out ended with: "no message", "queue stayed full".
	Ended string
	// Prep goes before the duration: "within", "for", "after".
	Prep string
	// Timeout is the --timeout given (0: --timeout 0).
	Timeout time.Duration
	Err     error
}

func (w *Wait) Error() string { return fmt.Sprintf("%s: %v", w.Now, w.Err) }
func (w *Wait) Unwrap() error { return w.Err }

// Progress is a failure after part of the work was done, or in a step that needs naming: the
// sentence of Err with Before put ahead of its cause ("could not give the unit back:") and After
// behind it ("(after 3 message(s))"), and Hint when the cause has none.
type Progress struct {
	Before string
	After  string
	Hint   string
	Err    error
}

func (p *Progress) Error() string { return strings.TrimSpace(p.Before + " " + p.Err.Error() + p.After) }
func (p *Progress) Unwrap() error { return p.Err }
