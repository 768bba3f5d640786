package escape

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name returns s written so that a terminal shows it as text (see the package documentation):
// control bytes, invalid UTF-8 and unprintable characters escaped, a backslash doubled. A name
// that needs none of that is returned as it is.
func Name(s string) string { return write(s, true) }

// Text returns s with control bytes, invalid UTF-8 and unprintable characters escaped as Name
// escapes them, and backslashes kept as they are: for a sentence that may already hold escaped
// names (an error message), where the escapes must not be escaped again. Text is not lossless;
// a name is written with Name.
func Text(s string) string { return write(s, false) }

// Clean reports whether Name(s) == s: s holds nothing to escape.
func Clean(s string) bool { return clean(s, true) }

func clean(s string, backslash bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || (backslash && c == '\\') {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || !unicode.IsPrint(r) {
			return false
		}
		i += size
	}
	return true
}

func write(s string, backslash bool) string {
	if clean(s, backslash) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' && backslash:
			b.WriteString(`\\`)
		case unicode.IsPrint(r):
			b.WriteString(s[i : i+size])
		case r < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// ErrSyntax is a malformed escape in the text given to Unquote.
var ErrSyntax = errors.New("malformed escape")

// Unquote returns the name that Name wrote as s: \\, \xHH, \uHHHH and \UHHHHHHHH are read back,
// any other backslash is an error (ErrSyntax), and everything else stands for itself.
func Unquote(s string) (string, error) {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("%w: a lone \\ at the end (write \\\\ for a backslash)", ErrSyntax)
		}
		var n int
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i += 2
			continue
		case 'x':
			n = 2
		case 'u':
			n = 4
		case 'U':
			n = 8
		default:
			return "", fmt.Errorf("%w: \\%c (want \\\\, \\xHH, \\uHHHH or \\UHHHHHHHH)", ErrSyntax, s[i+1])
		}
		if i+2+n > len(s) {
			return "", fmt.Errorf("%w: \\%c needs %d hex digits", ErrSyntax, s[i+1], n)
		}
		digits := s[i+2 : i+2+n]
		v, err := strconv.ParseUint(digits, 16, 32)
		if err != nil || strings.ContainsAny(digits, "+-_") {
			return "", fmt.Errorf("%w: \\%c%s: not %d hex digits", ErrSyntax, s[i+1], digits, n)
		}
		if n == 2 {
			b.WriteByte(byte(v))
		} else {
			r := rune(v)
			if !utf8.ValidRune(r) {
				return "", fmt.Errorf("%w: \\%c%s is not a Unicode character", ErrSyntax, s[i+1], digits)
			}
			b.WriteRune(r)
		}
		i += 2 + n
	}
	return b.String(), nil
}

// Shell returns s as one word for a POSIX-like shell (bash, zsh, ksh): s itself when Name leaves
// it as it is, else $'...' with Name's escapes, which these shells read back to the same bytes.
// It is for hints that show a command to run.
func Shell(s string) string {
	if Clean(s) {
		return s
	}
	return "$'" + strings.ReplaceAll(Name(s), "'", `\'`) + "'"
}
