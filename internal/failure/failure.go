// Package failure is ipcx's one table from what went wrong to what the user sees: an exit code, a
// sentence that names the object and the cause, and a hint with the way out.
//
// # Who does what
//
// The domain packages return what happened: a wrapped errno (fmt.Errorf("msgctl(%d, IPC_STAT):
// %w", id, err)), a sentinel (ipc.ErrRemoved) or a typed error (sock.DatagramSizeError). A
// command names the object it worked on with an Object and hands the error to Object.Explain;
// nothing else turns an errno into words. A command never edits an Error's message: when a case
// is missing, the table is missing a row (rows.go).
//
// # Exit codes
//
// 0 ok, 1 failure, 2 usage, 3 no such object, 4 exists, 5 would block, 124 timeout, 128+N killed
// or interrupted by signal N. The EXIT STATUS block of every command's help says the same.
package failure

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"

	"github.com/ipcx/ipcx/internal/escape"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
)

// Exit codes.
const (
	OK         = 0
	Failure    = 1
	Usage      = 2
	NoObject   = 3
	Exists     = 4
	WouldBlock = 5
	Timeout    = 124
	SignalBase = 128
)

// Error is an error as the user sees it: "ipcx: Msg", an optional "ipcx: hint: Hint" line, and
// the exit code. Err is the cause it explains, kept for errors.Is.
type Error struct {
	Code int
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Usagef is a usage error (exit 2): a bad flag, argument or address.
func Usagef(format string, args ...any) *Error {
	return &Error{Code: Usage, Msg: fmt.Sprintf(format, args...)}
}

// UsageHint is a usage error with a hint line.
func UsageHint(hint, format string, args ...any) *Error {
	return &Error{Code: Usage, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Newf is an error with an exit code and no hint, for a failure that no errno describes (a
// refused request, a checked precondition).
func Newf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// WithHint returns e with the hint h.
func (e *Error) WithHint(h string) *Error {
	e.Hint = h
	return e
}

// Silent ends ipcx with a code and no message: a child command has already spoken for itself.
type Silent struct{ Code int }

func (e *Silent) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Code is the exit code for err: 0 for nil, the code of an Error or Silent inside it, otherwise
// 1.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var s *Silent
	if errors.As(err, &s) {
		return s.Code
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failure
}

// Print writes err as ipcx reports it on stderr: the message, then the hint, each behind
// "ipcx: ". A Silent error prints nothing.
func Print(w io.Writer, err error) {
	var s *Silent
	if err == nil || errors.As(err, &s) {
		return
	}
	msg, hint := err.Error(), ""
	var e *Error
	if errors.As(err, &e) {
		msg, hint = e.Msg, e.Hint
	}
	// Names in the sentence are escaped already (Object.String); this keeps anything else that
	// came from outside from reaching the terminal raw.
	fmt.Fprintf(w, "ipcx: %s\n", escape.Text(msg))
	if hint != "" {
		fmt.Fprintf(w, "ipcx: hint: %s\n", escape.Text(hint))
	}
}

// Object names what a command worked on, for the sentence: mostly an IPC object by its noun and
// address ("mq /jobs"), or a subject that is not one (Name: "--ns", "sig send: process 12").
type Object struct {
	// Noun is the command noun that works on it: "mq", "sem", "shm", "fifo", "pipe", "sock",
	// "sig", "ftok", "ns". Rows scoped to nouns match on it.
	Noun string
	// Verb is the command's verb ("create", "rm") for the few hints that depend on it.
	Verb string
	// What it is called in a sentence: "queue", "semaphore", "FIFO".
	What string
	// Addr is its address as the user wrote it (escaped when printed: String).
	Addr string
	// Name, when set, is how the sentence names it instead of "Noun Addr".
	Name string
	// PID is the process it is about (a --ns PID, a signal's target; negative: a process group).
	PID int
	// Path is the file it is about (a --ns file).
	Path string
	// Listable: the noun has an ls command, for hints that point at a listing.
	Listable bool
	// Reading: the command copies from the object to standard output, so a closed pipe is
	// standard output closed (| head): exit 141 quietly, as a program killed by SIGPIPE does.
	Reading bool
	// Removing: the command removes the object, so a missing one is not to be created but
	// looked for among those that exist.
	Removing bool
}

// ToRemove marks o as the object of a removal.
func (o Object) ToRemove() Object {
	o.Removing = true
	return o
}

// String names o in a sentence: "mq /jobs", with the address escaped as every name is printed
// (package escape), so that a name cannot drive the terminal and two names differing in a
// control byte read differently.
func (o Object) String() string {
	if o.Name != "" {
		return escape.Text(o.Name)
	}
	if o.Addr == "" {
		return o.Noun
	}
	return o.Noun + " " + escape.Name(o.Addr)
}

// arg is the address as a hint writes it in a command to run: as it is, or, when it holds
// something to escape, as one shell word ($'...') that gives back its exact bytes.
func (o Object) arg() string { return escape.Shell(o.Addr) }

// escaped makes e safe to print: the rows write a hint's command with the address as the user
// gave it (o.Addr), which becomes the shell word that gives it back; whatever else in the
// sentence came from outside (a path, a wrapped error) has its control bytes escaped at Print.
func (o Object) escaped(e *Error) *Error {
	if e != nil && o.Addr != "" && !escape.Clean(o.Addr) && strings.Contains(e.Hint, o.Addr) {
		e.Hint = strings.ReplaceAll(e.Hint, o.Addr, o.arg())
	}
	return e
}

// Explain turns an error from the domain into what the user sees, by the first row of the table
// that matches it. An *Error passes through unchanged; nil stays nil.
func (o Object) Explain(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	var s *Silent
	if errors.As(err, &e) || errors.As(err, &s) {
		return err
	}
	if w, ok := err.(*Wait); ok && w.Err == nil {
		return nil
	}
	if p, ok := err.(*Progress); ok && p.Err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		// A child command ended: its own exit status, or 128+N when a signal N killed it. It has
		// said what went wrong itself.
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &Silent{Code: SignalBase + int(ws.Signal())}
		}
		return &Silent{Code: ee.ExitCode()}
	}
	if o.Reading && errors.Is(err, posix.ErrClosedPipe) {
		return &Silent{Code: SignalBase + int(sig.SIGPIPE)}
	}
	return o.escaped(o.explain(err))
}

// explain is Explain without the pass-through, for rows that word a cause inside their own
// sentence.
func (o Object) explain(err error) *Error {
	for _, r := range rows() {
		if r.nouns != "" && !hasWord(r.nouns, o.Noun) {
			continue
		}
		if !r.match(err) {
			continue
		}
		out := &Error{Code: r.code, Err: err}
		r.say(o, err, out)
		if out.Msg != "" {
			return out
		}
	}
	return &Error{Code: Failure, Msg: fmt.Sprintf("%s: %v", o, err), Err: err}
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}
