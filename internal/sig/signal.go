//go:build linux

package sig

import (
	"fmt"
	"math/bits"
	"strings"
)

// Signal is a signal number, 1 to 64.
type Signal int

// The real-time range as glibc and C programs see it. The kernel's first real-time signal is 32, but
// glibc reserves 32 and 33 for its own use.
const (
	RTMIN  Signal = 34
	RTMAX  Signal = 64
	MaxSig Signal = 64
)

// Action is what the kernel does with a signal whose disposition is the default.
type Action string

// The default actions, as signal(7) names them.
const (
	Term Action = "Term" // terminate the process
	Core Action = "Core" // terminate and dump core
	Stop Action = "Stop" // stop the process
	Cont Action = "Cont" // continue a stopped process
	Ign  Action = "Ign"  // ignore
)

type info struct {
	name   string
	action Action
	desc   string
}

// table holds the standard signals of x86-64 Linux (signal(7)).
var table = [32]info{
	1:  {"HUP", Term, "hangup of the controlling terminal, or reload for daemons"},
	2:  {"INT", Term, "interrupt from the keyboard (Ctrl-C)"},
	3:  {"QUIT", Core, "quit from the keyboard (Ctrl-\\)"},
	4:  {"ILL", Core, "illegal instruction"},
	5:  {"TRAP", Core, "trace or breakpoint trap"},
	6:  {"ABRT", Core, "abort(3)"},
	7:  {"BUS", Core, "bus error (bad memory access)"},
	8:  {"FPE", Core, "arithmetic exception"},
	9:  {"KILL", Term, "kill (cannot be caught, blocked or ignored)"},
	10: {"USR1", Term, "user-defined signal 1"},
	11: {"SEGV", Core, "invalid memory reference"},
	12: {"USR2", Term, "user-defined signal 2"},
	13: {"PIPE", Term, "write to a pipe with no readers"},
	14: {"ALRM", Term, "timer signal from alarm(2)"},
	15: {"TERM", Term, "termination request"},
	16: {"STKFLT", Term, "stack fault on coprocessor (unused)"},
	17: {"CHLD", Ign, "child stopped, continued or terminated"},
	18: {"CONT", Cont, "continue if stopped"},
	19: {"STOP", Stop, "stop the process (cannot be caught, blocked or ignored)"},
	20: {"TSTP", Stop, "stop typed at the terminal (Ctrl-Z)"},
	21: {"TTIN", Stop, "terminal input for a background process"},
	22: {"TTOU", Stop, "terminal output for a background process"},
	23: {"URG", Ign, "urgent condition on a socket"},
	24: {"XCPU", Core, "CPU time limit exceeded"},
	25: {"XFSZ", Core, "file size limit exceeded"},
	26: {"VTALRM", Term, "virtual alarm clock"},
	27: {"PROF", Term, "profiling timer expired"},
	28: {"WINCH", Ign, "window resize of the terminal"},
	29: {"IO", Term, "I/O now possible"},
	30: {"PWR", Term, "power failure"},
	31: {"SYS", Core, "bad system call"},
}

// alias is the number of another name signal(7) lists for a signal, or 0.
func alias(name string) Signal {
	switch name {
	case "IOT":
		return 6
	case "POLL":
		return 29
	case "CLD":
		return 17
	}
	return 0
}

// Valid reports whether s is a signal number of this machine (1 to 64).
func (s Signal) Valid() bool { return s >= 1 && s <= MaxSig }

// String returns the name without SIG: "USR1", "RTMIN+3"; SIG32 and SIG33, which glibc reserves,
// by number.
func (s Signal) String() string {
	switch {
	case s >= 1 && s < 32:
		return table[s].name
	case s == 32 || s == 33:
		return fmt.Sprintf("SIG%d", int(s))
	case s == RTMIN:
		return "RTMIN"
	case s > RTMIN && s <= RTMAX:
		return fmt.Sprintf("RTMIN+%d", int(s-RTMIN))
	}
	return fmt.Sprintf("signal(%d)", int(s))
}

// Action returns the default action of s.
func (s Signal) Action() Action {
	if s >= 1 && s < 32 {
		return table[s].action
	}
	return Term // real-time signals, and 32 and 33
}

// Description returns a one-line description of s.
func (s Signal) Description() string {
	switch {
	case s >= 1 && s < 32:
		return table[s].desc
	case s == 32 || s == 33:
		return "reserved by glibc for its threads"
	case s >= RTMIN && s <= RTMAX:
		return fmt.Sprintf("real-time signal %d (queued, carries a value)", int(s-RTMIN))
	}
	return ""
}

// RealTime reports whether s is a real-time signal as glibc counts them (RTMIN to RTMAX).
func (s Signal) RealTime() bool { return s >= RTMIN && s <= RTMAX }

// List returns the signals a C program can use, in order: 1 to 31 and RTMIN to RTMAX (the set kill -l
// shows). 32 and 33 are left out: glibc keeps them.
func List() []Signal {
	var out []Signal
	for s := Signal(1); s <= MaxSig; s++ {
		if s != 32 && s != 33 {
			out = append(out, s)
		}
	}
	return out
}

// Set is a set of signals, bit s-1 for signal s: the layout of the kernel's sigset_t and of the
// masks in /proc/PID/status.
type Set uint64

// SetOf returns the set holding sigs.
func SetOf(sigs ...Signal) Set {
	var set Set
	for _, s := range sigs {
		set = set.Add(s)
	}
	return set
}

// Add returns set with s added.
func (set Set) Add(s Signal) Set {
	if !s.Valid() {
		return set
	}
	return set | 1<<(uint(s)-1)
}

// Has reports whether s is in set.
func (set Set) Has(s Signal) bool { return s.Valid() && set&(1<<(uint(s)-1)) != 0 }

// Signals returns the members of set in increasing order.
func (set Set) Signals() []Signal {
	out := make([]Signal, 0, bits.OnesCount64(uint64(set)))
	for b := uint64(set); b != 0; b &= b - 1 {
		out = append(out, Signal(bits.TrailingZeros64(b)+1))
	}
	return out
}

// String lists the names in set separated by commas, or "-" when it is empty.
func (set Set) String() string {
	if set == 0 {
		return "-"
	}
	var names []string
	for _, s := range set.Signals() {
		names = append(names, s.String())
	}
	return strings.Join(names, ",")
}
