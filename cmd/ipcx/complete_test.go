package main

import (
	"slices"
	"testing"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

func TestUseWords(t *testing.T) {
	for _, tc := range []struct {
		use      string
		words    []string
		variadic bool
	}{
		{"send ADDR [MSG...]", []string{"ADDR", "MSG"}, true},
		{"send SIG TARGET...", []string{"SIG", "TARGET"}, true},
		{"rm ADDR... | rm --all [FILTERS]", []string{"ADDR"}, true},
		{"run ADDR [flags] -- CMD [ARG...]", []string{"ADDR"}, false},
		{"pipe [flags] -- CMD [ARG...] -- CMD [ARG...] [-- ...]", nil, false},
		{"create ADDR --size N", []string{"ADDR"}, false},
		{"ls", nil, false},
		{"", nil, false},
	} {
		words, variadic := useWords(tc.use)
		if !slices.Equal(words, tc.words) || variadic != tc.variadic {
			t.Errorf("useWords(%q) = %q, %v; want %q, %v", tc.use, words, variadic, tc.words, tc.variadic)
		}
	}
}

// TestCompletionWords: every argument word of every Use line is one that completeWord knows, or
// free text that completes nothing. A new word (a command taking a new kind of argument) must be
// placed in one of the two lists.
func TestCompletionWords(t *testing.T) {
	completed := []string{"ADDR", "/NAME", "PATH", "SIG", "TARGET", "PID", "MECHANISM"}
	free := []string{"MSG", "DATA", "LINE", "VALUE", "INDEX:OP", "PROJ", "resource-option", "output-option"}
	ios, _, _, _ := iostreams.Test()
	walk(newRootCmd(ios), func(c *cobra.Command) {
		if c.Hidden || !c.Runnable() || c.ValidArgsFunction != nil || c.Parent() != nil && c.Parent().Name() == "completion" {
			return
		}
		words, _ := useWords(c.Use)
		for _, w := range words {
			if !slices.Contains(completed, w) && !slices.Contains(free, w) {
				t.Errorf("%s: Use word %q is neither completed nor free text", c.CommandPath(), w)
			}
		}
	})
}
