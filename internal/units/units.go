// Package units parses the sizes and counts users type: 4096, 64K, 1M, 1MiB (1024-based), 1MB,
// 1kB (1000-based).
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize parses a byte size: a non-negative whole number, optionally followed by a unit.
// K, M, G, T (and KiB, MiB, …, and lower case) are powers of 1024; KB, MB, GB, TB are powers of
// 1000; B alone means bytes.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("invalid size %q: want a number such as 4096, 64K, 1M or 1MB", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	mult, ok := multipliers[strings.ToLower(t[i:])]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use K, M, G, T for 1024-based or KB, MB, GB, TB for 1000-based)", s, t[i:])
	}
	if mult > 1 && n > math.MaxInt64/mult {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return n * mult, nil
}

var multipliers = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}
