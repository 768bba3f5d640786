// Package addr parses the address grammar that names an IPC object on the command line:
//
//	/name            a POSIX object (queue, semaphore, shared memory)
//	esc:/name        the same, with the name written as ipcx prints it (package escape):
//	                 \xHH for a control or invalid byte, \\ for a backslash, \uHHHH for an
//	                 unprintable character (how ls --json gives a name that is not UTF-8)
//	0x1A2B, key:N    a System V key (N decimal or 0x-hex)
//	id:N             a System V identifier
//	ftok:PATH:PROJ   a System V key computed as ftok(3) does
//	private          IPC_PRIVATE (only when creating)
//
// A bare number is refused: it could be a key or an id, and guessing wrong would act on the wrong
// object. Socket addresses have their own grammar in package sock.
package addr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/escape"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
)

// Kind is the kind of object an address names.
type Kind int

// The kinds of address.
const (
	POSIX   Kind = iota + 1 // a POSIX name, "/jobs"
	Key                     // a System V key, "0x1a2b", "key:42"
	ID                      // a System V id, "id:3"
	Ftok                    // a System V key from ftok(3), "ftok:/etc/passwd:65"
	Private                 // IPC_PRIVATE, "private"
)

// Addr is a parsed address.
type Addr struct {
	Kind Kind
	Name string   // POSIX: the name with its leading slash
	Key  sysv.Key // Key
	ID   sysv.ID  // ID
	Path string   // Ftok: the path
	Proj int      // Ftok: the project id, 1..255
}

// Error is a malformed address, with a hint at the right form.
type Error struct {
	Input  string
	Reason string
	Hint   string
}

func (e *Error) Error() string { return fmt.Sprintf("invalid address %q: %s", e.Input, e.Reason) }

// EscPrefix marks a POSIX name written with escapes (esc:/a\xff), the form that carries any
// name through text that cannot hold its bytes (JSON, for a name that is not valid UTF-8).
const EscPrefix = "esc:"

// Escaped returns the address that names the POSIX object name in printable text: the name
// itself when it needs no escape, else esc: and the name as ipcx prints it. Parse reads it back
// to exactly name.
func Escaped(name string) string {
	if escape.Clean(name) {
		return name
	}
	return EscPrefix + escape.Name(name)
}

// Forms is a one-line summary of the grammar, for hints.
const Forms = "/name (POSIX), 0x1A2B or key:N (System V key), id:N (System V id), ftok:PATH:PROJ, private"

// Parse parses s.
func Parse(s string) (Addr, error) {
	bad := func(reason, hint string) (Addr, error) {
		return Addr{}, &Error{Input: s, Reason: reason, Hint: hint}
	}
	switch {
	case s == "":
		return bad("empty", "use one of: "+Forms)
	case strings.HasPrefix(s, "/"):
		if err := posix.ValidName(s); err != nil {
			reason := strings.TrimPrefix(err.Error(), posix.ErrBadName.Error()+": ")
			return bad(reason, "a POSIX name is one / followed by up to 255 bytes without /, like /jobs")
		}
		return Addr{Kind: POSIX, Name: s}, nil
	case strings.HasPrefix(s, EscPrefix):
		// Only this mark makes a backslash an escape: a name that holds one is never misread.
		name, err := escape.Unquote(s[len(EscPrefix):])
		if err != nil {
			return bad(strings.TrimPrefix(err.Error(), escape.ErrSyntax.Error()+": "), `esc:/name reads \\, \xHH, \uHHHH and \UHHHHHHHH in the name, as ipcx prints names`)
		}
		if !strings.HasPrefix(name, "/") {
			return bad("esc: takes a POSIX name", `write esc:/name, like esc:/a\x1bb`)
		}
		if err := posix.ValidName(name); err != nil {
			reason := strings.TrimPrefix(err.Error(), posix.ErrBadName.Error()+": ")
			return bad(reason, "a POSIX name is one / followed by up to 255 bytes without /, like /jobs")
		}
		return Addr{Kind: POSIX, Name: name}, nil
	case s == "private":
		return Addr{Kind: Private, Key: sysv.Private}, nil
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		return keyAddr(s, s, "a key is 0x followed by up to 8 hex digits, like 0x1a2b")
	case strings.HasPrefix(s, "key:"):
		return keyAddr(s, s[len("key:"):], "write key:N with N decimal or 0x-hex, like key:6699 or key:0x1a2b")
	case strings.HasPrefix(s, "id:"):
		n, err := strconv.ParseUint(s[len("id:"):], 10, 31)
		if err != nil {
			return bad("the id must be a whole number from 0 to 2147483647", "write id:N, like id:32768 (ipcx ls shows ids)")
		}
		return Addr{Kind: ID, ID: sysv.ID(n)}, nil
	case strings.HasPrefix(s, "ftok:"):
		rest := s[len("ftok:"):]
		i := strings.LastIndexByte(rest, ':')
		if i <= 0 {
			return bad("ftok needs a path and a project id", "write ftok:PATH:PROJ, like ftok:/etc/passwd:65")
		}
		proj, ok := ParseProj(rest[i+1:])
		if !ok {
			return bad("the project id must be a number from 1 to 255", "write ftok:PATH:PROJ, like ftok:/etc/passwd:65")
		}
		return Addr{Kind: Ftok, Path: rest[:i], Proj: proj}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		// the hint suggests only what parses
		_, kerr := keyAddr("key:"+s, s, "")
		_, ierr := Parse("id:" + s)
		switch {
		case kerr == nil && ierr == nil:
			return bad("a bare number is ambiguous", fmt.Sprintf("use id:%s or key:%s", s, s))
		case kerr == nil && n < 0:
			return bad("a bare number is ambiguous", fmt.Sprintf("use key:%s (ids are never negative)", s))
		case kerr == nil:
			return bad("a bare number is ambiguous", fmt.Sprintf("use key:%s (ids are below 2^31)", s))
		case ierr == nil:
			return bad("a bare number is ambiguous", fmt.Sprintf("use id:%s (%s is not a key: %v)", s, s, get(kerr)))
		}
		return bad("a bare number is not an address", fmt.Sprintf("%s is not a key (%s) nor an id; use one of: %s", s, get(kerr), Forms))
	}
	return bad("not an IPC address", "use one of: "+Forms)
}

// FtokError is the key ftok(3) returns when it fails (-1, 0xffffffff): refused as a key, since a
// script that passes it on has lost the error.
const FtokError sysv.Key = -1

// get is the reason of an address error.
func get(err error) string {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return err.Error()
}

// keyAddr makes a key address of text, the key part of the input s; hint says how to write it.
func keyAddr(s, text, hint string) (Addr, error) {
	k, err := parseKey(text)
	if err != nil {
		return Addr{}, &Error{Input: s, Reason: err.Error(), Hint: hint}
	}
	if k == sysv.Private {
		return Addr{}, &Error{Input: s, Reason: "key 0 is IPC_PRIVATE", Hint: "use private to create a new private object, or id:N to name one"}
	}
	if k == FtokError {
		return Addr{}, &Error{Input: s, Reason: "key -1 (0xffffffff) is what ftok(3) returns when it fails, not a key", Hint: "check the path given to ftok (ipcx ftok PATH PROJ), or name the object by id:N"}
	}
	return Addr{Kind: Key, Key: k}, nil
}

// parseKey parses a key as decimal (possibly negative, as /proc/sysvipc prints them) or 0x-hex,
// within 32 bits.
func parseKey(s string) (sysv.Key, error) {
	if s == "" {
		return 0, errors.New("no key number")
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		if len(s) == 2 {
			return 0, errors.New("no hex digits after 0x")
		}
		n, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not a 32-bit hex number", s)
		}
		return sysv.Key(int32(uint32(n))), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -1<<31 || n > 1<<32-1 {
		return 0, fmt.Errorf("%q is not a 32-bit number", s)
	}
	return sysv.Key(int32(uint32(n))), nil
}

// IsSysV reports whether a names a System V object (or asks for a new private one).
func (a Addr) IsSysV() bool { return a.Kind != POSIX }

// String returns the address in its canonical form: the form ipcx prints and accepts.
func (a Addr) String() string {
	switch a.Kind {
	case POSIX:
		return a.Name
	case Key:
		return a.Key.String()
	case ID:
		return fmt.Sprintf("id:%d", a.ID)
	case Ftok:
		return fmt.Sprintf("ftok:%s:%d", a.Path, a.Proj)
	case Private:
		return "private"
	}
	return "?"
}

// ParseProj reads the project id of ftok(3): a number from 1 to 255 (decimal, 0x hex or 0
// octal), or one printable character that is not a digit, standing for its code ("A" is 65). It
// reports whether s is one.
func ParseProj(s string) (int, bool) {
	if n, err := strconv.ParseUint(s, 0, 8); err == nil && n > 0 {
		return int(n), true
	}
	if len(s) == 1 && s[0] > ' ' && s[0] < 0x7f && (s[0] < '0' || s[0] > '9') {
		return int(s[0]), true
	}
	return 0, false
}

// SysVKey returns the key a names: the key itself, the ftok(3) key of the path, or IPC_PRIVATE.
func (a Addr) SysVKey() (sysv.Key, error) {
	switch a.Kind {
	case Key, Private:
		return a.Key, nil
	case Ftok:
		return sysv.Ftok(a.Path, a.Proj)
	}
	return 0, fmt.Errorf("%s has no System V key", a)
}
