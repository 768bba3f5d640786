// Package units parses the sizes and counts users type: 4096, 64K, 1M, 1MiB (1024-based), 1MB,
// 1kB (1000-based), 0x1000 (hexadecimal).
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// SizeError is a size that does not parse: the input and the reason, so that a command can name
// its flag without repeating "invalid size".
type SizeError struct {
	Input  string
	Reason string
}

func (e *SizeError) Error() string { return fmt.Sprintf("invalid size %q: %s", e.Input, e.Reason) }

// ParseSize parses a byte size: a non-negative whole number, optionally followed by a unit.
// K, M, G, T (and KiB, MiB, …, and lower case) are powers of 1024; KB, MB, GB, TB are powers of
// 1000; B alone means bytes. A number starting with 0x is hexadecimal and takes no unit (0x1B is a
// number, not 1 byte). Errors are *SizeError.
func ParseSize(s string) (int64, error) {
	fail := func(reason string) (int64, error) { return 0, &SizeError{Input: s, Reason: reason} }
	t := strings.TrimSpace(s)
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		n, err := strconv.ParseUint(t[2:], 16, 63)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return fail("too large")
			}
			return fail("a hexadecimal size takes the digits 0-9 and a-f, and no unit")
		}
		return int64(n), nil
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return fail("want a number such as 4096, 64K, 1M, 1MB or 0x1000")
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return fail("too large")
	}
	mult, ok := multiplier(strings.ToLower(t[i:]))
	if !ok {
		return fail(fmt.Sprintf("unknown unit %q (use K, M, G, T for 1024-based or KB, MB, GB, TB for 1000-based)", t[i:]))
	}
	if mult > 1 && n > math.MaxInt64/mult {
		return fail("too large")
	}
	return n * mult, nil
}

// multiplier is the factor of a unit, lowercased ("" and "b" are bytes).
func multiplier(unit string) (int64, bool) {
	switch unit {
	case "", "b":
		return 1, true
	case "k", "kib":
		return 1 << 10, true
	case "kb":
		return 1e3, true
	case "m", "mib":
		return 1 << 20, true
	case "mb":
		return 1e6, true
	case "g", "gib":
		return 1 << 30, true
	case "gb":
		return 1e9, true
	case "t", "tib":
		return 1 << 40, true
	case "tb":
		return 1e12, true
	}
	return 0, false
}
