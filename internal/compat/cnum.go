//go:build linux

package compat

// C's number parsing, as util-linux relies on it: strtoul(3) and util-linux's parse_size.

import (
	"math"
	"math/bits"
	"strings"

	"golang.org/x/sys/unix"
)

var errEINVAL, errERANGE error = unix.EINVAL, unix.ERANGE

// cStrtoul is strtoul(3): leading white space, an optional sign (a minus negates, modulo 2^64),
// in base 0 a 0x prefix for hexadecimal and a leading 0 for octal. It returns the value, how many
// bytes it used (0 when there are no digits: C's end == str) and whether it overflowed (ERANGE,
// the value then math.MaxUint64).
func cStrtoul(s string, base int) (uint64, int, bool) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	hexPrefix := i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitVal(s[i+2]) < 16
	switch {
	case (base == 0 || base == 16) && hexPrefix:
		base, i = 16, i+2
	case base == 0 && i < len(s) && s[i] == '0':
		base = 8
	case base == 0:
		base = 10
	}
	start := i
	var n uint64
	over := false
	for ; i < len(s); i++ {
		d := digitVal(s[i])
		if d >= base {
			break
		}
		hi, lo := bits.Mul64(n, uint64(base))
		lo, carry := bits.Add64(lo, uint64(d), 0)
		if hi != 0 || carry != 0 {
			over = true
		}
		n = lo
	}
	if i == start {
		return 0, 0, false
	}
	if over {
		return math.MaxUint64, i, true
	}
	if neg {
		n = -n
	}
	return n, i, false
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// strtoul is strtoul(3) on the whole string: false when there are no digits, anything after them
// or an overflow.
func strtoul(s string, base int) (uint64, bool) {
	n, end, over := cStrtoul(s, base)
	return n, end > 0 && end == len(s) && !over
}

// strtoulRange is strtoul that also says whether it overflowed.
func strtoulRange(s string, base int) (uint64, bool) {
	n, _, over := cStrtoul(s, base)
	return n, over
}

// parseSize is util-linux's ul_parse_size: a number (strtoumax in base 0) with an optional
// suffix K, M, G, T, P, E, Z, Y (or lower case; KiB alike: powers of 1024; KB: of 1000) and an
// optional fraction before the suffix (1.5M). The error is the errno util-linux sets (EINVAL,
// ERANGE).
func parseSize(str string) (uint64, error) {
	if str == "" {
		return 0, errEINVAL
	}
	p := strings.TrimLeft(str, " \t\n\v\f\r")
	if strings.HasPrefix(p, "-") {
		return 0, errEINVAL
	}
	x, end, over := cStrtoul(str, 0)
	if end == 0 {
		return 0, errEINVAL
	}
	if over {
		return 0, errERANGE
	}
	rest := str[end:]
	if rest == "" {
		return x, nil
	}
	base := 1024
	var frac uint64
	fracZeros := 0
	for {
		switch {
		case len(rest) == 3 && rest[1] == 'i' && (rest[2] == 'B' || rest[2] == 'b'):
			base = 1024
		case len(rest) == 2 && (rest[1] == 'B' || rest[1] == 'b'):
			base = 1000
		case len(rest) > 1:
			if frac == 0 && rest[0] == '.' {
				f := rest[1:]
				for strings.HasPrefix(f, "0") {
					f, fracZeros = f[1:], fracZeros+1
				}
				if f != "" && f[0] >= '0' && f[0] <= '9' {
					v, e, o := cStrtoul(f, 0)
					if e == 0 || (o && (v == math.MaxUint64 || v == 0)) {
						return 0, errERANGE
					}
					frac, f = v, f[e:]
				}
				if frac != 0 && f == "" {
					return 0, errEINVAL // a fraction without a suffix
				}
				rest = f
				if rest == "" {
					return 0, errEINVAL
				}
				continue
			}
			return 0, errEINVAL
		}
		break
	}
	pwr := strings.IndexByte("KMGTPEZY", rest[0]) + 1
	if pwr == 0 {
		pwr = strings.IndexByte("kmgtpezy", rest[0]) + 1
	}
	if pwr == 0 {
		return 0, errEINVAL
	}
	scale := func(x *uint64, base uint64, power int) error {
		for ; power > 0; power-- {
			if math.MaxUint64/base < *x {
				return errERANGE
			}
			*x *= base
		}
		return nil
	}
	err := scale(&x, uint64(base), pwr)
	if frac != 0 {
		fracDiv, fracPoz, fracBase := uint64(10), uint64(1), uint64(1)
		scale(&fracBase, uint64(base), pwr)
		for fracDiv < frac {
			if fracDiv <= math.MaxUint64/10 {
				fracDiv *= 10
			} else {
				frac /= 10
			}
		}
		for i := 0; i < fracZeros; i++ {
			if fracDiv <= math.MaxUint64/10 {
				fracDiv *= 10
			} else {
				frac /= 10
			}
		}
		for {
			seg := frac % 10
			segDiv := fracDiv / fracPoz
			frac /= 10
			fracPoz *= 10
			if seg != 0 && segDiv/seg != 0 {
				x += fracBase / (segDiv / seg)
			}
			if frac == 0 {
				break
			}
		}
	}
	if err != nil {
		return 0, err
	}
	return x, nil
}
