package msgio

import (
	"fmt"
	"strconv"
)

// DelimForms says how a delimiter is written, for errors and help.
const DelimForms = `one byte, or a C escape: \t \n \r \0 \\ \a \b \f \v \e, \xHH or \NNN (octal)`

// ParseDelim reads a message delimiter as a user types it (--delim): one byte as it is, or a C
// escape as printf(1) and echo -e take them, so that --delim '\t' is a tab. A lone backslash is
// itself.
func ParseDelim(s string) (byte, error) {
	switch {
	case len(s) == 1:
		return s[0], nil
	case len(s) < 2 || s[0] != '\\':
		return 0, fmt.Errorf("%q is not %s", s, DelimForms)
	}
	simple := map[byte]byte{'t': '\t', 'n': '\n', 'r': '\r', '\\': '\\', 'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v', 'e': 0x1b}
	if b, ok := simple[s[1]]; ok && len(s) == 2 {
		return b, nil
	}
	var digits string
	base := 8
	switch {
	case s[1] == 'x' && len(s) >= 3 && len(s) <= 4:
		digits, base = s[2:], 16
	case s[1] >= '0' && s[1] <= '7' && len(s) <= 4:
		digits = s[1:]
	default:
		return 0, fmt.Errorf("%q is not %s", s, DelimForms)
	}
	n, err := strconv.ParseUint(digits, base, 8)
	if err != nil {
		return 0, fmt.Errorf("%q is not %s", s, DelimForms)
	}
	return byte(n), nil
}
