package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
)

// The last aliases over internal/failure, kept only for ipcs.go while another change owns it.
// Convert it to failure directly (failure.Silent, failure.Usagef, nsObject(ns).Explain), then
// delete this file.

// silentExit is a failure.Silent spelled the old way.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }
func (e *silentExit) Unwrap() error { return &failure.Silent{Code: e.code} }

func usageErrorf(format string, args ...any) error {
	return failure.Usagef(format, args...)
}

func nsFail(ns inventory.Namespace, err error) error {
	return nsObject(ns).Explain(err)
}
