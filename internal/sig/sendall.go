//go:build linux

package sig

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ErrNoProcess is the errno of a signal to, or a pidfd of, a process that does not exist (or has
// exited and been reaped): ESRCH. See kill(2), pidfd_open(2).
var ErrNoProcess error = unix.ESRCH

// Target is what a signal is sent to: a process, or with Group every process of process group Pid.
type Target struct {
	Pid   int
	Group bool
}

// The targets ParseTarget refuses: kill(2) gives -1 and 0 meanings a sender naming processes
// never wants.
var (
	ErrEveryProcess = errors.New("kill(-1) would signal every process you may signal (process group 1 cannot be addressed)")
	ErrOwnGroup     = errors.New("kill(0) would signal the caller's own process group")
	ErrBadTarget    = errors.New("invalid target: want a pid, or -PGID for a process group")
	ErrPidRange     = errors.New("pid out of range: a pid or process group is at most 2147483647") // math.MaxInt32
)

// ParseTarget reads a target as kill(1) takes it: a pid, or -PGID for a process group. -1, 0 and
// -0 are refused (ErrEveryProcess, ErrOwnGroup), as is anything but a positive number
// (ErrBadTarget).
func ParseTarget(s string) (Target, error) {
	switch s {
	case "-1":
		return Target{}, ErrEveryProcess
	case "0", "-0":
		return Target{}, ErrOwnGroup
	}
	t := Target{Group: strings.HasPrefix(s, "-")}
	digits := strings.TrimPrefix(s, "-")
	n, err := strconv.Atoi(digits)
	if errors.Is(err, strconv.ErrRange) || err == nil && n > math.MaxInt32 {
		return Target{}, ErrPidRange
	}
	if err != nil || n <= 0 {
		return Target{}, ErrBadTarget
	}
	if t.Group && n == 1 {
		return Target{}, ErrEveryProcess // -01, -+1: kill(-1) too
	}
	t.Pid = n
	return t, nil
}

// ParseValue reads a sigqueue value: an int32, in any base strconv.ParseInt takes with base 0.
func ParseValue(s string) (int32, error) {
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("invalid value %q: want an int (%d to %d)", s, math.MinInt32, math.MaxInt32)
	}
	return int32(v), nil
}

// SendOptions say what Send sends and what it does after.
type SendOptions struct {
	// Signal is sent to each target; 0 sends nothing, but checks that each target exists and may
	// be signalled (kill -0).
	Signal Signal
	// Queue sends Signal with Value in a SI_QUEUE siginfo (sigqueue(3)).
	Queue bool
	Value int32
	// Then, when not 0, is sent to each process that still runs After the first signal.
	Then  Signal
	After time.Duration
	// Wait waits until every process has exited, at most Timeout in all (-1: no limit; 0: not at
	// all, only look).
	Wait    bool
	Timeout time.Duration
}

// SendEvent is what Send reports of one target: a failure, or that Then was sent.
type SendEvent struct {
	Target Target
	// Err is why the target could not be signalled or waited for; a *StillRunsError when Wait's
	// time passed first.
	Err error
	// ThenSent says the target still ran After the first signal, and Then was sent to it.
	ThenSent bool
}

// StillRunsError is Send's report of a process still running when the wait's time passed.
type StillRunsError struct {
	Pid int
}

func (e *StillRunsError) Error() string { return fmt.Sprintf("process %d still runs", e.Pid) }

// Send signals each target, holding each process by a pidfd from the start so that Then and Wait
// never reach another process that got the same pid after the target exited. Process groups take
// neither Queue, Then nor Wait. report, when not nil, is called (one call at a time) for each
// target that fails, and for each that is sent Then; a target that fails is not followed further.
// A process that exits between the end of After and the send of Then is no failure: Then was for
// that. The wait stops at the first process still running when Timeout passes.
func Send(targets []Target, opt SendOptions, report func(SendEvent)) {
	var mu sync.Mutex
	tell := func(ev SendEvent) {
		if report != nil {
			mu.Lock()
			report(ev)
			mu.Unlock()
		}
	}
	var held []*Process
	defer func() {
		for _, p := range held {
			p.Close()
		}
	}()
	for _, t := range targets {
		if t.Group {
			if err := SignalGroup(t.Pid, opt.Signal); err != nil {
				tell(SendEvent{Target: t, Err: err})
			}
			continue
		}
		p, err := OpenProcess(t.Pid)
		if err == nil {
			if opt.Queue {
				err = p.Queue(opt.Signal, opt.Value)
			} else {
				err = p.Signal(opt.Signal)
			}
			if err != nil {
				p.Close()
			}
		}
		if err != nil {
			tell(SendEvent{Target: t, Err: err})
			continue
		}
		held = append(held, p)
	}

	if opt.Then != 0 {
		var wg sync.WaitGroup
		for _, p := range held {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := Target{Pid: p.Pid}
				exited, err := p.Wait(opt.After)
				if err == nil && !exited {
					var sent bool
					if sent, err = thenResult(p.Signal(opt.Then)); sent {
						tell(SendEvent{Target: t, ThenSent: true})
					}
				}
				if err != nil {
					tell(SendEvent{Target: t, Err: err})
				}
			}()
		}
		wg.Wait()
	}

	if opt.Wait {
		deadline := time.Now().Add(opt.Timeout)
		for _, p := range held {
			d := opt.Timeout
			if d > 0 {
				if d = time.Until(deadline); d < 0 {
					d = 0
				}
			}
			exited, err := p.Wait(d)
			if err != nil {
				tell(SendEvent{Target: Target{Pid: p.Pid}, Err: err})
			} else if !exited {
				tell(SendEvent{Target: Target{Pid: p.Pid}, Err: &StillRunsError{Pid: p.Pid}})
				break
			}
		}
	}
}

// thenResult reads the result of sending the Then signal: whether it was sent, and the error to
// report. The target may exit between the end of the wait and the send: ESRCH then means it is
// gone, which is what Then was for; that is no failure.
func thenResult(err error) (sent bool, fail error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNoProcess):
		return false, nil
	}
	return false, err
}
