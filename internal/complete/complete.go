//go:build linux

// Package complete finds the words a shell offers when the user presses Tab in an ipcx command
// line: the IPC objects that exist now (from the inventory ls uses), FIFO and socket files, socket
// addresses, signal names, processes, and the values of flags with a fixed set. Each function takes
// what the user typed of the word (its prefix) and returns the candidates that start with it, with
// a description for the shells that show one. It knows nothing of cobra: cmd/ipcx wires it to the
// commands.
package complete

import (
	"slices"
	"strings"
)

// Candidate is one word to offer.
type Candidate struct {
	Value       string
	Description string
}

// Result is what a completion offers: the candidates, and whether the shell must not add a space
// after the chosen one (a directory to descend into, a prefix such as unix: to go on typing).
type Result struct {
	Candidates []Candidate
	NoSpace    bool
}

// Values are the candidates among values (a flag's fixed set) that start with prefix, without
// description. For a comma-separated list flag (list true) the prefix's part after its last comma
// is completed and the values already given before it are not offered again.
func Values(values []string, prefix string, list bool) Result {
	head, last := "", prefix
	var given []string
	if list {
		if i := strings.LastIndexByte(prefix, ','); i >= 0 {
			head, last = prefix[:i+1], prefix[i+1:]
			given = strings.Split(prefix[:i], ",")
		}
	}
	var r Result
	for _, v := range values {
		if strings.HasPrefix(v, last) && !slices.Contains(given, v) {
			r.Candidates = append(r.Candidates, Candidate{Value: head + v})
		}
	}
	// A list goes on after a comma: no space while other values remain to be added.
	r.NoSpace = list && len(r.Candidates) > 0 && len(given)+1 < len(values)
	return r
}
