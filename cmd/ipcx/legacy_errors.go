package main

import (
	"fmt"
	"io"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/ipc"
)

// Thin aliases over internal/failure, kept only for the command files other helpers owned while
// the error table moved there (rm.go, ls.go, sig_trap.go, sig_snoop.go, ipcs.go). Convert them to
// failure directly, then delete this file.

const (
	exitFailure    = failure.Failure
	exitUsage      = failure.Usage
	exitNoObject   = failure.NoObject
	exitTimeout    = failure.Timeout
	exitSignalBase = failure.SignalBase
)

// cmdError is a failure.Error spelled the old way; errors.As finds the failure.Error in it.
type cmdError struct {
	code int
	msg  string
	hint string
}

func (e *cmdError) Error() string { return e.msg }
func (e *cmdError) Unwrap() error { return &failure.Error{Code: e.code, Msg: e.msg, Hint: e.hint} }

// silentExit is a failure.Silent spelled the old way.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }
func (e *silentExit) Unwrap() error { return &failure.Silent{Code: e.code} }

func usageErrorf(format string, args ...any) error {
	return &cmdError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

func usageHint(hint, format string, args ...any) error {
	return &cmdError{code: exitUsage, msg: fmt.Sprintf(format, args...), hint: hint}
}

// object is a object of one of the listable kinds (mq, sem, shm) spelled the old way.
type object struct {
	noun, what, addr string
	removing         bool
}

func (o object) toRemove() object {
	o.removing = true
	return o
}

func (o object) String() string { return o.noun + " " + o.addr }

// fail is failure.Object.Explain, as a *cmdError.
func (o object) fail(err error) error {
	return legacy(failure.Object{Noun: o.noun, What: o.what, Addr: o.addr, Listable: true, Removing: o.removing}.Explain(err))
}

func legacy(err error) error {
	if fe, ok := err.(*failure.Error); ok {
		return &cmdError{code: fe.Code, msg: fe.Msg, hint: fe.Hint}
	}
	return err
}

func printError(w io.Writer, err error) { failure.Print(w, err) }

func keyError(noun string, a addr.Addr, err error) error {
	return legacy(failure.Object{Noun: noun, Addr: a.String()}.Explain(&ipc.KeyError{Addr: a, Err: err}))
}

func nsFail(ns inventory.Namespace, err error) error {
	return legacy(nsObject(ns).Explain(err))
}

// within is failure.Within("within", d).
func within(d time.Duration) string { return failure.Within("within", d) }

// allowed is failure.Within for this timeout (NoWait for --timeout 0).
func (t *timeoutFlag) allowed(prep string) string {
	if t.zero() {
		return failure.NoWait
	}
	return failure.Within(prep, t.timeout)
}
