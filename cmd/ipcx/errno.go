package main

import "github.com/ipcx/ipcx/internal/posix"

// unwrapErrno strips an error down to its errno ("permission denied") for messages that name the
// object themselves. It stays for the callers in exit.go, ns.go and status.go until the error
// table owns the wording.
func unwrapErrno(err error) error { return posix.BareErrno(err) }
