//go:build linux

package sig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnknownSignal is wrapped by the errors of Parse.
var ErrUnknownSignal = errors.New("unknown signal")

// Parse reads a signal name or number: USR1, SIGUSR1, usr1, 10, RTMIN, RTMIN+3, SIGRTMAX-1, IOT. Case
// does not matter and SIG is optional. Numbers go from 1 to 64; RTMIN+N and RTMAX-N must stay
// within RTMIN (34) and RTMAX (64).
func Parse(s string) (Signal, error) {
	bad := func() (Signal, error) { return 0, fmt.Errorf("%w %q", ErrUnknownSignal, s) }
	if s == "" || len(s) > 32 {
		return bad()
	}
	if isDigits(s) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > int(MaxSig) {
			return bad()
		}
		return Signal(n), nil
	}
	name := strings.ToUpper(s)
	name = strings.TrimPrefix(name, "SIG")
	if isDigits(name) { // SIG32, as String writes 32 and 33
		n, err := strconv.Atoi(name)
		if err != nil || n < 1 || n > int(MaxSig) {
			return bad()
		}
		return Signal(n), nil
	}
	for n := 1; n < 32; n++ {
		if table[n].name == name {
			return Signal(n), nil
		}
	}
	if a := alias(name); a != 0 {
		return a, nil
	}
	for _, rt := range []struct {
		prefix string
		base   Signal
		sign   int
	}{{"RTMIN", RTMIN, +1}, {"RTMAX", RTMAX, -1}} {
		rest, ok := strings.CutPrefix(name, rt.prefix)
		if !ok {
			continue
		}
		if rest == "" {
			return rt.base, nil
		}
		off, ok := strings.CutPrefix(rest, map[int]string{+1: "+", -1: "-"}[rt.sign])
		if !ok || !isDigits(off) || len(off) > 2 {
			return bad()
		}
		n, _ := strconv.Atoi(off)
		sig := rt.base + Signal(rt.sign*n)
		if sig < RTMIN || sig > RTMAX {
			return bad()
		}
		return sig, nil
	}
	return bad()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
