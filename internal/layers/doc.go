// Package layers holds no code: its test checks the import rules that keep ipcx's layers apart,
// the way depguard does in other projects (restic's .golangci.yml), by reading every file's
// imports with `go list -json ./...` and go/parser:
//
//   - internal/ never imports cobra or pflag (flags are the command layer's) nor tablewriter,
//     except internal/render, which owns the tables;
//   - cmd/ never imports golang.org/x/sys/unix or syscall: system calls, errno checks and open
//     flags live in the domain packages below it.
//
// Files of cmd/ipcx that still broke the second rule when it was written are listed, to be
// emptied by issue 11; the test fails on a file not in that list and on a listed file that no
// longer breaks the rule, so the list only shrinks.
package layers
