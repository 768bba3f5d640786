package render

import (
	"strconv"
	"time"
)

// Rule says which values of an optional cell are missing and what a missing one shows.
type Rule struct {
	// Zero: the zero value is missing too (a pid of 0 names no process).
	Zero bool
	// Missing is the text of a missing value; "-" when empty.
	Missing string
}

// The rules the reports use.
var (
	Dash     = Rule{}                   // nil is "-"
	DashZero = Rule{Zero: true}         // nil and zero are "-"
	Unknown  = Rule{Missing: "unknown"} // nil is "unknown"
)

// Opt formats an optional value for a cell: format(*p), or the rule's missing text when p is nil
// (or, by the rule, points at the zero value).
func Opt[T comparable](p *T, format func(T) string, r Rule) string {
	var zero T
	if p == nil || (r.Zero && *p == zero) {
		if r.Missing == "" {
			return "-"
		}
		return r.Missing
	}
	return format(*p)
}

// Integer is any integer type a report holds.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Int formats an integer in decimal.
func Int[T Integer](n T) string {
	if n < 0 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatUint(uint64(n), 10)
}

// SizeFormat is Size as a formatter for Opt.
func SizeFormat[T Integer](human bool) func(T) string {
	return func(n T) string { return Size(int64(n), human) }
}

// TimeFormat is Time as a formatter for Opt.
func TimeFormat(human bool) func(time.Time) string {
	return func(t time.Time) string { return Time(t, human) }
}

// Str is the identity formatter, for optional strings.
func Str(s string) string { return s }
