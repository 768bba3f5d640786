//go:build linux

package posix

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
)

// ErrTruncated: a mapped file (a semaphore's) was truncated by another process, so its pages are
// gone; touching them raises SIGBUS, which the guarded accessors turn into this error instead of
// a crash. It wraps no errno: the kernel reports none.
var ErrTruncated = errors.New("its file was truncated by another process")

// faultGuard makes a fault (SIGBUS, SIGSEGV) while touching a mapping a panic in the calling
// goroutine rather than a fatal error, for guarded to recover. Use as
//
//	defer faultGuard()()
//	defer guarded(&err, what)
func faultGuard() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

// guarded recovers a memory fault panic into *err: what, and ErrTruncated. Other panics go on.
func guarded(err *error, what string) {
	r := recover()
	if r == nil {
		return
	}
	if re, ok := r.(runtime.Error); ok {
		if _, fault := re.(interface{ Addr() uintptr }); fault {
			*err = fmt.Errorf("%s: %w", what, ErrTruncated)
			return
		}
	}
	panic(r)
}

// MappedCopy copies src to dst (as copy does) where either is a shared mapping of a file another
// process may truncate (ShmMap's): a bus error on the way is ErrTruncated, not a crash. Touch a
// mapping of a file that can shrink only through it.
func MappedCopy(dst, src []byte) (n int, err error) {
	defer faultGuard()()
	defer guarded(&err, "copy from or to a mapped file")
	return copy(dst, src), nil
}
