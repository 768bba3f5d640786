package main

import (
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// The commands that take --ns are found in the command tree by their annotation: the flag's help
// and the refusal's hint name each of them, the nouns' stat commands included, and nothing else.
func TestNSCommandsFromTree(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := newRootCmd(ios)
	want := nsCommands(root)
	for _, name := range []string{"ls", "rm", "limits", "audit", "ipcs", "ipcrm", "mq stat", "sem stat", "shm stat", "mq ls", "sem ls", "shm ls"} {
		if !strings.Contains(" "+strings.Join(want, " , ")+" ", " "+name+" ") {
			t.Errorf("%s is not marked as taking --ns", name)
		}
	}
	help := root.PersistentFlags().Lookup("ns").Usage
	_, stderr, code := runIpcx("--ns", "1", "mq", "send", "/q", "x")
	if code != failure.Usage {
		t.Errorf("--ns with mq send: exit %d, want %d", code, failure.Usage)
	}
	for _, text := range []string{help, stderr} {
		if got := strings.Join(want, ", "); !strings.Contains(text, got) {
			t.Errorf("%q does not list the commands that take --ns: %s", text, got)
		}
	}
	// A new command marked withNS shows up without another edit.
	root.AddCommand(withNS(&cobra.Command{Use: "zzz"}))
	if h := nsFlagHelp(root); !strings.HasSuffix(h, ", zzz") {
		t.Errorf("nsFlagHelp after adding zzz = %q", h)
	}
}
